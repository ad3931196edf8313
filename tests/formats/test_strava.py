"""Strava bulk export: the zip, its folder, the activity files read for what the CSV lacks."""

import gzip
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.formats.strava_support import current_csv, row, utc

from fittrack.errors import DataError
from fittrack.formats import strava

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
