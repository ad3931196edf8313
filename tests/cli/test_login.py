"""`fittrack login` without a server: the config file it writes, the token's sources, the http
warning. The client is replaced by one that accepts any token (tests/sync/test_sync_login.py
logs in to a real server)."""

import tomllib
from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.helpers import Invoke

from fittrack import config


class AcceptingClient:
    """Stands in for ServerClient: every token is good, and the one it got is remembered."""

    seen: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, url: str, token: str, **_: Any) -> None:
        self.seen.append((url, token))

    def __enter__(self) -> "AcceptingClient":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def get(self, path: str) -> dict[str, str]:
        assert path == "/v1/me"
        return {"email": "ana@example.org"}


@pytest.fixture(autouse=True)
def accepting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    AcceptingClient.seen = []
    monkeypatch.setattr("fittrack.sync.http.ServerClient", AcceptingClient)
    monkeypatch.delenv("FITTRACK_TOKEN", raising=False)
    return AcceptingClient.seen


def _saved(fittrack_home: Path) -> dict[str, Any]:
    with (fittrack_home / "config.toml").open("rb") as stream:
        return tomllib.load(stream)


@pytest.mark.parametrize(
    "server",
    [
        "https://fït.example.org",
        "https://例え.jp/fittrack",
        "https://fit.example.org/😀",  # outside the BMP: JSON's \ud83d\ude00 is not TOML
        'https://fit.example.org/a"b\\c',
        "https://fit.example.org/tab\there",
    ],
)
def test_a_server_address_of_any_text_leaves_the_config_readable(
    cli: Invoke, fittrack_home: Path, server: str
) -> None:
    result = cli("login", "--server", server, "--token", "ft_abc")
    assert result.exit_code == 0, result.stderr
    assert _saved(fittrack_home) == {"server": server, "token": "ft_abc"}
    assert config.load()["server"] == server
    shown = cli("config", "show")
    assert shown.exit_code == 0
    assert f"server = {server}" in shown.stdout
    assert cli("config", "set", "auto_sync", "true").exit_code == 0
    assert _saved(fittrack_home) == {"server": server, "token": "ft_abc", "auto_sync": True}


@pytest.mark.parametrize(
    ("server", "warned"),
    [
        ("http://fit.example.org", True),
        ("http://192.168.1.20:8000", True),
        ("http://[2001:db8::1]:8000", True),
        ("http://127.0.0.1:8000", False),
        ("http://127.0.0.2", False),
        ("http://localhost:8000", False),
        ("http://[::1]:8000", False),
        ("https://fit.example.org", False),
    ],
)
def test_plain_http_beyond_this_machine_is_warned_about(
    cli: Invoke, server: str, warned: bool
) -> None:
    result = cli("login", "--server", server, "--token", "ft_abc")
    assert result.exit_code == 0, result.stderr
    assert ("unencrypted" in result.stderr) is warned
    assert "unencrypted" not in result.stdout
    if warned:
        assert result.stderr.startswith(f"Warning: {server} is plain http")


@pytest.mark.parametrize(
    ("stdin", "token"),
    [
        ("ft_piped\n", "ft_piped"),
        ("  ft_spaced  \n", "ft_spaced"),
        ("ft_no_newline", "ft_no_newline"),
    ],
)
def test_a_piped_token_is_read_without_a_prompt(
    cli: Invoke, fittrack_home: Path, accepting: list[tuple[str, str]], stdin: str, token: str
) -> None:
    result = cli("login", "--server", "https://fit.example.org", input=stdin)
    assert result.exit_code == 0, result.stderr
    assert "API token" not in result.stderr
    assert accepting == [("https://fit.example.org", token)]
    assert _saved(fittrack_home)["token"] == token


def test_fittrack_token_wins_over_standard_input(
    cli: Invoke,
    fittrack_home: Path,
    accepting: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FITTRACK_TOKEN", "ft_from_env")
    result = cli("login", "--server", "https://fit.example.org", input="ft_piped\n")
    assert result.exit_code == 0, result.stderr
    assert accepting == [("https://fit.example.org", "ft_from_env")]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "the token is empty"),
        ("\n", "the token is empty"),
        ("ft_a b\n", "not an API token"),
        ("ft_é\n", "not an API token"),
    ],
)
def test_a_bad_piped_token_is_refused_and_nothing_is_saved(
    cli: Invoke, fittrack_home: Path, accepting: list[tuple[str, str]], stdin: str, message: str
) -> None:
    result = cli("login", "--server", "https://fit.example.org", input=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert accepting == []
    assert not (fittrack_home / "config.toml").exists()


def test_help_steers_away_from_a_token_on_the_command_line(cli: Invoke) -> None:
    result = cli("login", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "FITTRACK_TOKEN" in text
    assert "standard input" in text
    assert "history" in text
