"""`fittrack config get KEY`: one setting, as `config show` shows it."""

import json
from pathlib import Path

import pytest
from tests.helpers import Invoke

from fittrack import config

TOKEN = "ft_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"


@pytest.fixture
def logged_in(fittrack_home: Path) -> Path:
    config.save({"server": "https://fit.example.org", "token": TOKEN})
    return fittrack_home / "config.toml"


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("server", "https://fit.example.org", "https://fit.example.org"),
        ("token", "ft_012…", "ft_012…"),  # masked, as config show masks it
        ("auto_sync", "false", False),
        ("file", "CONFIG", "CONFIG"),
    ],
)
def test_config_get_prints_one_value(
    cli: Invoke, logged_in: Path, key: str, text: str, value: object
) -> None:
    text = text.replace("CONFIG", str(logged_in))
    value = str(logged_in) if value == "CONFIG" else value
    result = cli("config", "get", key)
    assert result.exit_code == 0, result.output
    assert result.stdout == text + "\n"
    assert TOKEN not in result.stdout
    shown = cli("config", "get", key, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == {"key": key, "value": value}
    assert json.loads(cli("config", "show", "--json").stdout)[key] == value


def test_config_get_reads_what_config_set_wrote(cli: Invoke) -> None:
    assert cli("config", "set", "auto_sync", "on").exit_code == 0
    assert cli("config", "get", "auto_sync").stdout == "true\n"


@pytest.mark.parametrize("key", ["server", "token"])
def test_an_unset_value_prints_nothing(cli: Invoke, fittrack_home: Path, key: str) -> None:
    result = cli("config", "get", key)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(cli("config", "get", key, "--json").stdout) == {"key": key, "value": None}
    assert not (fittrack_home / "config.toml").exists()


@pytest.mark.parametrize("key", ["nope", "Server", "", "auto-sync"])
def test_an_unknown_key_is_refused_with_the_keys(
    cli: Invoke, fittrack_home: Path, key: str
) -> None:
    result = cli("config", "get", key, "--json")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: unknown setting {key!r}; the settings are server, token, auto_sync, file\n"
    )
    assert not fittrack_home.exists()


def test_a_damaged_config_file_is_one_line(cli: Invoke, fittrack_home: Path) -> None:
    fittrack_home.mkdir()
    (fittrack_home / "config.toml").write_text("server = [unclosed\n")
    result = cli("config", "get", "server")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: cannot read the config file")
    assert result.stderr.count("\n") == 1
