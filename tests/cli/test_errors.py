"""Errors that name the real cause, dates people type, and no traceback for odd arguments.

The file-system cases (a home that cannot be entered, a read-only folder) run the CLI in a
subprocess as an unprivileged user: they are in ``test_home_permissions.py``.
"""

from datetime import date
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "zzzz"], 2, "'zzzz' is not an activity id: ids are hexadecimal (0-9, a-f)"),
        (["show", "12g4"], 2, "ids are hexadecimal (0-9, a-f), not 'g'"),
        (["delete", "xyz-1", "--yes"], 2, "ids are hexadecimal (0-9, a-f), not 'x', 'y', 'z'"),
        (["goal", "pause", "zzzz"], 2, "'zzzz' is not a goal id: ids are hexadecimal"),
        (["show", "abc"], 2, "give at least 4 characters"),
    ],
)
def test_ids_that_cannot_be_ids_say_why(
    cli: Invoke, db_file: Path, args: list[str], code: int, message: str
) -> None:
    cli("log", "run", "5k", "25:00")
    result = cli(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.count("\n") == 1  # one line
    assert count_rows(db_file) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "run", "5k", "--start", "2026-02-31"], "February 2026 has 28 days"),
        (["log", "run", "5k", "--start", "2025-02-29 07:00"], "February 2025 has 28 days"),
        (["log", "run", "5k", "--end", "2026-13-01 07:00"], "there is no month 13"),
        (["list", "--from", "2026-04-31"], "April 2026 has 30 days"),
        (["status", "--date", "2026-02-29"], "February 2026 has 28 days"),
        (["goal", "add", "20km", "--per", "week", "--start", "2026-06-31"], "June 2026 has 30"),
        (["list", "--from", "3h ago"], "'3h ago' is a moment; this option takes a whole day"),
    ],
)
def test_impossible_dates_say_why_and_write_nothing(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert count_rows(db_file) == 0
    assert count_rows(db_file, "goal") == 0


def test_log_and_list_take_the_dates_people_type(cli: Invoke, cli_json) -> None:
    # Relative to the real now, so only what must hold whatever the day is asserted.
    two_days = cli_json("log", "run", "5k", "25:00", "--start", "2 days ago")["activity"]
    hours = cli_json("log", "ride", "20k", "1h", "--start", "3h ago")["activity"]
    sunday = cli_json("log", "walk", "3k", "30min", "--start", "last sunday 9am")["activity"]
    assert sunday["start"][11:16] == "09:00"
    listed = {a["id"] for a in cli_json("list", "--from", "2 days ago")}
    assert {two_days["id"], hours["id"]} <= listed
    assert [a["id"] for a in cli_json("list", "--from", "last sunday", "--to", "last sunday")] == [
        sunday["id"]
    ]
    assert date.fromisoformat(cli_json("status", "--date", "monday")["date"]).weekday() == 0


@pytest.mark.fresh_home
@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["log", "run", "5k", "25:00", "--note", "bad\udcff"], "'bad\\xff' (after --note)"),
        (["log", "r\udce9n", "5k"], "'r\\xe9n' is not UTF-8"),
        (["log", "run", "5k", "--note=caf\udcc3"], "'--note=caf\\xc3' is not UTF-8"),
        (["goal", "add", "20km", "--per", "week", "--name", "\udcff"], "(after --name)"),
        (["list", "--type", "run\udcff"], "(after --type)"),
        (["profile", "set", "--timezone", "Europe/\udcffBerlin"], "(after --timezone)"),
    ],
)
def test_arguments_that_are_not_utf8_are_refused_before_anything_runs(
    cli: Invoke, db_file: Path, args: list[str], shown: str
) -> None:
    # Python hands undecodable bytes of argv over as lone surrogates: these are what a shell's
    # $(printf 'bad\xff') becomes (a subprocess test with real bytes is in test_home_permissions).
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the argument ")
    assert shown in result.stderr
    assert "not UTF-8 text" in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not db_file.exists()


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_home_that_is_a_file(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, below: str
) -> None:
    file = tmp_path / "not-a-folder"
    file.write_text("mine\n")
    monkeypatch.setenv("FITTRACK_HOME", str(file / below) if below else str(file))
    result = cli("list")
    assert result.exit_code == 1
    assert f"{file} is a file, not a directory" in result.stderr
    assert "point FITTRACK_HOME at a directory" in result.stderr
    assert result.stderr.count("\n") == 1
    assert file.read_text() == "mine\n"


@pytest.mark.parametrize(
    ("typed", "meant"), [("lsit", "list"), ("stauts", "status"), ("sumary", "summary")]
)
def test_a_mistyped_command_gets_a_suggestion(cli: Invoke, typed: str, meant: str) -> None:
    # Commands are built only when run, so the suggestion must come from every command's name.
    result = cli(typed)
    assert result.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_command_like_no_other_gets_no_suggestion(cli: Invoke) -> None:
    result = cli("xyzzy")
    assert result.exit_code == 2
    assert "No such command 'xyzzy'." in result.stderr
    assert "Did you mean" not in result.stderr
