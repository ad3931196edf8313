"""``list``, ``show``, ``edit``, ``delete``."""

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home


@pytest.fixture
def three(cli_json) -> list[dict]:
    """A run, a ride and a walk on three days of one week."""
    return [
        cli_json("log", "run", "5k", "27:30", "--start", "2026-11-16 07:00")["activity"],
        cli_json(
            "log",
            "ride",
            "30k",
            "1h",
            "--start",
            "2026-11-17 18:00",
            "--note",
            'hills, "steep"\nand cold',
        )["activity"],
        cli_json("log", "walk", "3km", "40min", "--start", "2026-11-18 12:00")["activity"],
    ]


def test_list_is_newest_first(cli_json, three: list[dict]) -> None:
    assert [a["id"] for a in cli_json("list")] == [a["id"] for a in reversed(three)]


def test_list_table_shows_each_activity(cli: Invoke, three: list[dict]) -> None:
    result = cli("list")
    assert result.exit_code == 0
    for activity in three:
        assert activity["id"][:8] in result.stdout
    assert "30.00 km" in result.stdout
    assert "1:00:00" in result.stdout


def test_list_filters_by_days_type_and_limit(cli_json, three: list[dict]) -> None:
    run, ride, walk = three
    assert [a["id"] for a in cli_json("list", "--from", "2026-11-17")] == [walk["id"], ride["id"]]
    assert [a["id"] for a in cli_json("list", "--to", "20261117")] == [ride["id"], run["id"]]
    assert [a["id"] for a in cli_json("list", "--type", "bike")] == [ride["id"]]
    assert [a["id"] for a in cli_json("list", "--type", "run", "--type", "walk")] == [
        walk["id"],
        run["id"],
    ]
    assert [a["id"] for a in cli_json("list", "--limit", "1")] == [walk["id"]]


def test_list_table_says_when_more_are_hidden(cli: Invoke, three: list[dict]) -> None:
    result = cli("list", "--limit", "2")
    assert three[0]["id"][:8] not in result.stdout
    assert "--limit 0" in result.stderr


def test_list_csv_keeps_awkward_notes(cli: Invoke, three: list[dict]) -> None:
    result = cli("list", "--csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[1]["note"] == 'hills, "steep"\nand cold'
    assert rows[1]["start"] == three[1]["start"]


def test_list_of_nothing_is_friendly(cli: Invoke, cli_json) -> None:
    assert "No activities yet" in cli("list").stdout
    assert cli_json("list") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "2026-13-01"),
        (["--to", "soon"], "soon"),
        (["--from", "2026-11-20", "--to", "2026-11-01"], "before"),
        (["--type", "rnu"], "did you mean 'run'"),
        (["--limit", "-1"], "--limit"),
        (["--json", "--csv"], "one of"),
    ],
)
def test_list_refuses_bad_input(cli: Invoke, args: list[str], message: str) -> None:
    result = cli("list", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_show_by_prefix(cli: Invoke, cli_json, three: list[dict]) -> None:
    ride = three[1]
    assert cli_json("show", ride["id"][:6]) == ride | {"track": None}
    result = cli("show", ride["id"][:8].upper())
    assert result.exit_code == 0
    assert ride["id"] in result.stdout
    assert "steep" in result.stdout


@pytest.mark.parametrize(
    ("prefix", "code", "message"),
    [("abc", 2, "at least 4"), ("zzzz", 2, "not an activity id"), ("ffffffff", 1, "no activity")],
)
def test_show_refuses_short_bad_or_unknown_ids(
    cli: Invoke, three: list[dict], prefix: str, code: int, message: str
) -> None:
    result = cli("show", prefix)
    assert result.exit_code == code
    assert message in result.stderr


def test_show_ambiguous_prefix_asks_for_more(cli: Invoke, cli_json, db_file: Path) -> None:
    ids = [cli_json("log", "run", "5k", "25:00", "--force")["activity"]["id"] for _ in range(2)]
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE activity SET id = 'abcd' || substr(id, 5) WHERE id = ?", (ids[0],))
    conn.execute("UPDATE activity SET id = 'abcd' || substr(id, 5) WHERE id = ?", (ids[1],))
    conn.commit()
    result = cli("show", "abcd")
    assert result.exit_code == 2
    assert "matches 2 activities" in result.stderr


def test_edit_changes_only_what_is_given(cli_json, three: list[dict]) -> None:
    run = three[0]
    edited = cli_json("edit", run["id"][:8], "5.2k")["activity"]
    assert edited["id"] == run["id"]
    assert edited["distance_m"] == 5200
    assert edited["duration_s"] == run["duration_s"]
    assert edited["start"] == run["start"]
    assert edited["created_at"] == run["created_at"]
    assert edited["updated_at"] > run["updated_at"]
    assert cli_json("show", run["id"]) == edited | {"track": None}


def test_edit_type_and_duration_estimates_calories_again(cli_json, three: list[dict]) -> None:
    walk = three[2]
    edited = cli_json("edit", walk["id"], "--type", "hike", "--duration", "1h")["activity"]
    assert edited["type"] == "hike"
    assert edited["duration_s"] == 3600
    assert edited["end"] == "2026-11-18T13:00:00" + walk["end"][-6:]
    assert edited["calories_kcal"] > walk["calories_kcal"]


def test_edit_keeps_given_calories(cli_json, three: list[dict]) -> None:
    run = three[0]
    cli_json("edit", run["id"], "--calories", "400")
    edited = cli_json("edit", run["id"], "--note", "tempo")["activity"]
    assert (edited["calories_kcal"], edited["calories_estimated"]) == (400, False)
    assert edited["note"] == "tempo"


def test_edit_new_start_moves_the_activity(cli_json, three: list[dict]) -> None:
    run = three[0]
    edited = cli_json("edit", run["id"], "--start", "2026-11-16 18:00")["activity"]
    assert edited["start"].startswith("2026-11-16T18:00:00")
    assert edited["duration_s"] == run["duration_s"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change"),
        (["--type", "rnu"], "did you mean"),
        (["-1k"], "-1k"),
        (["--end", "2026-11-16 06:00"], "not after"),
    ],
)
def test_edit_refuses_bad_input_and_changes_nothing(
    cli: Invoke, cli_json, three: list[dict], args: list[str], message: str
) -> None:
    run = three[0]
    result = cli("edit", run["id"], *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert cli_json("show", run["id"]) == run | {"track": None}


def test_delete_asks_then_tombstones(
    cli: Invoke, cli_json, db_file: Path, three: list[dict]
) -> None:
    run = three[0]
    kept = cli("delete", run["id"][:8], input="n\n")
    assert kept.exit_code == 1
    assert "Nothing deleted" in kept.stderr
    assert len(cli_json("list")) == 3
    gone = cli("delete", run["id"][:8], input="y\n")
    assert gone.exit_code == 0, gone.output
    assert [a["id"] for a in cli_json("list")] == [three[2]["id"], three[1]["id"]]
    assert cli("show", run["id"]).exit_code == 1
    # A tombstone: the row stays, marked, so the deletion can be synced.
    assert count_rows(db_file) == 3
    deleted_at = (
        sqlite3.connect(db_file)
        .execute("SELECT deleted_at FROM activity WHERE id = ?", (run["id"],))
        .fetchone()[0]
    )
    assert deleted_at is not None


def test_delete_yes_does_not_ask_and_unknown_id_fails(cli: Invoke, three: list[dict]) -> None:
    assert cli("delete", three[1]["id"], "--yes").exit_code == 0
    again = cli("delete", three[1]["id"], "--yes")
    assert again.exit_code == 1
    assert "no activity" in again.stderr


def test_user_text_that_looks_like_markup_is_shown_as_typed(cli: Invoke, cli_json) -> None:
    odd = "[/red] oops [bold]x"
    activity = cli_json("log", "run", "5k", "27:30", "--note", odd, "--start", "2025-06-01 07:00")[
        "activity"
    ]
    for args in (["show", activity["id"]], ["list"]):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert odd in result.stdout
    added = cli("goal", "add", "2x", "--per", "year", "--name", odd, "--start", "2025-01-01")
    assert added.exit_code == 0, added.output
    assert odd in added.stdout
    for args in (["goal", "list"], ["status"], ["progress"]):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert odd in result.stdout
    logged = cli("log", "run", "5k", "27:30", "--start", "2025-06-02 07:00")
    assert f"Goal reached: {odd}" in logged.stdout
