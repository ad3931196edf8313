"""Tracks through the CLI: stored on import with their activity, added on re-import, never by a
dry run or a failed file, and written back as GPX by ``export --format gpx ID``.

Until the GPX/TCX/FIT readers fill ``ImportedActivity.track``, the ``reference_tracks`` fixture
gives each activity the track gpxpy/fitdecode read from the same file (``track_files``); once
they do, it leaves their tracks alone and these tests run on theirs.
"""

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Invoke, count_rows
from tests.storage.track_files import DATA, assert_same, real_track

from fittrack import importer
from fittrack.core.track import Track
from fittrack.formats import ImportedActivity
from fittrack.formats.detect import Read
from fittrack.storage import db, tracks

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = [
    pytest.mark.migrated_home,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data at {DATA}"),
]

GPX = DATA / "gpx" / "gpxpy__korita-zbevnica.gpx"
FIT = DATA / "fit" / "fitparse__activity-small-fenix2-run.fit"

Attach = Callable[[], None]
GIVEN: list[Track] = []
"""The tracks the importer was given, in order (theirs, or the reference's)."""


@pytest.fixture
def reference_tracks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Attach]:
    """Call it to make imports of GPX and FIT files carry the reference library's track (when
    the reader gave none) and note in ``GIVEN`` each track the importer was handed."""
    real_read = importer.read_unit
    GIVEN.clear()

    def read_with_tracks(unit: Any, *args: Any, **kwargs: Any) -> Read:
        read = real_read(unit, *args, **kwargs)
        if read.format not in ("gpx", "fit") or unit.path is None:
            return read
        reference = real_track(Path(unit.path))

        def items() -> Iterator[ImportedActivity]:
            for item in read.activities:
                given = item if item.track is not None else replace(item, track=reference)
                assert given.track is not None
                GIVEN.append(given.track)
                yield given

        return replace(read, activities=items())

    def attach() -> None:
        monkeypatch.setattr(importer, "read_unit", read_with_tracks)

    yield attach
    GIVEN.clear()


def stored(db_file: Path) -> dict[str, Track | None]:
    """Each live activity's id and its stored track (None when it has none)."""
    conn = db.connect(db_file)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM activity WHERE deleted_at IS NULL")]
        return {i: tracks.load_track(conn, i) for i in ids}
    finally:
        conn.close()


def imported(cli: Invoke, *args: str) -> dict[str, Any]:
    result = cli("import", *args, "--json")
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", [GPX, FIT], ids=["gpx", "fit"])
def test_an_imported_file_keeps_its_track(
    cli: Invoke, db_file: Path, reference_tracks: Attach, path: Path
) -> None:
    reference_tracks()
    doc = imported(cli, str(path))
    assert doc["added"] == 1
    [(activity_id, track)] = stored(db_file).items()
    assert doc["ids"] == [activity_id]
    assert track is not None
    assert_same(track, GIVEN[0])  # what was parsed, to the codec's resolution
    assert count_rows(db_file, "activity_track") == 1


def test_reimporting_adds_the_track_to_the_activity_once(
    cli: Invoke, db_file: Path, reference_tracks: Attach
) -> None:
    imported(cli, str(GPX))  # as fittrack 0.x did: the totals only
    conn = sqlite3.connect(db_file)
    conn.execute("DELETE FROM activity_track")  # whatever the reader gave, start without one
    conn.commit()
    conn.close()
    [(first_id, none)] = stored(db_file).items()
    assert none is None

    reference_tracks()
    dry = cli("import", str(GPX), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 track added to an existing activity" in dry.stdout
    assert count_rows(db_file, "activity_track") == 0

    again = cli("import", str(GPX))
    assert again.exit_code == 0, again.output
    assert "Imported 0 activities; 1 track added to an existing activity." in again.stdout
    [(same_id, track)] = stored(db_file).items()
    assert same_id == first_id and track is not None
    assert_same(track, GIVEN[-1])

    third = imported(cli, str(GPX))
    assert (third["added"], third["skipped"], third["files"][0]["tracks_added"]) == (0, 1, 0)
    assert count_rows(db_file) == 1
    assert count_rows(db_file, "activity_track") == 1


def test_a_dry_run_writes_no_track(cli: Invoke, db_file: Path, reference_tracks: Attach) -> None:
    reference_tracks()
    cli("list")  # the database exists, so what the dry run leaves can be counted
    result = cli("import", str(GPX), str(FIT), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would import 2 activities" in result.stdout
    assert count_rows(db_file) == 0
    assert count_rows(db_file, "activity_track") == 0


def test_a_file_that_fails_after_its_track_was_saved_leaves_nothing(
    cli: Invoke, db_file: Path, reference_tracks: Attach, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference_tracks()
    with_tracks = importer.read_unit

    def then_a_bad_one(unit: Any, *args: Any, **kwargs: Any) -> Read:
        read = with_tracks(unit, *args, **kwargs)
        good = list(read.activities)
        # A second activity an hour later that no workout could be: the file fails on it,
        # after the first one and its track were written.
        bad = replace(good[0], start=good[0].start + timedelta(hours=1), distance_m=-5.0)
        return replace(read, activities=[*good, bad])

    monkeypatch.setattr(importer, "read_unit", then_a_bad_one)
    result = cli("import", str(GPX), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["error"].endswith("impossible distance (-5)")
    assert count_rows(db_file) == 0
    assert count_rows(db_file, "activity_track") == 0


def test_a_damaged_file_adds_no_activity_and_no_track(
    cli: Invoke, db_file: Path, reference_tracks: Attach, tmp_path: Path
) -> None:
    reference_tracks()
    cut = tmp_path / "cut.gpx"
    cut.write_bytes(GPX.read_bytes()[:5000])
    result = cli("import", str(cut))
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert count_rows(db_file) == 0
    assert count_rows(db_file, "activity_track") == 0


# ---- export --format gpx ----------------------------------------------------------------------


def test_export_gpx_round_trips_through_gpxpy_and_fittrack(
    cli: Invoke,
    cli_json: Callable[..., Any],
    reference_tracks: Attach,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gpxpy

    reference_tracks()
    [activity_id] = imported(cli, str(GPX))["ids"]
    [original] = cli_json("list")
    out = tmp_path / "out.gpx"
    out.write_text("an older export")  # replaced, as the other formats do
    result = cli("export", "--format", "gpx", activity_id[:8], "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert f"to {out}" in result.stderr

    with open(out, encoding="utf-8") as stream:
        written = gpxpy.parse(stream)
    points = [p for t in written.tracks for s in t.segments for p in s.points]
    source = GIVEN[0]
    assert len(points) == sum(1 for lat in source.lat or () if lat is not None)
    assert written.tracks[0].type == original["type"]
    positioned = [i for i, lat in enumerate(source.lat or ()) if lat is not None]
    assert [(p.latitude, p.longitude) for p in points] == [
        pytest.approx((source.lat[i], source.lon[i]), abs=1e-7)  # type: ignore[index]
        for i in positioned
    ]

    # Into a fresh log the export imports as the same activity, to 0.5 % of its distance.
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "fresh"))
    again = imported(cli, str(out))
    assert again["added"] == 1
    [copy] = cli_json("list")
    assert copy["type"] == original["type"]
    assert copy["start"] == original["start"]
    assert copy["distance_m"] == pytest.approx(original["distance_m"], rel=0.005)


def test_export_gpx_to_stdout(cli: Invoke, reference_tracks: Attach) -> None:
    reference_tracks()
    [activity_id] = imported(cli, str(GPX))["ids"]
    result = cli("export", "-F", "gpx", activity_id)
    assert result.exit_code == 0
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert result.stdout.count("<trkpt ") > 800


def test_export_gpx_refuses_what_it_cannot_write(
    cli: Invoke, cli_json: Callable[..., Any], tmp_path: Path
) -> None:
    assert cli("log", "run", "5k", "25:00").exit_code == 0
    [manual] = cli_json("list")
    out = tmp_path / "run.gpx"
    cases = [
        (("export", "--format", "gpx", manual["id"][:6], "--out", str(out)), 1, "has no track"),
        (("export", "--format", "gpx", "ffffffff", "--out", str(out)), 1, "ffffffff"),
        (("export", "--format", "gpx", "--out", str(out)), 2, "give its ID"),
        (("export", manual["id"][:6], "--out", str(out)), 2, "as GPX only"),
        (("export", "-F", "gpx", manual["id"][:6], "--from", "2026-01-01"), 2, "--from"),
    ]
    for args, code, words in cases:
        result = cli(*args)
        assert result.exit_code == code, (args, result.output, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not out.exists() and not out.with_name("run.gpx.partial").exists()


def test_a_repeat_inside_one_file_leaves_one_activity_and_one_track(
    cli: Invoke, db_file: Path, reference_tracks: Attach, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference_tracks()
    with_tracks = importer.read_unit

    def twice(unit: Any, *args: Any, **kwargs: Any) -> Read:
        read = with_tracks(unit, *args, **kwargs)
        [item] = list(read.activities)
        echo = replace(item, start=item.start + timedelta(seconds=10))
        return replace(read, activities=[item, echo])

    monkeypatch.setattr(importer, "read_unit", twice)
    doc = imported(cli, str(GPX))  # into an empty log: the batch insert, then the sweep
    assert (doc["added"], doc["skipped"]) == (1, 1)
    [(activity_id, track)] = stored(db_file).items()
    assert doc["ids"] == [activity_id] and track is not None
    assert count_rows(db_file, "activity_track") == 1
