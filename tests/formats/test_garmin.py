"""Garmin Connect Activities.csv: synthetic files built from the headers real exports have."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fittrack.core.activity_types import BUILTIN_TYPES
from fittrack.errors import DataError, UsageError
from fittrack.formats import garmin

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

# en, metric account, mixed sports (25 columns, no Favorite), as seen in a real export.
METRIC_HEADER = [
    "Activity Type",
    "Date",
    "Title",
    "Distance",
    "Calories",
    "Time",
    "Avg HR",
    "Max HR",
    "Aerobic TE",
    "Avg Speed",
    "Max Speed",
    "Total Ascent",
    "Total Descent",
    "Avg Stride Length",
    "Steps",
    "Min Temp",
    "Best Lap Time",
    "Max Temp",
    "Avg Resp",
    "Min Resp",
    "Max Resp",
    "Moving Time",
    "Elapsed Time",
    "Min Elevation",
    "Max Elevation",
]
# en-US, imperial account, running only (32 columns), as seen in a real export.
IMPERIAL_HEADER = [
    "Activity Type",
    "Date",
    "Favorite",
    "Title",
    "Distance",
    "Calories",
    "Time",
    "Avg HR",
    "Max HR",
    "Avg Run Cadence",
    "Max Run Cadence",
    "Avg Pace",
    "Best Pace",
    "Total Ascent",
    "Total Descent",
    "Avg Stride Length",
    "Avg Vertical Ratio",
    "Avg Vertical Oscillation",
    "Training Stress Score®",
    "Grit",
    "Flow",
    "Dive Time",
    "Min Temp",
    "Surface Interval",
    "Decompression",
    "Best Lap Time",
    "Number of Laps",
    "Max Temp",
    "Moving Time",
    "Elapsed Time",
    "Min Elevation",
    "Max Elevation",
]


def garmin_csv(header: list[str], *rows: dict[str, str], quote_all: bool = True) -> bytes:
    """An Activities.csv; columns a row does not give are "--", as Garmin writes them."""
    out = io.StringIO()
    writer = csv.writer(
        out, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column, "--") for column in header])
    return out.getvalue().encode()


def run(**values: str) -> dict[str, str]:
    base = {
        "Activity Type": "Running",
        "Date": "2024-05-01 07:30:00",
        "Title": "Berlin Running",
        "Distance": "10.02",
        "Calories": "712",
        "Time": "00:55:03",
        "Moving Time": "00:54:10",
        "Elapsed Time": "00:58:00",
        "Avg Speed": "5:30",
        "Total Ascent": "1,079",
    }
    base.update({key.replace("_", " "): value for key, value in values.items()})
    return base


def local(*parts: int, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(*parts, tzinfo=tz)


def test_activity_table_maps_to_builtin_slugs() -> None:
    slugs = {t.slug for t in BUILTIN_TYPES}
    assert set(garmin.ACTIVITY_TYPES.values()) <= slugs
    assert all(key == " ".join(key.lower().split()) for key in garmin.ACTIVITY_TYPES)


def test_metric_account_mixed_sports() -> None:
    data = garmin_csv(
        METRIC_HEADER,
        run(Calories="1,024"),
        run(
            Activity_Type="Pool Swimming",
            Date="2024-05-02 18:00:00",
            Title="Pool Swim",
            Distance="1,500",
            Calories="410",
            Time="00:40:12.5",
            Moving_Time="00:31:00",
            Elapsed_Time="00:45:00",
        ),
        run(
            Activity_Type="Strength Training",
            Date="2024-05-03 19:00:00",
            Title="Strength",
            Distance="0.00",
            Calories="--",
            Time="00:45:00",
            Moving_Time="00:00:00",
            Elapsed_Time="--:--:--",
        ),
        run(
            Activity_Type="Yoga",
            Date="2024-05-04 08:00:00",
            Distance="--",
            Time="01:00:00",
            Moving_Time="--:--:--",
        ),
        run(Activity_Type="Cycling", Date="2024-05-05 10:00:00", Distance="42.17"),
    )
    assert garmin.looks_like_garmin_csv(data[:300])
    running, swim, strength, yoga, ride = garmin.parse_csv(data, tz=BERLIN)

    assert running.source == "garmin"
    assert running.start == local(2024, 5, 1, 7, 30)
    assert running.start.utcoffset() == timedelta(hours=2)
    assert (running.type, running.sport) == ("run", "Running")
    assert running.distance_m == 10020.0
    assert running.duration_s == 54 * 60 + 10  # Moving Time before Time
    assert running.end == local(2024, 5, 1, 8, 28)  # start + Elapsed Time
    assert running.calories_kcal == 1024.0
    assert running.note == "Berlin Running"

    assert (swim.type, swim.distance_m) == ("swim", 1500.0)  # swims are in metres
    assert swim.duration_s == 31 * 60

    assert strength.type == "strength"
    assert strength.distance_m is None  # 0.00: nothing measured
    assert strength.calories_kcal is None
    assert strength.duration_s == 45 * 60  # moving time 00:00:00 falls back to Time
    assert strength.end is None

    assert (yoga.type, yoga.distance_m, yoga.duration_s) == ("yoga", None, 3600.0)
    assert (ride.type, ride.distance_m) == ("ride", 42170.0)


def test_imperial_account() -> None:
    data = garmin_csv(
        IMPERIAL_HEADER,
        run(Favorite="false", Distance="3.11", Time="00:28:00.4", Moving_Time="--:--:--"),
        run(
            Activity_Type="Lap Swimming",
            Date="2024-01-10 06:00:00",
            Distance="1,000",
            Moving_Time="00:25:00",
        ),
        run(Activity_Type="Treadmill Running", Date="2024-01-11 06:00:00", Distance="1,234.50"),
        quote_all=False,
    )
    assert garmin.looks_like_garmin_csv(data)
    road, swim, treadmill = garmin.parse_csv(data, units="imperial", tz=NEW_YORK)
    assert road.distance_m == round(3.11 * 1609.344, 3)
    assert road.duration_s == pytest.approx(28 * 60 + 0.4)  # no moving time: Time
    assert road.start == local(2024, 5, 1, 7, 30, tz=NEW_YORK)
    assert (swim.type, swim.distance_m) == ("swim", 914.4)  # yards
    assert treadmill.type == "run"
    assert treadmill.distance_m == round(1234.5 * 1609.344, 3)


def test_units_are_checked() -> None:
    data = garmin_csv(METRIC_HEADER, run())
    assert garmin.parse_csv(data, units="Metric", tz=BERLIN)[0].distance_m == 10020.0
    with pytest.raises(UsageError, match="'metric' or 'imperial'"):
        garmin.parse_csv(data, units="furlongs", tz=BERLIN)


def test_minimal_header_and_unknown_sport() -> None:
    data = (
        b"Activity Type,Date,Distance,Time\n"
        b"Tennis,2024-06-01 17:00:00,--,01:30:00\n"
        b"Open Water Swimming,2024-06-02 09:00:00,843,00:20:00\n"
    )
    tennis, lake = garmin.parse_csv(data, tz=BERLIN)
    assert (tennis.type, tennis.sport, tennis.warnings) == ("tennis", "Tennis", ())
    assert (tennis.note, tennis.calories_kcal, tennis.duration_s) == ("", None, 5400.0)
    assert (lake.type, lake.distance_m) == ("open-water-swim", 843.0)


def test_title_with_commas_quotes_and_line_breaks() -> None:
    data = garmin_csv(METRIC_HEADER, run(Title='Race, "10K"\r\nPB!'), run(Title="--"))
    with_title, without = garmin.parse_csv(data, tz=BERLIN)
    assert with_title.note == 'Race, "10K"\nPB!'
    assert without.note == ""


def test_wall_clock_time_is_read_in_the_given_zone() -> None:
    data = garmin_csv(METRIC_HEADER, run(Date="2024-01-15 07:00:00"))
    (winter,) = garmin.parse_csv(data, tz=BERLIN)
    assert winter.start.utcoffset() == timedelta(hours=1)
    (elsewhere,) = garmin.parse_csv(data, tz=NEW_YORK)
    assert elsewhere.start - winter.start == timedelta(hours=6)


def test_two_exports_pasted_together_are_read_by_their_own_headers() -> None:
    first = garmin_csv(METRIC_HEADER, run())
    second = garmin_csv(
        ["Activity Type", "Date", "Distance", "Time", "Title"],
        {
            "Activity Type": "Walking",
            "Date": "2024-05-09 12:00:00",
            "Distance": "3.00",
            "Time": "00:40:00",
            "Title": "Lunch walk",
        },
        quote_all=False,
    )
    running, walking = garmin.parse_csv(first + second, tz=BERLIN)
    assert running.distance_m == 10020.0
    assert (walking.type, walking.distance_m, walking.note) == ("walk", 3000.0, "Lunch walk")


def test_header_only_is_zero_activities_and_bom_is_tolerated() -> None:
    assert garmin.parse_csv(b"\xef\xbb\xbf" + garmin_csv(METRIC_HEADER), tz=BERLIN) == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\xff\xd8\xff\xe0 JFIF garbage \xc3\x28", "not UTF-8"),
        (b'<?xml version="1.0"?>\n<gpx version="1.1"/>\n', "XML"),
        (b"Activity Type,Title,Distance,Time\nRunning,x,1,00:10:00\n", "no 'Date' column"),
        (b"Activity Type,Date,Distance,Calories\n", "no 'Time', 'Moving Time'"),
        (b"Date,Distance,Time\n", "no 'Activity Type' column"),
        (
            "Aktivitetstype,Dato,Favorit,Titel,Distance,Kalorier,Tid\nLøb,x,Nej,y,1,2,3\n".encode(),
            "not in English",
        ),
        ("Aktivitäten von jemand\n\nFavorit,Aktivitätsname\n".encode(), "not in English"),
    ],
)
def test_files_that_are_not_garmin_exports_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        garmin.parse_csv(data, tz=BERLIN)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"Distance": "abc"}, "row 3: 'Distance' is not a number: 'abc'"),
        ({"Distance": "1,5"}, "row 3: 'Distance' is not a number: '1,5'"),
        ({"Calories": "-12"}, "row 3: 'Calories' is not a number ≥ 0: '-12'"),
        ({"Moving_Time": "1:75:00"}, "row 3: 'Moving Time' is not a duration"),
        ({"Time": "an hour"}, "row 3: 'Time' is not a duration"),
        ({"Date": "01/05/2024 07:30"}, "row 3: 'Date' is not a date"),
        ({"Date": "2024-13-01 07:30:00"}, "row 3: 'Date' is not a date"),
        ({"Date": "--"}, "row 3: no 'Date'"),
        ({"Date": "9999-12-31 23:59:59"}, "row 3: 'Date' is out of range"),
        ({"Elapsed_Time": "99999:00:00"}, "row 3: 'Elapsed Time' is longer than a year"),
    ],
)
def test_one_bad_row_fails_the_file_naming_the_row(bad: dict[str, str], message: str) -> None:
    data = garmin_csv(METRIC_HEADER, run(), run(**bad), run())
    with pytest.raises(DataError) as caught:
        garmin.parse_csv(data, tz=BERLIN)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_truncated_file_is_refused() -> None:
    data = garmin_csv(METRIC_HEADER, run(), run(), quote_all=False)
    with pytest.raises(DataError, match=r"row 3: .* cells where the header has 25"):
        garmin.parse_csv(data[:-60], tz=BERLIN)


def test_detection() -> None:
    assert garmin.looks_like_garmin_csv(",".join(METRIC_HEADER).encode())
    assert garmin.looks_like_garmin_csv(b"Aktivitetstype,Dato,Favorit\n")
    assert not garmin.looks_like_garmin_csv(b"Activity ID,Activity Date,Activity Name\n")
    assert not garmin.looks_like_garmin_csv(b"id,type,start,end,duration_s\n")
    assert not garmin.looks_like_garmin_csv(bytes(range(256)))
    assert not garmin.looks_like_garmin_csv(b"")
