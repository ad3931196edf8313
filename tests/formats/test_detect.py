"""Telling a file's format from its name and first bytes, and reading a unit with it."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, detect
from fittrack.formats.discover import Unit

OUR_CSV = (
    b"id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,note,"
    b"source,created_at,updated_at\n"
    b"00000001-2222-4222-8222-222222222222,run,2025-05-01T07:00:00+00:00,"
    b"2025-05-01T07:30:00+00:00,1800,5000,350,true,300,,csv,"
    b"2025-05-01T05:31:00.000000+00:00,2025-05-01T05:31:00.000000+00:00\n"
)
OUR_JSON = b'{"format": "fittrack", "version": 1, "activities": []}'
STRAVA = b"Activity ID,Activity Date,Activity Name,Activity Type\n"
GARMIN = b'"Activity Type","Date","Title","Distance"\n'
FIT = b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00"
GPX = b'<?xml version="1.0"?>\n<gpx version="1.1" creator="x"></gpx>'
TCX = b'<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="x"></TrainingCenterDatabase>'


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("ride.gpx", b"", "gpx"),
        ("ride.tcx.gz", b"", "tcx"),
        ("ride.fit", b"", "fit"),
        ("backup.txt", OUR_JSON, "json"),
        ("log.csv", OUR_CSV, "csv"),
        ("activities.csv", STRAVA, "strava"),
        ("activities.csv", GARMIN, "garmin"),
        ("download", FIT, "fit"),
        ("download", GPX, "gpx"),
        ("download", TCX, "tcx"),
    ],
)
def test_detect_by_name_then_by_content(name: str, data: bytes, fmt: str) -> None:
    assert detect.detect(name, data) == fmt


def test_detect_refuses_what_it_cannot_tell() -> None:
    with pytest.raises(DataError, match="give --format csv, json, gpx"):
        detect.detect("notes.txt", b"just some text\n")


@pytest.mark.parametrize(
    ("distance_m", "duration_s", "kind"),
    [(5000, 3600, "walk"), (10000, 3600, "run"), (30000, 3600, "ride"), (None, 3600, "other")],
)
def test_guess_type_from_the_speed(distance_m: float | None, duration_s: float, kind: str) -> None:
    item = ImportedActivity(
        start=datetime(2026, 1, 1, tzinfo=UTC),
        source="gpx",
        distance_m=distance_m,
        duration_s=duration_s,
    )
    assert detect.guess_type(item) == kind


def unit_of(path: Path) -> Unit:
    return Unit(str(path), path.read_bytes, path.name, path)


def test_our_csv_on_disk_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(OUR_CSV)
    read = detect.read_unit(unit_of(path), tz=UTC)
    assert read.format == "csv"
    assert isinstance(read.activities, Iterator)  # not read whole: a million rows may follow
    (activity,) = list(read.activities)
    assert activity.id == "00000001-2222-4222-8222-222222222222"
    assert read.backup is None


def test_our_csv_from_a_pipe_is_read_from_its_bytes() -> None:
    unit = Unit("/dev/stdin", lambda: OUR_CSV, "stdin")
    read = detect.read_unit(unit, "csv", tz=UTC)
    assert [a.type for a in read.activities] == ["run"]


def test_our_json_comes_with_its_backup(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_bytes(OUR_JSON)
    read = detect.read_unit(unit_of(path), tz=UTC)
    assert read.format == "json"
    assert list(read.activities) == []
    assert read.backup is not None and read.backup.goals() == []


def test_an_empty_file_and_a_wrong_format_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gpx"
    empty.write_bytes(b"  \n")
    with pytest.raises(DataError, match="the file is empty"):
        detect.read_unit(unit_of(empty), tz=UTC)
    strava = tmp_path / "activities.csv"
    strava.write_bytes(STRAVA)
    with pytest.raises(DataError, match="not a fittrack CSV"):
        detect.read_unit(unit_of(strava), "csv", tz=UTC)


def test_a_format_given_reads_bytes_named_otherwise_as_that_format() -> None:
    data = STRAVA + b'1,"Mar 4, 2024, 7:15:00 AM",Morning,Run\n'
    unit = Unit("/dev/stdin", lambda: data, "stdin")
    with pytest.raises(DataError, match="only one 'Distance' column"):  # Strava's reader's words
        detect.read_unit(unit, "strava", tz=UTC)
    with pytest.raises(DataError, match="GPX"):  # named x.gpx for the GPX reader
        detect.read_unit(unit, "gpx", tz=UTC)
