"""A note and a goal's name have one maximum length, shared by the CLI, imports and the server
(``core.quantities.MAX_NOTE_CHARS``, ``MAX_NAME_CHARS``): longer ones are refused, nothing saved."""

from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

from fittrack.core.quantities import MAX_NAME_CHARS, MAX_NOTE_CHARS

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home


def test_log_refuses_a_note_over_the_maximum_and_takes_one_at_it(
    cli: Invoke, db_file: Path
) -> None:
    result = cli("log", "run", "5k", "27:30", "--note", "x" * (MAX_NOTE_CHARS + 1))
    assert result.exit_code == 2
    assert f"may hold at most {MAX_NOTE_CHARS:,}" in result.stderr
    assert "Traceback" not in result.output
    assert count_rows(db_file) == 0
    assert cli("log", "run", "5k", "27:30", "--note", "x" * MAX_NOTE_CHARS).exit_code == 0
    assert count_rows(db_file) == 1


def test_edit_refuses_a_note_over_the_maximum(cli: Invoke, cli_json) -> None:  # type: ignore[no-untyped-def]
    logged = cli_json("log", "run", "5k", "27:30", "--note", "short")["activity"]
    result = cli("edit", logged["id"][:8], "--note", "y" * (MAX_NOTE_CHARS + 1))
    assert result.exit_code == 2
    assert "the note is" in result.stderr
    assert cli_json("show", logged["id"][:8])["note"] == "short"


def test_goal_names_over_the_maximum_are_refused(cli: Invoke, cli_json) -> None:  # type: ignore[no-untyped-def]
    long_name = "n" * (MAX_NAME_CHARS + 1)
    added = cli("goal", "add", "20km", "--per", "week", "--name", long_name)
    assert added.exit_code == 2
    assert "the goal's name is" in added.stderr
    assert cli_json("goal", "list") == []
    goal = cli_json("goal", "add", "20km", "--per", "week", "--name", "ok")
    edited = cli("goal", "edit", goal["id"][:8], "--name", long_name)
    assert edited.exit_code == 2
    assert cli_json("goal", "list")[0]["name"] == "ok"


def test_an_imported_row_with_a_note_over_the_maximum_is_not_imported(
    cli: Invoke, db_file: Path, tmp_path: Path
) -> None:
    header = (
        "id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,"
        "note,source,created_at,updated_at"
    )
    row = (
        "{id},run,2026-11-20T07:00:00+00:00,2026-11-20T07:30:00+00:00,1800,5000,300,true,"
        "270,{note},manual,2026-11-20T07:30:00+00:00,2026-11-20T07:30:00+00:00"
    )
    path = tmp_path / "long.csv"
    path.write_text(
        "\n".join(
            [
                header,
                row.format(
                    id="0b7e0c55-0000-4000-8000-000000000001", note="z" * (MAX_NOTE_CHARS + 1)
                ),
            ]
        )
        + "\n"
    )
    result = cli("import", str(path))
    assert "Traceback" not in result.output
    assert "characters (at most" in result.output
    assert count_rows(db_file) == 0
