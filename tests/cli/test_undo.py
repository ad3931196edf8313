"""``undo``, ``restore``, and ``--json`` on the commands that change something."""

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Invoke, count_rows

from fittrack.storage import db
from fittrack.storage.undo import MAX_STEPS, Change, record

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home


def _row(db_file: Path, table: str, row_id: str) -> dict[str, Any]:
    conn = sqlite3.connect(db_file)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        assert found is not None, f"no {table} {row_id}"
        return dict(found)
    finally:
        conn.close()


def _sql(db_file: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(db_file)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def _steps(db_file: Path) -> list[str]:
    conn = sqlite3.connect(db_file)
    try:
        return [r[0] for r in conn.execute("SELECT summary FROM undo_step ORDER BY seq")]
    finally:
        conn.close()


def _mark_synced(db_file: Path) -> None:
    """What a sync leaves behind: every row in step with the server."""
    for table in ("activity", "goal", "profile"):
        _sql(db_file, f"UPDATE {table} SET change_seq = 7")


def _undo(cli: Invoke) -> str:
    result = cli("undo")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.startswith("Undid: "), result.stdout
    return result.stdout


@pytest.fixture
def run(cli_json: Callable[..., Any]) -> dict[str, Any]:
    activity: dict[str, Any] = cli_json(
        "log", "run", "5k", "27:30", "--start", "2026-11-16 07:00", "--note", "easy"
    )["activity"]
    return activity


# --- --json on the commands that change something --------------------------------------------


def test_delete_json_prints_the_deleted_activity(cli: Invoke, run: dict, db_file: Path) -> None:
    result = cli("delete", run["id"][:6], "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["id"] == run["id"]
    assert (shown["type"], shown["distance_m"], shown["note"]) == ("run", 5000.0, "easy")
    assert shown["deleted_at"] is not None
    assert shown["deleted_at"] == shown["updated_at"] != run["updated_at"]
    assert _row(db_file, "activity", run["id"])["deleted_at"] is not None


def test_delete_json_still_asks_and_an_answer_of_no_deletes_nothing(
    cli: Invoke, cli_json, run: dict
) -> None:
    result = cli("delete", run["id"][:6], "--json", input="n\n")
    assert result.exit_code == 1
    assert result.stdout == ""  # no half a document for a script to parse
    assert "Delete run" in result.stderr
    assert [a["id"] for a in cli_json("list")] == [run["id"]]


def test_goal_delete_pause_resume_json(cli: Invoke, cli_json) -> None:
    goal = cli_json("goal", "add", "20km", "--per", "week", "--type", "run")
    paused = cli_json("goal", "pause", goal["id"][:6])
    assert (paused["id"], paused["paused"]) == (goal["id"], True)
    resumed = cli_json("goal", "resume", goal["id"][:6])
    assert (resumed["id"], resumed["paused"]) == (goal["id"], False)
    result = cli("goal", "delete", goal["id"][:6], "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    deleted = json.loads(result.stdout)
    assert (deleted["id"], deleted["target"], deleted["activity_type"]) == (
        goal["id"],
        20000.0,
        "run",
    )
    assert deleted["deleted_at"] == deleted["updated_at"]
    assert cli_json("goal", "list") == []


def test_goal_delete_json_answer_no_keeps_it(cli: Invoke, cli_json) -> None:
    goal = cli_json("goal", "add", "20km", "--per", "week")
    result = cli("goal", "delete", goal["id"][:6], "--json", input="")
    assert (result.exit_code, result.stdout) == (1, "")
    assert [g["id"] for g in cli_json("goal", "list")] == [goal["id"]]


def test_profile_set_json_is_the_profile_as_it_now_stands(cli: Invoke, cli_json) -> None:
    shown = cli_json("profile", "set", "--weight", "72kg", "--timezone", "europe/berlin")
    assert shown == {
        "weight_kg": 72.0,
        "timezone": "Europe/Berlin",
        "units": "metric",
        "week_start": "monday",
        # The body figures PRODUCT.md's profile has, unset.
        "birth_date": None,
        "sex": None,
        "height_cm": None,
        "resting_hr": None,
        "max_hr": None,
    }
    shown = cli_json("profile", "set", "--week-start", "sunday")
    assert (shown["weight_kg"], shown["week_start"]) == (72.0, "sunday")
    assert cli_json("profile", "show") == shown


def test_types_add_json_is_the_new_type(cli_json) -> None:
    shown = cli_json("types", "add", "climbing", "--met", "5.8", "--alias", "bouldering")
    assert shown["slug"] == "climbing"
    assert (shown["met"], shown["aliases"], shown["builtin"]) == (5.8, ["bouldering"], False)
    assert shown in cli_json("types", "list")


def test_config_set_json_is_the_setting(cli: Invoke, cli_json, fittrack_home: Path) -> None:
    assert cli_json("config", "set", "auto_sync", "yes") == {"key": "auto_sync", "value": True}
    assert cli_json("config", "show")["auto_sync"] is True
    assert cli_json("config", "set", "auto_sync", "false") == {"key": "auto_sync", "value": False}


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["config", "set", "auto_sync", "maybe", "--json"], 2, "true or false"),
        (["config", "set", "colour", "true", "--json"], 2, "unknown setting"),
        (["profile", "set", "--weight", "heavy", "--json"], 2, "weight"),
        (["types", "add", "run", "--met", "5", "--json"], 2, "run"),
        (["delete", "zzzz", "--yes", "--json"], 2, "not an activity id"),
        (["goal", "delete", "abcd", "--yes", "--json"], 1, "no goal"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_json_commands_refuse_bad_input_in_one_line_and_write_nothing(
    cli: Invoke, fittrack_home: Path, db_file: Path, args: list[str], code: int, says: str
) -> None:
    cli("list")  # the database exists, empty
    result = cli(*args)
    assert result.exit_code == code, result.output + result.stderr
    assert result.stdout == ""
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (fittrack_home / "config.toml").exists()
    for table in ("activity", "goal", "profile", "activity_type", "undo_step"):
        assert count_rows(db_file, table) == 0


# --- undo, each kind of change ------------------------------------------------------------------


def test_nothing_to_undo_is_a_clear_error(cli: Invoke, db_file: Path) -> None:
    result = cli("undo")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: nothing to undo")
    assert count_rows(db_file, "undo_step") == 0


def test_undo_a_log_deletes_it_and_marks_it_for_sync(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    _mark_synced(db_file)
    out = _undo(cli)
    assert (
        out.strip()
        == f"Undid: logged run 5.00 km in 27:30 on 2026-11-16 07:00 (id {run['id'][:8]})"
    )
    assert cli_json("list") == []
    row = _row(db_file, "activity", run["id"])
    assert row["deleted_at"] is not None
    assert row["change_seq"] is None  # `fittrack sync` pushes the deletion
    assert row["updated_at"] == row["deleted_at"]
    assert count_rows(db_file, "undo_step") == 0


def test_undo_an_edit_puts_every_field_back(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    before = _row(db_file, "activity", run["id"])
    cli_json("edit", run["id"][:6], "6k", "33:00", "--type", "walk", "--note", "changed")
    _mark_synced(db_file)
    out = _undo(cli)
    assert "Undid: edited run 5.00 km in 27:30" in out
    assert cli_json("show", run["id"][:6]) | {"updated_at": None} == run | {
        "updated_at": None,
        "track": None,
    }
    after = _row(db_file, "activity", run["id"])
    assert after | {"updated_at": None} == before | {"updated_at": None}
    assert after["updated_at"] > before["updated_at"]  # a new change, newer than the edit
    assert after["change_seq"] is None


def test_undo_a_delete_brings_it_back_under_its_id(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    assert cli("delete", run["id"][:6], "--yes").exit_code == 0
    assert "Undid: deleted run" in _undo(cli)
    assert [a["id"] for a in cli_json("list")] == [run["id"]]
    row = _row(db_file, "activity", run["id"])
    assert (row["deleted_at"], row["change_seq"]) == (None, None)


def test_undo_a_synced_delete_brings_a_copy_back(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    """The server keeps a deleted activity deleted: a pushed deletion is undone with a copy."""
    assert cli("delete", run["id"][:6], "--yes").exit_code == 0
    _mark_synced(db_file)
    result = cli("undo", "--json")
    assert result.exit_code == 0, result.stderr
    done = json.loads(result.stdout)
    [change] = done["changes"]
    assert change["action"] == "restored_as_copy"
    [copy] = cli_json("list")
    assert copy["id"] == change["new_id"] != run["id"]
    assert (copy["start"], copy["distance_m"], copy["note"]) == (
        run["start"],
        run["distance_m"],
        run["note"],
    )
    assert _row(db_file, "activity", run["id"])["deleted_at"] is not None
    assert _row(db_file, "activity", copy["id"])["change_seq"] is None


def test_older_steps_follow_a_row_that_came_back_as_a_copy(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    cli_json("edit", run["id"][:6], "--note", "windy")
    assert cli("delete", run["id"][:6], "--yes").exit_code == 0
    _mark_synced(db_file)
    copy = json.loads(cli("undo", "--json").stdout)["changes"][0]["new_id"]
    assert cli_json("show", copy[:8])["note"] == "windy"
    assert "Undid: edited run" in _undo(cli)
    assert cli_json("show", copy[:8])["note"] == "easy"  # the edit is undone on the copy
    assert "Undid: logged run" in _undo(cli)
    assert cli_json("list") == []  # and the log: nothing comes back that undo did not undo
    assert _row(db_file, "activity", copy)["deleted_at"] is not None


@pytest.mark.parametrize(
    ("change", "summary"),
    [
        (["goal", "edit", "ID", "--target", "30km", "--name", "more"], "edited goal"),
        (["goal", "pause", "ID"], "paused goal"),
        # A deletion is undone in place only while it is not pushed (see the copy tests).
        (["goal", "delete", "ID", "--yes"], "deleted goal"),
    ],
    ids=["edit", "pause", "delete"],
)
def test_undo_a_goal_change_puts_the_goal_back(
    cli: Invoke, cli_json, db_file: Path, change: list[str], summary: str
) -> None:
    goal = cli_json("goal", "add", "20km", "--per", "week", "--type", "run")
    before = _row(db_file, "goal", goal["id"])
    _mark_synced(db_file)
    result = cli(*[goal["id"][:6] if a == "ID" else a for a in change])
    assert result.exit_code == 0, result.stderr
    if "delete" not in change:
        _mark_synced(db_file)
    assert f"Undid: {summary} 'Run 20 km a week'" in _undo(cli)
    [back] = cli_json("goal", "list")
    assert back | {"updated_at": None} == goal | {"updated_at": None}
    after = _row(db_file, "goal", goal["id"])
    assert after | {"updated_at": None, "change_seq": None} == before | {"updated_at": None}
    assert after["change_seq"] is None


def test_undo_a_resume_pauses_again_and_undo_an_add_deletes(
    cli: Invoke, cli_json, db_file: Path
) -> None:
    goal = cli_json("goal", "add", "3x", "--per", "week")
    cli_json("goal", "pause", goal["id"][:6])
    cli_json("goal", "resume", goal["id"][:6])
    assert "Undid: resumed goal" in _undo(cli)
    assert cli_json("goal", "list")[0]["paused"] is True
    assert "Undid: paused goal" in _undo(cli)
    assert cli_json("goal", "list")[0]["paused"] is False
    assert "Undid: added goal '3 workouts a week'" in _undo(cli)
    assert cli_json("goal", "list") == []
    assert _row(db_file, "goal", goal["id"])["deleted_at"] is not None


def test_a_pause_or_resume_that_changes_nothing_is_not_a_step(
    cli: Invoke, cli_json, db_file: Path
) -> None:
    goal = cli_json("goal", "add", "3x", "--per", "week")
    cli_json("goal", "resume", goal["id"][:6])  # not paused: nothing to do
    assert _steps(db_file) == ["added goal '3 workouts a week' (id " + goal["id"][:8] + ")"]


def test_undo_profile_set_step_by_step(cli: Invoke, cli_json, db_file: Path) -> None:
    cli_json("profile", "set", "--weight", "72kg", "--timezone", "Europe/Berlin")
    cli_json("profile", "set", "--weight", "75kg", "--units", "imperial")
    _mark_synced(db_file)
    assert "Undid: set the profile (weight 165.3 lb, units imperial)" in _undo(cli)
    shown = cli_json("profile", "show")
    assert (shown["weight_kg"], shown["timezone"], shown["units"]) == (
        72.0,
        "Europe/Berlin",
        "metric",
    )
    assert "Undid: set the profile (weight 72.0 kg, timezone Europe/Berlin)" in _undo(cli)
    shown = cli_json("profile", "show")
    assert (shown["weight_kg"], shown["units"], shown["week_start"]) == (None, "metric", "monday")
    conn = sqlite3.connect(db_file)
    rows = conn.execute("SELECT deleted_at, change_seq, timezone FROM profile").fetchall()
    conn.close()
    assert rows == [(None, None, None)]  # reset, live, and to be pushed


def test_undo_types_add_removes_the_type_so_it_can_be_added_again(
    cli: Invoke, cli_json, db_file: Path
) -> None:
    cli_json("types", "add", "climbing", "--met", "5.8")
    assert "Undid: added type 'climbing'" in _undo(cli)
    assert "climbing" not in [t["slug"] for t in cli_json("types", "list")]
    assert cli_json("types", "add", "climbing", "--met", "6")["met"] == 6.0


def test_undo_types_add_is_refused_while_activities_use_it_and_writes_nothing(
    cli: Invoke, cli_json, db_file: Path
) -> None:
    cli_json("types", "add", "climbing", "--met", "5.8")
    cli_json("log", "climbing", "1h30m", "--start", "2026-11-16 18:00")
    # The log of it was imported, say: not in the journal, so the type's step is the last.
    _sql(db_file, "DELETE FROM undo_step WHERE summary LIKE 'logged%'")
    result = cli("undo")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: cannot undo adding type 'climbing': 1 activity or goals use it (deleted ones too, "
        "which can be restored); nothing was undone"
    )
    assert _steps(db_file) == ["added type 'climbing'"]
    assert "climbing" in [t["slug"] for t in cli_json("types", "list")]


# --- several steps, restore ----------------------------------------------------------------------


def test_several_undos_take_back_one_step_each_newest_first(
    cli: Invoke, cli_json, db_file: Path
) -> None:
    first = cli_json("log", "run", "5k", "27:30", "--start", "2026-11-16 07:00")["activity"]
    second = cli_json("log", "ride", "20k", "1h", "--start", "2026-11-17 07:00")["activity"]
    cli_json("edit", first["id"][:6], "--note", "windy")
    assert cli("delete", second["id"][:6], "--yes").exit_code == 0
    assert len(_steps(db_file)) == 4

    assert "deleted ride" in _undo(cli)
    assert {a["id"] for a in cli_json("list")} == {first["id"], second["id"]}
    assert "edited run" in _undo(cli)
    assert cli_json("show", first["id"][:6])["note"] == ""
    assert "logged ride" in _undo(cli)
    assert [a["id"] for a in cli_json("list")] == [first["id"]]
    result = cli("undo")
    assert "logged run" in result.stdout
    assert "Nothing more to undo." in result.stderr
    assert cli_json("list") == []
    assert cli("undo").exit_code == 1


def test_undo_json(cli: Invoke, run: dict) -> None:
    assert cli("log", "walk", "3k", "40min").exit_code == 0
    result = cli("undo", "--json")
    assert result.exit_code == 0, result.stderr
    done = json.loads(result.stdout)
    assert done["undone"].startswith("logged walk 3.00 km in 40:00")
    assert done["steps_left"] == 1
    assert datetime.fromisoformat(done["made_at"]).tzinfo is not None
    [change] = done["changes"]
    assert (change["table"], change["action"]) == ("activity", "deleted")


def test_restore_brings_back_a_deleted_activity_and_is_a_step(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    assert cli("delete", run["id"][:6], "--yes").exit_code == 0
    _mark_synced(db_file)
    _sql(db_file, "UPDATE activity SET change_seq = NULL")  # the deletion is not pushed yet
    result = cli("restore", run["id"][:5])
    assert result.exit_code == 0, result.stderr
    assert "Restored run" in result.stdout
    assert [a["id"] for a in cli_json("list")] == [run["id"]]
    row = _row(db_file, "activity", run["id"])
    assert (row["deleted_at"], row["change_seq"]) == (None, None)
    assert _steps(db_file)[-1] == (
        f"restored run 5.00 km in 27:30 on 2026-11-16 07:00 (id {run['id'][:8]})"
    )

    # Undo after restore: deleted again, then undo of the delete brings it back.
    assert "Undid: restored run" in _undo(cli)
    assert cli_json("list") == []
    assert _row(db_file, "activity", run["id"])["change_seq"] is None
    assert "Undid: deleted run" in _undo(cli)
    assert [a["id"] for a in cli_json("list")] == [run["id"]]


def test_restore_of_a_synced_deletion_is_a_copy_with_a_new_id(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    assert cli("delete", run["id"][:6], "--yes").exit_code == 0
    _mark_synced(db_file)
    restored = cli_json("restore", run["id"][:6])
    assert restored["id"] != run["id"]
    assert (restored["type"], restored["start"], restored["note"]) == ("run", run["start"], "easy")
    assert _row(db_file, "activity", run["id"])["deleted_at"] is not None
    assert _row(db_file, "activity", restored["id"])["change_seq"] is None
    # The old id is still a (synced) tombstone, but its copy is in the log: no second copy.
    again = cli("restore", run["id"][:6])
    assert again.exit_code == 1
    assert "is already in the log" in again.stderr and restored["id"][:8] in again.stderr
    assert len(cli_json("list")) == 1
    # The undo step names the row it brought back: the copy.
    undone = _undo(cli)
    assert "Undid: restored run" in undone and restored["id"][:8] in undone
    assert cli_json("list") == []


@pytest.mark.parametrize(
    ("prefix", "code", "says"),
    [
        ("LIVE", 1, "is not deleted: `fittrack restore` brings back deleted activities only"),
        ("abcd", 1, "no deleted activity with an id starting 'abcd'"),
        ("zzzz", 2, "is not an activity id"),
        ("ab", 2, "at least 4 characters"),
    ],
    ids=["live", "unknown", "not-hex", "short"],
)
def test_restore_refuses_in_one_line_and_writes_nothing(
    cli: Invoke, run: dict, db_file: Path, prefix: str, code: int, says: str
) -> None:
    before = _row(db_file, "activity", run["id"])
    steps = _steps(db_file)
    result = cli("restore", run["id"][:6] if prefix == "LIVE" else prefix)
    assert result.exit_code == code
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _row(db_file, "activity", run["id"]) == before
    assert _steps(db_file) == steps


# --- consistency with sync, and the journal itself ----------------------------------------------


def test_undo_keeps_a_row_deleted_since_by_sync_deleted(
    cli: Invoke, cli_json, run: dict, db_file: Path
) -> None:
    cli_json("edit", run["id"][:6], "--note", "mine")
    # Another device deleted it, and the deletion arrived with a sync.
    _sql(
        db_file,
        "UPDATE activity SET deleted_at = updated_at, change_seq = 9 WHERE id = ?",
        run["id"],
    )
    result = cli("undo")
    assert result.exit_code == 0
    assert "kept deleted" in result.stderr
    row = _row(db_file, "activity", run["id"])
    assert row["deleted_at"] is not None
    assert (row["note"], row["change_seq"]) == ("mine", 9)  # untouched
    assert cli_json("list") == []


def test_a_damaged_step_is_refused_and_nothing_is_written(
    cli: Invoke, run: dict, db_file: Path
) -> None:
    _sql(db_file, 'UPDATE undo_step SET changes = \'[{"table": "user"}]\'')
    before = _row(db_file, "activity", run["id"])
    result = cli("undo")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "damaged" in result.stderr
    assert _row(db_file, "activity", run["id"]) == before
    assert count_rows(db_file, "undo_step") == 1


def test_a_step_naming_an_unknown_table_is_refused(cli: Invoke, run: dict, db_file: Path) -> None:
    changes = json.dumps([{"table": "app_user", "id": "x", "before": None}])
    _sql(db_file, "UPDATE undo_step SET changes = ?", changes)
    result = cli("undo")
    assert result.exit_code == 1
    assert "unknown table 'app_user'" in result.stderr
    assert count_rows(db_file, "undo_step") == 1
    assert _row(db_file, "activity", run["id"])["deleted_at"] is None


def test_the_journal_keeps_the_last_steps_only(db_file: Path) -> None:
    conn = db.connect(db_file)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    try:
        for n in range(MAX_STEPS + 5):
            with db.write(conn):
                record(conn, now, f"step {n}", [Change("activity", f"id-{n}", None)])
    finally:
        conn.close()
    steps = _steps(db_file)
    assert len(steps) == MAX_STEPS
    assert (steps[0], steps[-1]) == ("step 5", f"step {MAX_STEPS + 4}")


def test_imports_are_not_journaled(
    cli: Invoke, cli_json, run: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "backup.json"
    assert cli("export", "--format", "json", "--out", str(backup)).exit_code == 0
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "fresh"))
    assert cli("import", str(backup)).exit_code == 0
    result = cli("undo")
    assert result.exit_code == 1
    assert "nothing to undo" in result.stderr
    assert [a["id"] for a in cli_json("list")] == [run["id"]]
