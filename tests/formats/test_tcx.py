"""TCX import: the real files of shared/data/tcx with the MANIFEST's lap totals; bad input.

Lap totals are the file's own stored numbers, so they are compared exactly (to float summing).
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, parse_by_name, tcx

DATA = Path(__file__).parents[3] / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (DATA / "tcx").is_dir(),
    reason=f"real activity files not found at {DATA} (shared/ must sit beside the repository)",
)

NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def read(name: str) -> bytes:
    return (DATA / "tcx" / name).read_bytes()


def one(name: str) -> ImportedActivity:
    activities = tcx.parse(read(name), name)
    assert len(activities) == 1
    activity = activities[0]
    assert activity.source == "tcx"
    assert activity.start.tzinfo is UTC
    assert activity.end is not None and activity.end.tzinfo is UTC
    return activity


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def exactly(value: float) -> object:
    # Sums of the stored lap values: equal up to the last bit of float addition.
    return pytest.approx(value, rel=1e-12, abs=1e-9)


# --- the MANIFEST's files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tcxparser__test.tcx", "tcxparser__no_hr.tcx"])
def test_tcxparser_running(name: str) -> None:
    activity = one(name)
    assert (activity.type, activity.sport) == ("run", "Running")
    assert activity.start == utc("2012-12-26T21:29:53")
    assert activity.end == utc("2012-12-26T22:03:05")
    assert activity.duration_s == exactly(608.47 + 669.51 + 714.80)
    assert activity.duration_s == exactly(1992.78)
    assert activity.distance_m == exactly(4689.24267578)  # the 3 laps [S]
    assert activity.calories_kcal == 379
    assert activity.note == "Aerobics"
    assert activity.warnings == ()


def test_mapmyride_biking_on_one_line() -> None:
    activity = one("tcxreader__mapmyride_biking.tcx")
    assert (activity.type, activity.sport) == ("ride", "Biking")
    assert activity.start == utc("2022-11-12T15:58:25")
    assert activity.duration_s == 3111.0
    assert activity.distance_m == exactly(15350.42196864)
    assert activity.distance_m == pytest.approx(15350.42, abs=0.005)
    assert activity.calories_kcal == 457.99999973619197
    # "+00:00" with 6-digit fractions
    assert activity.end is not None and activity.end.microsecond != 0


def test_firefly_running_15_laps() -> None:
    activity = one("firefly__running_activity_1.tcx")
    assert activity.type == "run"
    assert activity.start == utc("2014-12-26T10:00:39")
    assert activity.end == utc("2014-12-26T10:55:09")
    assert activity.duration_s == exactly(3270.0)
    assert activity.distance_m == exactly(14332.28)
    assert activity.calories_kcal == 1182


@pytest.mark.parametrize(
    ("name", "duration", "distance", "start", "end"),
    [
        ("firefly__pool_swim-activity_1.tcx", 1530.668, 1500.0, "2022-08-26T16:35:13", None),
        (
            "firefly__walking_activity_1.tcx",
            4495.153,
            3988.82,
            "2018-10-01T15:00:44",
            "2018-10-01T16:15:39",
        ),
    ],
)
def test_sport_other_names_no_type(
    name: str, duration: float, distance: float, start: str, end: str | None
) -> None:
    activity = one(name)
    # "Other" says nothing about the sport: the importer applies --type or guesses from the speed.
    assert (activity.type, activity.sport, activity.warnings) == (None, "Other", ())
    assert activity.duration_s == exactly(duration)
    assert activity.distance_m == exactly(distance)
    assert activity.calories_kcal == 329
    assert activity.start == utc(start)
    if end is not None:
        assert activity.end == utc(end)
    assert activity.end is not None and activity.end >= activity.start


def test_parse_by_name_reads_gzipped_tcx() -> None:
    import gzip

    [activity] = parse_by_name("run.tcx.gz", gzip.compress(read("tcxparser__test.tcx")))
    assert activity.calories_kcal == 379


# --- structure and sports on small files --------------------------------------------------------


def _lap(
    start: str, seconds: float | str, metres: float, kcal: int | None = None, track: str = ""
) -> str:
    calories = f"<Calories>{kcal}</Calories>" if kcal is not None else ""
    return (
        f'<Lap StartTime="{start}"><TotalTimeSeconds>{seconds}</TotalTimeSeconds>'
        f"<DistanceMeters>{metres}</DistanceMeters>{calories}{track}</Lap>"
    )


def _activity(sport: str, start: str, *laps: str) -> str:
    return f'<Activity Sport="{sport}"><Id>{start}</Id>{"".join(laps)}</Activity>'


def _tcx(inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="{NS}">'
        f"{inner}</TrainingCenterDatabase>"
    ).encode()


def test_multisport_session_is_one_activity_per_sport() -> None:
    swim = _activity("Other", "2018-05-27T07:33:01Z", _lap("2018-05-27T07:33:01Z", 1987.5, 1644.7))
    bike = _activity("Biking", "2018-05-27T08:10:00Z", _lap("2018-05-27T08:10:00Z", 4422.1, 40909))
    run = _activity("Running", "2018-05-27T09:23:41Z", _lap("2018-05-27T09:23:41Z", 2850.7, 9805.9))
    transition = _lap("2018-05-27T08:06:00Z", 170.3, 0.0)
    data = _tcx(
        "<Activities><MultiSportSession><Id>2018-05-27T07:33:01Z</Id>"
        f"<FirstSport>{swim}</FirstSport>"
        f"<NextSport><Transition>{transition}</Transition>{bike}</NextSport>"
        f"<NextSport><Transition>{transition}</Transition>{run}</NextSport>"
        "</MultiSportSession></Activities>"
    )
    activities = tcx.parse(data)
    assert [a.type for a in activities] == [None, "ride", "run"]
    assert [a.duration_s for a in activities] == [1987.5, 4422.1, 2850.7]  # no transitions
    assert activities[2].start == utc("2018-05-27T09:23:41")
    # No trackpoints: the end is when the last lap's timer stopped.
    assert activities[2].end == utc("2018-05-27T10:11:11.700000")


def test_calories_none_when_no_lap_has_any_and_id_fallback() -> None:
    lap = _lap("2020-01-01T08:00:00Z", 600, 2000)
    data = _tcx(
        f'<Activities><Activity Sport="Running"><Id>My run</Id>{lap}</Activity></Activities>'
    )
    [activity] = tcx.parse(data)
    assert activity.calories_kcal is None
    assert activity.start == utc("2020-01-01T08:00:00")  # <Id> is not a time: first lap's start


@pytest.mark.parametrize(
    ("sport", "slug", "warned"),
    [("Running", "run", False), ("Biking", "ride", False), ("Paragliding", "paragliding", False)],
)
def test_sport_attribute_mapping(sport: str, slug: str, warned: bool) -> None:
    lap = _lap("2020-01-01T08:00:00+01:00", 600, 2000, 50)
    [activity] = tcx.parse(_tcx(f"<Activities>{_activity(sport, '', lap)}</Activities>"))
    assert activity.type == slug
    assert bool(activity.warnings) is warned
    assert activity.start == utc("2020-01-01T07:00:00")


def test_seven_digit_fractions_and_naive_times_are_utc() -> None:
    point = "<Track><Trackpoint><Time>2020-01-01T08:10:00.1234567Z</Time></Trackpoint></Track>"
    lap = _lap("2020-01-01T08:00:00", 600, 2000, 50, point)
    [activity] = tcx.parse(_tcx(f"<Activities>{_activity('Running', '', lap)}</Activities>"))
    assert activity.start == utc("2020-01-01T08:00:00")
    assert activity.end == utc("2020-01-01T08:10:00.123456")


# --- broken and hostile input -------------------------------------------------------------------


def refused(data: bytes) -> str:
    with pytest.raises(DataError) as caught:
        tcx.parse(data, "broken.tcx")
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_empty_file() -> None:
    assert "empty" in refused(b"")


def test_binary_garbage() -> None:
    assert "not XML" in refused(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert "not XML" in refused((DATA / "fit" / "fitparse__garmin-fenix-5-bike.fit").read_bytes())


def test_truncated_file() -> None:
    data = read("firefly__walking_activity_1.tcx")
    assert "truncated or malformed XML at line" in refused(data[: len(data) // 2])


def test_gpx_and_json_are_not_tcx() -> None:
    gpx = (DATA / "gpx" / "gpxgo__file.gpx").read_bytes()
    assert "not a TCX file: no <TrainingCenterDatabase> root" in refused(gpx)
    assert "not a TCX file" in refused(b'[{"id": 1, "type": "run"}]')


def test_no_activity_and_no_lap() -> None:
    assert "no activity" in refused(_tcx("<Courses><Course><Name>Loop</Name></Course></Courses>"))
    lapless = '<Activity Sport="Running"><Id>2020-01-01T08:00:00Z</Id></Activity>'
    assert "no laps" in refused(_tcx(f"<Activities>{lapless}</Activities>"))


@pytest.mark.parametrize(
    "lap",
    [
        _lap("2020-01-01T08:00:00Z", "ten", 2000),
        _lap("2020-01-01T08:00:00Z", 600, -5),
        _lap("2020-01-01T08:00:00Z", 600, float("nan")),
        _lap("soon", 600, 2000),
    ],
)
def test_bad_lap_values(lap: str) -> None:
    activity = _activity("Running", "", lap)
    refused(_tcx(f"<Activities>{activity}</Activities>"))


def test_billion_laughs_is_refused_at_its_dtd() -> None:
    lol = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">'
        for i in range(10)
    )
    data = (
        f'<?xml version="1.0"?><!DOCTYPE TrainingCenterDatabase [{lol}]>'
        f'<TrainingCenterDatabase xmlns="{NS}"><Activities><Activity Sport="Running">'
        "<Id>2020-01-01T08:00:00Z</Id><Notes>&lol9;</Notes></Activity></Activities>"
        "</TrainingCenterDatabase>"
    ).encode()
    # Refused at the DTD, before any entity is expanded (a wall clock here would only say how
    # busy the machine is).
    message = refused(data)
    assert "entity" in message and "DTD" in message


def test_external_entity_is_refused() -> None:
    data = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<TrainingCenterDatabase xmlns="{NS}"><Activities><Activity Sport="Running">'
        "<Id>2020-01-01T08:00:00Z</Id><Notes>&x;</Notes>"
        f"{_lap('2020-01-01T08:00:00Z', 60, 100)}</Activity></Activities></TrainingCenterDatabase>"
    ).encode()
    assert "entity" in refused(data)
