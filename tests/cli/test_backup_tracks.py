"""The JSON backup keeps tracks: ``export --format json`` writes each track's stored bytes, and
``import`` restores them with their activities, all or nothing per file.

Real files (a GPX run and a FIT run from shared/data) go into one home; the backup goes into a
fresh one, and what ``show``, ``status`` and the stored rows say must be the same there.
"""

import base64
import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.formats.real_files import DATA
from tests.helpers import Invoke, count_rows

GPX = DATA / "gpx" / "gpxpy__korita-zbevnica.gpx"  # a run on 3 October 2010, with elevation
FIT = DATA / "fit" / "fitparse__activity-small-fenix2-run.fit"  # a run on 15 August 2015

pytestmark = pytest.mark.skipif(not GPX.exists(), reason=f"no shared data at {DATA}")

Json = Callable[..., Any]


def track_rows(db_file: Path) -> dict[str, tuple[Any, ...]]:
    """Each stored track by activity id: its bytes, samples and figures cache."""
    conn = sqlite3.connect(db_file)
    try:
        return {
            row[0]: tuple(row[1:])
            for row in conn.execute(
                "SELECT activity_id, data, samples, elevation_gain_m, best_efforts, figures "
                "FROM activity_track"
            )
        }
    finally:
        conn.close()


def updated(db_file: Path) -> list[tuple[str, str]]:
    """Every track's id and ``updated_at``: what a second import must not touch."""
    conn = sqlite3.connect(db_file)
    try:
        return sorted(conn.execute("SELECT activity_id, updated_at FROM activity_track"))
    finally:
        conn.close()


def export(cli: Invoke, out: Path, *args: str) -> dict[str, Any]:
    result = cli("export", "--format", "json", "--out", str(out), *args)
    assert result.exit_code == 0, result.output + result.stderr
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class Log:
    """The home the backup is made in: two tracked runs, a manual one, an elevation goal."""

    def __init__(self, cli: Invoke, cli_json: Json, db_file: Path, tmp_path: Path) -> None:
        assert cli("profile", "set", "--timezone", "UTC").exit_code == 0
        doc = cli_json("import", str(GPX), str(FIT), "--type", "run")
        assert (doc["added"], doc["failed"]) == (2, 0)
        self.tracked = sorted(doc["ids"])
        logged = cli_json("log", "run", "5k", "30:00", "--start", "2010-10-04 07:00")
        self.manual = logged["activity"]["id"]
        self.goal = cli_json(
            "goal", "add", "2000m", "--per", "month", "--type", "run", "--metric", "elevation",
            "--start", "2010-10-01",
        )  # fmt: skip
        self.shown = {i: cli_json("show", i)["track"] for i in self.tracked}
        self.status = cli_json("status", "--date", "2010-10-05")["goals"]
        self.rows = track_rows(db_file)
        self.path = tmp_path / "backup.json"
        self.document = export(cli, self.path)


@pytest.fixture
def log(cli: Invoke, cli_json: Json, db_file: Path, tmp_path: Path) -> Log:
    return Log(cli, cli_json, db_file, tmp_path)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Call after the backup is made: later commands use a new, empty home; its database."""
    home = tmp_path / "fresh"
    monkeypatch.setenv("FITTRACK_HOME", str(home))
    return home / "fittrack.db"


def test_the_backup_holds_each_track_as_stored(log: Log) -> None:
    entries = log.document["tracks"]
    assert [e["activity_id"] for e in entries] == log.tracked  # by id; the manual run has none
    assert log.manual not in {e["activity_id"] for e in entries}
    for entry in entries:
        assert set(entry) == {"activity_id", "data"}
        assert base64.b64decode(entry["data"]) == log.rows[entry["activity_id"]][0]
    assert log.document["version"] == 1


def test_export_window_takes_only_the_tracks_of_its_activities(
    cli: Invoke, log: Log, tmp_path: Path
) -> None:
    part = export(cli, tmp_path / "2015.json", "--from", "2015-01-01")
    [activity] = part["activities"]
    assert [e["activity_id"] for e in part["tracks"]] == [activity["id"]]
    assert activity["source"] == "fit"


def test_a_backup_restores_tracks_shows_and_goals_in_a_fresh_home(
    cli: Invoke, cli_json: Json, log: Log, fresh: Path, tmp_path: Path
) -> None:
    doc = cli_json("import", str(log.path))
    assert (doc["added"], doc["failed"]) == (3, 0)
    assert doc["files"][0]["tracks"] == 2
    assert {i: cli_json("show", i)["track"] for i in log.tracked} == log.shown
    assert cli_json("show", log.manual).get("track") is None
    status = cli_json("status", "--date", "2010-10-05")["goals"]
    assert status == log.status
    assert status[0]["current"] > 100  # the GPX run's climb, not 0
    # The same bytes, and the figures cache computed as an imported file's is.
    assert track_rows(fresh) == log.rows

    again = export(cli, tmp_path / "again.json")
    assert again.pop("exported_at") != "" and log.document.pop("exported_at") != ""
    assert again == log.document


def test_importing_a_backup_twice_changes_nothing(
    cli: Invoke, cli_json: Json, log: Log, db_file: Path
) -> None:
    before = updated(db_file)
    doc = cli_json("import", str(log.path))  # into the home it came from
    assert (doc["added"], doc["skipped"], doc["failed"]) == (0, 3, 0)
    assert (doc["files"][0]["tracks"], doc["files"][0]["tracks_added"]) == (0, 0)
    assert updated(db_file) == before
    assert track_rows(db_file) == log.rows


def test_a_backup_without_tracks_still_imports_and_a_later_one_adds_them(
    cli: Invoke, cli_json: Json, log: Log, fresh: Path, tmp_path: Path
) -> None:
    older = dict(log.document)
    del older["tracks"]  # as fittrack wrote it before tracks were exported
    doc = cli_json("import", str(write(tmp_path / "older.json", older)))
    assert (doc["added"], doc["failed"]) == (3, 0)
    assert count_rows(fresh, "activity_track") == 0
    assert cli_json("status", "--date", "2010-10-05")["goals"][0]["current"] == 0

    # The full backup then adds each track to its activity, as re-importing a GPX file does.
    result = cli("import", str(log.path))
    assert result.exit_code == 0, result.output
    assert "Imported 0 activities; 2 tracks added to existing activities, 1 skipped" in (
        result.stdout
    )
    assert track_rows(fresh) == log.rows
    assert {i: cli_json("show", i)["track"] for i in log.tracked} == log.shown
    assert cli_json("status", "--date", "2010-10-05")["goals"] == log.status


def test_a_track_for_an_activity_here_but_not_in_the_file_is_added(
    cli: Invoke, cli_json: Json, log: Log, fresh: Path, tmp_path: Path
) -> None:
    without = dict(log.document, tracks=[])
    cli_json("import", str(write(tmp_path / "bare.json", without)))
    only_tracks = dict(log.document, activities=[], goals=[])
    result = cli("import", str(write(tmp_path / "tracks.json", only_tracks)))
    assert result.exit_code == 0, result.output
    # No row of the file was skipped for them: the summary says nothing was.
    assert "Imported 0 activities; 2 tracks added to existing activities." in result.stdout
    assert track_rows(fresh) == log.rows


def test_forced_the_tracks_go_with_the_new_ids(cli_json: Json, log: Log, db_file: Path) -> None:
    doc = cli_json("import", str(log.path), "--force")
    assert (doc["added"], doc["files"][0]["tracks"]) == (3, 2)
    new = set(doc["ids"])
    assert not new & set(log.tracked)
    assert {i for i in track_rows(db_file) if i in new} == {
        i for i in new if cli_json("show", i).get("track") is not None
    }
    assert len(track_rows(db_file)) == 4


def test_a_dry_run_counts_the_tracks_and_writes_nothing(
    cli: Invoke, cli_json: Json, log: Log, fresh: Path, tmp_path: Path
) -> None:
    doc = cli_json("import", str(log.path), "--dry-run")
    assert (doc["added"], doc["files"][0]["tracks"], doc["dry_run"]) == (3, 2, True)
    assert count_rows(fresh) == 0
    assert count_rows(fresh, "activity_track") == 0

    without = dict(log.document, tracks=[])
    cli_json("import", str(write(tmp_path / "bare.json", without)))
    dry = cli("import", str(log.path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "2 tracks added to existing activities" in dry.stdout
    assert count_rows(fresh, "activity_track") == 0


def _entry(document: dict[str, Any], activity_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in document["tracks"] if e["activity_id"] == activity_id)
    return entry


def _damage(document: dict[str, Any], case: str, fit_id: str) -> str:
    """Damage the FIT run's track entry (its activity comes second, so the GPX run's track is
    already saved in the file's transaction when it fails); the words the error must have."""
    entry = _entry(document, fit_id)
    stored = base64.b64decode(entry["data"])
    where = f"track 1 (activity {fit_id})"
    if case == "not base64":
        entry["data"] = "this is not base64!"
        return f"{where}: 'data' is not base64"
    if case == "not ascii":
        entry["data"] = "ÄÖÜ"
        return f"{where}: 'data' is not base64"
    if case == "damaged bytes":
        entry["data"] = base64.b64encode(stored[:1] + b"\x00" * 40).decode()
        return f"{where}: the track is damaged"
    if case == "cut short":
        entry["data"] = base64.b64encode(stored[: len(stored) // 2]).decode()
        return f"{where}: the track is damaged (cut short)"
    if case == "empty":
        entry["data"] = ""
        return f"{where}: the track is damaged (empty)"
    if case == "newer layout":
        entry["data"] = base64.b64encode(b"\x09" + stored[1:]).decode()
        return f"{where}: the track has version 9"
    if case == "unknown activity":
        stranger = str(uuid.uuid4())
        document["tracks"].append({"activity_id": stranger, "data": entry["data"]})
        return f"track 3 (activity {stranger}): no activity has this id, in the file or here"
    if case == "id not a uuid":
        entry["activity_id"] = "run-1"
        return "track 1: 'activity_id' must be an activity's id, not 'run-1'"
    if case == "id a number":
        entry["activity_id"] = 5
        return "track 1: 'activity_id' must be an activity's id, not 5"
    if case == "data a number":
        entry["data"] = 12
        return f"{where}: 'data' must be base64 text, not int"
    if case == "no data":
        del entry["data"]
        return f"{where}: 'data' must be base64 text, not nothing"
    if case == "entry a string":
        document["tracks"].append("a track")
        return "track 3 is not an object"
    if case == "twice":
        document["tracks"].append(dict(entry))
        return f"track 3 (activity {fit_id}): a second track for activity {fit_id}"
    assert case == "tracks not a list"
    document["tracks"] = {"activity_id": fit_id}
    return '"tracks" is not a list'


CASES = [
    "not base64",
    "not ascii",
    "damaged bytes",
    "cut short",
    "empty",
    "newer layout",
    "unknown activity",
    "id not a uuid",
    "id a number",
    "data a number",
    "no data",
    "entry a string",
    "twice",
    "tracks not a list",
]


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_track_entry_fails_the_file_with_one_line_and_writes_nothing(
    cli: Invoke, log: Log, fresh: Path, tmp_path: Path, case: str
) -> None:
    document = json.loads(log.path.read_text(encoding="utf-8"))
    fit_id = next(a["id"] for a in document["activities"] if a["source"] == "fit")
    if case not in ("unknown activity", "entry a string", "twice", "tracks not a list"):
        # The damaged entry first in the list: its position is in the message.
        document["tracks"].sort(key=lambda e: e["activity_id"] != fit_id)
    words = _damage(document, case, fit_id)
    bad = write(tmp_path / "bad.json", document)
    cli("list")  # the fresh database exists, so what the failed import leaves can be counted

    result = cli("import", str(bad), "--json")
    assert result.exit_code == 1, result.output
    [report] = json.loads(result.stdout)["files"]
    assert words in report["error"], report["error"]
    assert "\n" not in report["error"]
    assert (report["added"], report["failed"]) == (0, 1)
    for table in ("activity", "activity_track", "goal", "profile"):
        assert count_rows(fresh, table) == 0, table

    shown = cli("import", str(bad))
    assert shown.exit_code == 1
    assert "Traceback" not in shown.output + shown.stderr
    assert "1 file failed" in shown.stdout


def test_a_damaged_track_fails_the_file_even_where_the_activity_keeps_its_own(
    cli: Invoke, log: Log, db_file: Path, tmp_path: Path
) -> None:
    document = json.loads(log.path.read_text(encoding="utf-8"))
    fit_id = next(a["id"] for a in document["activities"] if a["source"] == "fit")
    _entry(document, fit_id)["data"] = base64.b64encode(b"\x02 not zlib").decode()
    before = updated(db_file)
    result = cli("import", str(write(tmp_path / "bad.json", document)), "--json")
    assert result.exit_code == 1
    assert "the track is damaged" in json.loads(result.stdout)["files"][0]["error"]
    assert updated(db_file) == before
