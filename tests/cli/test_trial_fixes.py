"""What a new user's trial of the merged issue-11 work found, each held by a test."""

from pathlib import Path

import pytest
from tests.conftest import Invoke
from tests.helpers import count_rows


def test_undoing_a_type_that_a_deleted_activity_uses_is_refused(cli: Invoke, db_file: Path) -> None:
    """Else `restore` would bring back an activity of a type that no longer exists."""
    assert cli("types", "add", "climbing", "--met", "5.8").exit_code == 0
    assert cli("log", "climbing", "1h", "--start", "2026-11-21 07:00").exit_code == 0
    assert cli("undo").exit_code == 0  # the log: the activity is now a tombstone
    refused = cli("undo")
    assert refused.exit_code == 1
    assert "cannot undo adding type 'climbing'" in refused.stderr
    assert "deleted ones too" in refused.stderr
    assert count_rows(db_file, "activity_type") == 1


@pytest.mark.parametrize("key", ["server", "token"])
def test_config_set_of_a_login_key_says_where_it_is_set(cli: Invoke, key: str) -> None:
    result = cli("config", "set", key, "x")
    assert result.exit_code == 2
    assert "fittrack login" in result.stderr


def test_config_show_piped_has_no_trailing_spaces(cli: Invoke) -> None:
    result = cli("config", "show")
    assert result.exit_code == 0
    assert "server =" in result.stdout
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_a_misspelt_type_offers_each_type_once(cli: Invoke) -> None:
    result = cli("log", "runn", "5k", "25:00")
    assert result.exit_code == 2
    assert "did you mean 'run'?" in result.stderr  # not "'run' or 'running'"


@pytest.mark.parametrize("command", [[], ["log"], ["undo"], ["goal", "add"], ["server", "user"]])
def test_piped_help_is_whole_and_unpadded(cli: Invoke, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines and all(line == line.rstrip() for line in lines)
    assert not any("╭" in line or "│" in line for line in lines)  # Click's plain text, no boxes


def test_log_help_keeps_sentences_whole(cli: Invoke) -> None:
    """Docstring line breaks are not kept: the paragraph is wrapped where the screen ends."""
    text = " ".join(cli("log", "--help").stdout.split())
    assert "starting within a minute of one already logged (a double)" in text


def test_an_export_of_one_activity_says_activity(cli: Invoke, tmp_path: Path) -> None:
    assert cli("log", "run", "5k", "25:00").exit_code == 0
    result = cli("export", "--format", "json", "--out", str(tmp_path / "a.json"))
    assert result.exit_code == 0
    assert "Exported 1 activity to" in result.stderr
