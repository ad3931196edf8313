"""Strava bulk export: the real activities.csv samples, synthetic layouts, the zip, its folder."""

import csv
import gzip
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fittrack.core.activity_types import BUILTIN_TYPES
from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, strava

SAMPLES = Path(__file__).parents[3] / "shared" / "data" / "csv"
CURRENT = SAMPLES / "strava_activities__JoBoSo_export_2025-08_sample.csv"
HTML_SPANS = SAMPLES / "strava_activities__JoBoSo_export_2023-10_html-spans_sample.csv"

# The current layout's columns that matter, in their real order, duplicates included: the first
# Elapsed Time / Distance pair is the display summary, the second the SI one.
HEADER = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Elapsed Time",
    "Distance",
    "Max Heart Rate",
    "Relative Effort",
    "Commute",
    "Activity Private Note",
    "Activity Gear",
    "Filename",
    "Athlete Weight",
    "Bike Weight",
    "Elapsed Time",
    "Moving Time",
    "Distance",
    "Max Speed",
    "Calories",
]


def current_csv(*rows: dict[str, str], header: list[str] = HEADER) -> bytes:
    """A current-layout activities.csv; ``display Distance`` / ``display Elapsed Time`` name the
    first occurrences, plain names the SI ones."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for values in rows:
        cells = []
        seen: set[str] = set()
        for column in header:
            duplicate = column in ("Distance", "Elapsed Time") and column not in seen
            seen.add(column)
            key = f"display {column}" if duplicate else column
            cells.append(values.get(key, ""))
        writer.writerow(cells)
    return out.getvalue().encode()


def row(**values: str) -> dict[str, str]:
    base = {
        "Activity ID": "101",
        "Activity Date": "Mar 4, 2024, 7:15:00 AM",
        "Activity Name": "Morning Run",
        "Activity Type": "Run",
        "display Elapsed Time": "1800",
        "display Distance": "5.01",
        "Elapsed Time": "1800.0",
        "Moving Time": "1750.0",
        "Distance": "5012.5",
        "Calories": "350.0",
    }
    base.update({key.replace("_", " "): value for key, value in values.items()})
    return base


def by_start(activities: list[ImportedActivity]) -> dict[datetime, ImportedActivity]:
    return {activity.start: activity for activity in activities}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


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
    activities = strava.parse_csv(current_sample, CURRENT.name)
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
    spans = strava.parse_csv(html_sample, HTML_SPANS.name)
    current = by_start(strava.parse_csv(current_sample, CURRENT.name))
    assert len(spans) == 4
    for activity in spans[:3]:  # the rows both samples share
        assert activity == current[activity.start]
    last = spans[3]
    assert last.start == utc(2014, 10, 19, 20, 8, 59)
    assert (last.duration_s, last.distance_m) == (2831.0, 14741.099609375)
    assert last.calories_kcal == 295.10125732421875


def test_samples_are_recognised(current_sample: bytes, html_sample: bytes) -> None:
    assert strava.looks_like_strava_csv(current_sample[:512])
    assert strava.looks_like_strava_csv(html_sample[:4096])


# --- synthetic layouts -------------------------------------------------------------------------


def test_sport_table_maps_to_builtin_slugs() -> None:
    slugs = {t.slug for t in BUILTIN_TYPES}
    assert set(strava.SPORT_TYPES.values()) <= slugs
    assert all(key == " ".join(key.lower().split()) for key in strava.SPORT_TYPES)


def test_sport_names_and_times_of_day() -> None:
    data = current_csv(
        row(Activity_Type="Virtual Ride", Activity_Date="Jan 1, 2024, 12:05:00 AM"),
        row(Activity_Type="Weight Training", Activity_Date="Jan 2, 2024, 12:30:00 PM"),
        row(Activity_Type="Rowing", Activity_Date="Dec 31, 2023, 11:59:59 PM"),
        # Newer exports put a narrow no-break space before PM; an en-GB account writes day first.
        row(Activity_Type="Workout", Activity_Date="Sep 21, 2025, 7:36:17\u202fPM"),
        row(Activity_Type="Hike", Activity_Date="5 Oct 2014, 16:15:21"),
    )
    found = [(a.start, a.type) for a in strava.parse_csv(data)]
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
    (swim,) = strava.parse_csv(data)
    assert (swim.type, swim.distance_m, swim.duration_s) == ("swim", 1025.0, 1500.0)


def test_note_keeps_commas_quotes_and_line_breaks() -> None:
    data = current_csv(
        row(
            Activity_Name='Tempo, "hard" 🏃',
            Activity_Description="249 Training Load\r\n-- from COROS, really",
        )
    )
    (activity,) = strava.parse_csv(data)
    assert activity.note == 'Tempo, "hard" 🏃\n249 Training Load\n-- from COROS, really'


def test_empty_values_are_missing_and_zero_means_not_measured() -> None:
    data = current_csv(
        row(Activity_Type="Yoga", Distance="0.0", Calories="", Moving_Time="0.0"),
        row(Activity_Type="", Moving_Time="", Elapsed_Time="600.0"),
    )
    yoga, untyped = strava.parse_csv(data)
    assert (yoga.type, yoga.distance_m, yoga.calories_kcal) == ("yoga", None, None)
    assert yoga.duration_s == 1800.0  # no moving time: the elapsed time stands in
    assert (untyped.type, untyped.sport, untyped.duration_s) == (None, None, 600.0)


def test_utf8_bom_and_blank_lines_are_tolerated() -> None:
    data = b"\xef\xbb\xbf" + current_csv(row()) + b"\n\n"
    (activity,) = strava.parse_csv(data)
    assert activity.start == utc(2024, 3, 4, 7, 15)


def test_legacy_layout() -> None:
    data = (
        b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        b'1,2018-03-04 07:15:00,Morning Run,Run,"Easy, ""chatty""\nwith Anna",'
        b"1560,7800.0,false,,\n"
        b"2,2017-11-30 18:00:05,Commute,Ride,,2400,10250.5,true,Bike,activities/2.gpx\n"
    )
    assert strava.looks_like_strava_csv(data)
    run, ride = strava.parse_csv(data)
    assert run.start == utc(2018, 3, 4, 7, 15)
    assert (run.type, run.duration_s, run.distance_m) == ("run", 1560.0, 7800.0)
    assert run.end == utc(2018, 3, 4, 7, 41)
    assert run.note == 'Morning Run\nEasy, "chatty"\nwith Anna'
    assert run.calories_kcal is None
    assert (ride.type, ride.duration_s, ride.distance_m) == ("ride", 2400.0, 10250.5)


def test_header_only_is_zero_activities() -> None:
    assert strava.parse_csv(current_csv()) == []


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
        strava.parse_csv(data)


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
        strava.parse_csv(data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_row_numbers_count_a_multiline_note_as_one_row() -> None:
    data = current_csv(row(Activity_Description="a\nb\nc"), row(Moving_Time="x"))
    with pytest.raises(DataError, match=r"^row 3: 'Moving Time'"):
        strava.parse_csv(data)


def test_truncated_file_is_refused() -> None:
    data = current_csv(row(), row())
    with pytest.raises(DataError, match=r"row 3: .* cells where the header has"):
        strava.parse_csv(data[:-40])


def test_unclosed_quote_is_refused() -> None:
    data = current_csv(row()) + b'102,"Mar 5, 2024, 7:15:00 AM,"Run\n'
    with pytest.raises(DataError):
        strava.parse_csv(data)


def test_detection_refuses_other_files() -> None:
    assert not strava.looks_like_strava_csv(b"Activity Type,Date,Title,Distance,Calories,Time\n")
    assert not strava.looks_like_strava_csv(b'<?xml version="1.0"?><gpx/>')
    assert not strava.looks_like_strava_csv(bytes(range(256)))
    assert not strava.looks_like_strava_csv(b"")
    assert not strava.looks_like_strava_csv(b"ID,Name,Value\n1,a,2\n")
    assert strava.looks_like_strava_csv("Aktivitäts-ID,Aktivitätsdatum\n".encode())


# --- the export: zip and folder, with activity files -------------------------------------------

GPX_START = datetime(2024, 3, 4, 7, 15, tzinfo=UTC)


def small_gpx() -> bytes:
    """A run heading north at about 3 m/s, standing still for two minutes halfway."""
    points = []
    seconds = 0
    lat = 52.0
    for step in range(20):
        if step == 10:
            seconds += 120  # the pause: no movement, time passes
        else:
            lat += 0.00027  # ~30 m
            seconds += 10
        when = (GPX_START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(f'<trkpt lat="{lat:.6f}" lon="13.0"><time>{when}</time></trkpt>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="StravaGPX" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Morning Run</name><type>9</type><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def export_rows(filename: str) -> bytes:
    # No moving time and no calories in the CSV: the activity file is read to fill them.
    return current_csv(
        row(Filename=filename, Moving_Time="", Calories="", Elapsed_Time="310.0"),
        row(Activity_ID="102", Activity_Date="Mar 5, 2024, 7:15:00 AM", Moving_Time="1200.0"),
    )


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def gpx_module() -> Any:
    return pytest.importorskip("fittrack.formats.gpx", reason="the GPX reader is not written yet")


def test_export_zip_reads_the_activity_file_for_what_the_csv_lacks(
    tmp_path: Path, gpx_module: Any
) -> None:
    gpx_bytes = small_gpx()
    expected = gpx_module.parse(gpx_bytes, "77.gpx")[0]
    archive = make_zip(
        tmp_path / "export_123.zip",
        {
            "export_123/activities.csv": export_rows("activities/77.gpx.gz"),
            "export_123/activities/77.gpx.gz": gzip.compress(gpx_bytes),
            "export_123/profile.csv": b"Athlete ID\n1\n",
        },
    )
    assert strava.is_strava_export(archive)
    first, second = strava.parse_export(archive)
    assert first.warnings == ()
    assert first.duration_s == expected.duration_s  # the file's moving time, the pause left out
    assert first.duration_s is not None and first.duration_s < 310
    assert first.distance_m == 5012.5  # Strava's own distance wins over the file's
    assert first.start == utc(2024, 3, 4, 7, 15)  # the CSV's start
    assert first.end == first.start + timedelta(seconds=310)
    assert second.duration_s == 1200.0


def test_export_folder_and_its_csv_read_the_same_files(tmp_path: Path, gpx_module: Any) -> None:
    folder = tmp_path / "strava"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_bytes(export_rows("activities/77.gpx"))
    (folder / "activities" / "77.gpx").write_bytes(small_gpx())
    assert strava.is_strava_export(folder)
    from_folder = strava.parse_export(folder)
    assert from_folder == strava.parse_export(folder / "activities.csv")
    assert from_folder[0].warnings == ()
    assert from_folder[0].duration_s is not None and from_folder[0].duration_s < 310


def test_export_folder_with_a_top_folder(tmp_path: Path) -> None:
    inner = tmp_path / "download" / "export_9"
    inner.mkdir(parents=True)
    (inner / "activities.csv").write_bytes(current_csv(row()))
    assert strava.is_strava_export(tmp_path / "download")
    (activity,) = strava.parse_export(tmp_path / "download")
    assert activity.duration_s == 1750.0
    # With other files beside it the folder is not an export: the importer takes them one by one.
    (tmp_path / "download" / "run.gpx").write_bytes(b"<gpx/>")
    assert not strava.is_strava_export(tmp_path / "download")
    assert strava.is_strava_export(inner)


def test_export_zip_with_a_top_folder_only(tmp_path: Path) -> None:
    inside = make_zip(
        tmp_path / "a.zip",
        {"export_1/activities.csv": current_csv(row()), "export_1/bikes.csv": b"x\n"},
    )
    assert strava.is_strava_export(inside)
    mixed = make_zip(
        tmp_path / "b.zip",
        {"export_1/activities.csv": current_csv(row()), "elsewhere/run.gpx": b"<gpx/>"},
    )
    assert not strava.is_strava_export(mixed)


def test_missing_or_unreadable_activity_file_keeps_the_csv_values(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "export.zip",
        {
            "activities.csv": current_csv(
                row(Filename="activities/1.gpx", Moving_Time="", Calories=""),
                row(
                    Activity_Date="Mar 6, 2024, 7:15:00 AM",
                    Filename="activities/2.fit.gz",
                    Calories="",
                ),
                # Nothing lacking: the file is never opened, so its absence is not reported.
                row(Activity_Date="Mar 7, 2024, 7:15:00 AM", Filename="activities/3.gpx"),
            ),
            "activities/2.fit.gz": b"this is not gzip",
        },
    )
    missing, unreadable, complete = strava.parse_export(archive)
    assert missing.duration_s == 1800.0  # the elapsed time stands in for the moving time
    assert missing.distance_m == 5012.5
    assert missing.warnings == ("activities/1.gpx is not in the export; kept the CSV's values",)
    assert unreadable.duration_s == 1750.0
    assert len(unreadable.warnings) == 1
    assert unreadable.warnings[0].startswith("activities/2.fit.gz could not be read (")
    assert complete.warnings == ()


def test_zip_slip_filename_is_never_read(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "export.zip",
        {
            "activities.csv": current_csv(
                row(Filename="../evil.gpx", Calories=""),
                row(Activity_Date="Mar 6, 2024, 7:15:00 AM", Filename="/etc/passwd", Calories=""),
            ),
            "../evil.gpx": b"<gpx/>",
        },
    )
    first, second = strava.parse_export(archive)
    assert first.warnings == (
        "../evil.gpx could not be read ('../evil.gpx' points outside the export; refused); "
        "kept the CSV's values",
    )
    assert "outside the export" in second.warnings[0]
    assert (first.duration_s, first.distance_m) == (1750.0, 5012.5)


def test_zip_slip_activities_csv_is_not_found(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "export.zip", {"../activities.csv": current_csv(row())})
    assert not strava.is_strava_export(archive)
    with pytest.raises(DataError, match=r"no activities.csv in this zip"):
        strava.parse_export(archive)


def test_folder_export_refuses_files_outside_it(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (tmp_path / "secret.gpx").write_bytes(small_gpx())
    (folder / "activities.csv").write_bytes(
        current_csv(
            row(Filename="../secret.gpx", Calories=""),
            row(Activity_Date="Mar 6, 2024, 7:15:00 AM", Filename="link.gpx", Calories=""),
        )
    )
    (folder / "link.gpx").symlink_to(tmp_path / "secret.gpx")
    dotdot, link = strava.parse_export(folder)
    assert "points outside the export" in dotdot.warnings[0]
    assert "leads outside the export" in link.warnings[0]


def test_corrupt_zip_is_refused(tmp_path: Path) -> None:
    good = make_zip(tmp_path / "good.zip", {"activities.csv": current_csv(row())})
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[:60])
    with pytest.raises(DataError, match="not a readable zip file"):
        strava.parse_export(truncated)
    assert not strava.is_strava_export(truncated)


def test_zip_with_damaged_data_is_refused(tmp_path: Path) -> None:
    # The zip's directory is intact but the CSV's bytes are not: the CRC check fails on reading.
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("activities.csv", current_csv(row()))
    raw = bytearray(stored.read_bytes())
    at = raw.index(b"Activity ID")
    raw[at : at + 8] = b"XXXXXXXX"
    stored.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"cannot read activities.csv from the zip"):
        strava.parse_export(stored)


def test_zip_without_activities_csv_and_garbage_are_refused(tmp_path: Path) -> None:
    other = make_zip(tmp_path / "other.zip", {"photos/1.jpg": b"\xff\xd8"})
    assert not strava.is_strava_export(other)
    with pytest.raises(DataError, match=r"no activities.csv"):
        strava.parse_export(other)
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(bytes(range(256)))
    with pytest.raises(DataError):
        strava.parse_export(garbage)
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    assert not strava.is_strava_export(empty_folder)
    with pytest.raises(DataError, match=r"no activities.csv in this folder"):
        strava.parse_export(empty_folder)
    assert not strava.is_strava_export(tmp_path / "nowhere")


def test_bad_row_inside_an_export_names_the_member_and_row(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "export.zip",
        {"export_1/activities.csv": current_csv(row(), row(), row(), row(), row(Distance="abc"))},
    )
    with pytest.raises(DataError) as caught:
        strava.parse_export(archive)
    assert str(caught.value) == (
        "export_1/activities.csv: row 6: 'Distance' is not a number: 'abc'"
    )
