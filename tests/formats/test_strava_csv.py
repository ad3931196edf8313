"""Strava's activities.csv: the real samples, synthetic current and legacy layouts, bad files."""

from datetime import timedelta

import pytest
from tests.formats.strava_support import (
    CURRENT,
    HTML_SPANS,
    by_start,
    current_csv,
    row,
    utc,
)

from fittrack.core.activity_types import BUILTIN_TYPES
from fittrack.errors import DataError
from fittrack.formats import strava_csv

# --- the real samples --------------------------------------------------------------------------


@pytest.fixture
def current_sample() -> bytes:
    if not CURRENT.exists():
        pytest.skip(f"sample not found: {CURRENT}")
    return CURRENT.read_bytes()


@pytest.fixture
def html_sample() -> bytes:
    if not HTML_SPANS.exists():
        pytest.skip(f"sample not found: {HTML_SPANS}")
    return HTML_SPANS.read_bytes()


def test_current_sample_reads_the_si_columns(current_sample: bytes) -> None:
    activities = strava_csv.parse_csv(current_sample, CURRENT.name)
    assert len(activities) == 12
    assert all(a.source == "strava" and a.start.tzinfo is not None for a in activities)
    found = by_start(activities)

    ride = found[utc(2014, 10, 5, 16, 15, 21)]
    assert (ride.type, ride.sport) == ("ride", "Ride")
    assert ride.duration_s == 2499.0  # Moving Time, not the 2833 s elapsed
    assert ride.distance_m == 13609.2001953125  # the second Distance, not the display 13.61
    assert ride.end == ride.start + timedelta(seconds=2833)
    assert ride.calories_kcal is None
    assert ride.note == "Lunch Ride"
    assert ride.warnings == ()

    walk = found[utc(2020, 5, 5, 1, 37, 51)]  # "May 5, 2020, 1:37:51 AM"
    assert walk.type == "walk"
    assert walk.duration_s == 833.0
    assert walk.distance_m == 733.5999755859375
    assert walk.calories_kcal == 59.48973846435547

    # A sail's display distance is in nautical miles (15.9); the SI column has the metres.
    sail = found[utc(2023, 5, 6, 22, 39, 53)]
    assert sail.distance_m == 29610.490234375
    assert sail.duration_s == 4855.0
    assert (sail.type, sail.sport, sail.warnings) == ("sail", "Sail", ())


def test_html_header_cells_are_matched_after_stripping_tags(
    html_sample: bytes, current_sample: bytes
) -> None:
    spans = strava_csv.parse_csv(html_sample, HTML_SPANS.name)
    current = by_start(strava_csv.parse_csv(current_sample, CURRENT.name))
    assert len(spans) == 4
    for activity in spans[:3]:  # the rows both samples share
        assert activity == current[activity.start]
    last = spans[3]
    assert last.start == utc(2014, 10, 19, 20, 8, 59)
    assert (last.duration_s, last.distance_m) == (2831.0, 14741.099609375)
    assert last.calories_kcal == 295.10125732421875


def test_samples_are_recognised(current_sample: bytes, html_sample: bytes) -> None:
    assert strava_csv.looks_like_strava_csv(current_sample[:512])
    assert strava_csv.looks_like_strava_csv(html_sample[:4096])


# --- synthetic layouts -------------------------------------------------------------------------


def test_sport_table_maps_to_builtin_slugs() -> None:
    slugs = {t.slug for t in BUILTIN_TYPES}
    assert set(strava_csv.SPORT_TYPES.values()) <= slugs
    assert all(key == " ".join(key.lower().split()) for key in strava_csv.SPORT_TYPES)


def test_sport_names_and_times_of_day() -> None:
    data = current_csv(
        row(Activity_Type="Virtual Ride", Activity_Date="Jan 1, 2024, 12:05:00 AM"),
        row(Activity_Type="Weight Training", Activity_Date="Jan 2, 2024, 12:30:00 PM"),
        row(Activity_Type="Rowing", Activity_Date="Dec 31, 2023, 11:59:59 PM"),
        # Newer exports put a narrow no-break space before PM; an en-GB account writes day first.
        row(Activity_Type="Workout", Activity_Date="Sep 21, 2025, 7:36:17\u202fPM"),
        row(Activity_Type="Hike", Activity_Date="5 Oct 2014, 16:15:21"),
    )
    found = [(a.start, a.type) for a in strava_csv.parse_csv(data)]
    assert found == [
        (utc(2024, 1, 1, 0, 5), "indoor-ride"),
        (utc(2024, 1, 2, 12, 30), "strength"),
        (utc(2023, 12, 31, 23, 59, 59), "row"),
        (utc(2025, 9, 21, 19, 36, 17), "other"),
        (utc(2014, 10, 5, 16, 15, 21), "hike"),
    ]


def test_swim_uses_metres_not_the_display_value() -> None:
    data = current_csv(
        row(Activity_Type="Swim", display_Distance="1,025", Distance="1025.0", Moving_Time="1500")
    )
    (swim,) = strava_csv.parse_csv(data)
    assert (swim.type, swim.distance_m, swim.duration_s) == ("swim", 1025.0, 1500.0)


def test_note_keeps_commas_quotes_and_line_breaks() -> None:
    data = current_csv(
        row(
            Activity_Name='Tempo, "hard" 🏃',
            Activity_Description="249 Training Load\r\n-- from COROS, really",
        )
    )
    (activity,) = strava_csv.parse_csv(data)
    assert activity.note == 'Tempo, "hard" 🏃\n249 Training Load\n-- from COROS, really'


def test_empty_values_are_missing_and_zero_means_not_measured() -> None:
    data = current_csv(
        row(Activity_Type="Yoga", Distance="0.0", Calories="", Moving_Time="0.0"),
        row(Activity_Type="", Moving_Time="", Elapsed_Time="600.0"),
    )
    yoga, untyped = strava_csv.parse_csv(data)
    assert (yoga.type, yoga.distance_m, yoga.calories_kcal) == ("yoga", None, None)
    assert yoga.duration_s == 1800.0  # no moving time: the elapsed time stands in
    assert (untyped.type, untyped.sport, untyped.duration_s) == (None, None, 600.0)


def test_utf8_bom_and_blank_lines_are_tolerated() -> None:
    data = b"\xef\xbb\xbf" + current_csv(row()) + b"\n\n"
    (activity,) = strava_csv.parse_csv(data)
    assert activity.start == utc(2024, 3, 4, 7, 15)


def test_legacy_layout() -> None:
    data = (
        b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        b'1,2018-03-04 07:15:00,Morning Run,Run,"Easy, ""chatty""\nwith Anna",'
        b"1560,7800.0,false,,\n"
        b"2,2017-11-30 18:00:05,Commute,Ride,,2400,10250.5,true,Bike,activities/2.gpx\n"
    )
    assert strava_csv.looks_like_strava_csv(data)
    run, ride = strava_csv.parse_csv(data)
    assert run.start == utc(2018, 3, 4, 7, 15)
    assert (run.type, run.duration_s, run.distance_m) == ("run", 1560.0, 7800.0)
    assert run.end == utc(2018, 3, 4, 7, 41)
    assert run.note == 'Morning Run\nEasy, "chatty"\nwith Anna'
    assert run.calories_kcal is None
    assert (ride.type, ride.duration_s, ride.distance_m) == ("ride", 2400.0, 10250.5)


def test_header_only_is_zero_activities() -> None:
    assert strava_csv.parse_csv(current_csv()) == []


# --- broken input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n\xff\xfe\xfa garbage", "not UTF-8"),
        (b"Activity,Foo\n1,2\n", "no 'Activity Date' column"),
        (
            b'<?xml version="1.0"?>\n<gpx version="1.1"><trk><trkseg/></trk></gpx>\n',
            "XML",
        ),
        (
            "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart\n1,x,y,z\n".encode(),
            "not in English",
        ),
        (
            b"Activity ID,Activity Date,Activity Type,Elapsed Time,Distance\n",
            "only one 'Distance'",
        ),
    ],
)
def test_files_that_are_not_strava_exports_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        strava_csv.parse_csv(data)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"Moving_Time": "abc"}, "row 3: 'Moving Time' is not a number: 'abc'"),
        ({"Distance": "-5"}, "row 3: 'Distance' is not a number ≥ 0: '-5'"),
        ({"Calories": "nan"}, "row 3: 'Calories' is not a number ≥ 0: 'nan'"),
        ({"Activity_Date": "yesterday"}, "row 3: 'Activity Date' is not a date"),
        ({"Activity_Date": "Feb 30, 2024, 7:00:00 AM"}, "row 3: 'Activity Date' is not a date"),
        ({"Activity_Date": "Feb 3, 2024, 13:00:00 PM"}, "row 3: 'Activity Date' is not a date"),
        ({"Activity_Date": ""}, "row 3: no 'Activity Date'"),
        ({"Activity_Date": "Dec 31, 9999, 11:59:59 PM"}, "row 3: 'Activity Date' is out of range"),
        ({"Elapsed_Time": "1e300"}, "row 3: 'Elapsed Time' is longer than a year: '1e300'"),
    ],
)
def test_one_bad_row_fails_the_file_naming_the_row(bad: dict[str, str], message: str) -> None:
    data = current_csv(row(), row(**bad), row())
    with pytest.raises(DataError) as caught:
        strava_csv.parse_csv(data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_row_numbers_count_a_multiline_note_as_one_row() -> None:
    data = current_csv(row(Activity_Description="a\nb\nc"), row(Moving_Time="x"))
    with pytest.raises(DataError, match=r"^row 3: 'Moving Time'"):
        strava_csv.parse_csv(data)


def test_truncated_file_is_refused() -> None:
    data = current_csv(row(), row())
    with pytest.raises(DataError, match=r"row 3: .* cells where the header has"):
        strava_csv.parse_csv(data[:-40])


def test_unclosed_quote_is_refused() -> None:
    data = current_csv(row()) + b'102,"Mar 5, 2024, 7:15:00 AM,"Run\n'
    with pytest.raises(DataError):
        strava_csv.parse_csv(data)


def test_detection_refuses_other_files() -> None:
    assert not strava_csv.looks_like_strava_csv(
        b"Activity Type,Date,Title,Distance,Calories,Time\n"
    )
    assert not strava_csv.looks_like_strava_csv(b'<?xml version="1.0"?><gpx/>')
    assert not strava_csv.looks_like_strava_csv(bytes(range(256)))
    assert not strava_csv.looks_like_strava_csv(b"")
    assert not strava_csv.looks_like_strava_csv(b"ID,Name,Value\n1,a,2\n")
    assert strava_csv.looks_like_strava_csv("Aktivitäts-ID,Aktivitätsdatum\n".encode())
