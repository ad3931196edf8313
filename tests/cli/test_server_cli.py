"""`fittrack server user|token …` and `fittrack serve`'s refusals, in-process, on the default SQLite
server database ($FITTRACK_HOME/server.db); no server is ever started."""

import hashlib
import importlib.util
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from tests.helpers import Invoke, count_rows

from fittrack.server import workers as server_workers
from fittrack.server.app import create_app
from fittrack.server.settings import Settings


@pytest.fixture
def server_db(fittrack_home: Path) -> Path:
    return fittrack_home / "server.db"


@pytest.fixture(autouse=True)
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`serve` must refuse before uvicorn starts: should it not, the test fails instead of
    serving forever."""
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs))

    def serve(options: dict[str, Any], workers: int) -> int:
        started.append({**options, "workers": workers})
        return 0

    monkeypatch.setattr(server_workers, "serve", serve)
    return started


def add(cli: Invoke, email: str) -> dict[str, str]:
    result = cli("server", "user", "add", email, "--json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def new_token(cli: Invoke, email: str) -> str:
    result = cli("server", "token", "new", email, "--json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["token"])


def stored_hashes(server_db: Path) -> list[str]:
    conn = sqlite3.connect(server_db)
    try:
        return sorted(row[0] for row in conn.execute("SELECT token_hash FROM api_token"))
    finally:
        conn.close()


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_with(server_db: Path, *tokens: str) -> list[int]:
    """What a freshly started server answers GET /v1/profile with each token."""
    with TestClient(create_app(Settings(database_url=f"sqlite:///{server_db}"))) as client:
        return [
            client.get("/v1/profile", headers={"Authorization": f"Bearer {token}"}).status_code
            for token in tokens
        ]


def assert_refused(result: Any, code: int, *words: str) -> None:
    """Exit ``code``, one ``Error:`` line on stderr saying ``words``, no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr


def test_user_add_prints_the_token_once_and_stores_only_its_hash(
    cli: Invoke, server_db: Path
) -> None:
    made = add(cli, "  Ana@Example.ORG ")
    assert list(made) == ["email", "token"]
    assert made["email"] == "ana@example.org"
    token = made["token"]
    assert token.startswith("ft_")
    assert len(token) == 46
    assert stored_hashes(server_db) == [sha256(token)]
    conn = sqlite3.connect(server_db)
    try:
        assert conn.execute("SELECT email FROM app_user").fetchall() == [("ana@example.org",)]
    finally:
        conn.close()
    for path in server_db.parent.glob("server.db*"):  # the WAL and its index too
        assert token.encode() not in path.read_bytes(), path
    assert status_with(server_db, token) == [200]


def test_user_add_without_json_prints_the_bare_token(cli: Invoke, server_db: Path) -> None:
    result = cli("server", "user", "add", "ana@example.org")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert stored_hashes(server_db) == [sha256(token)]
    assert "ana@example.org" in result.stderr


def test_adding_a_user_twice_is_refused(cli: Invoke, server_db: Path) -> None:
    add(cli, "ana@example.org")
    result = cli("server", "user", "add", "ANA@example.org", "--json")
    assert_refused(result, 1, "ana@example.org", "already", "token new")
    assert result.stdout == ""
    assert count_rows(server_db, "app_user") == 1
    assert count_rows(server_db, "api_token") == 1


@pytest.mark.parametrize("email", ["", "nope", "a@b", "a" * 288 + "@example.org"])
@pytest.mark.parametrize("command", [["user", "add"], ["token", "new"]])
def test_a_bad_email_is_refused_before_anything_is_written(
    cli: Invoke, server_db: Path, command: list[str], email: str
) -> None:
    result = cli("server", *command, email, "--json")
    assert_refused(result, 2, "not an email address")
    assert result.stdout == ""
    assert not server_db.exists()


def test_token_new_for_an_unknown_user_is_refused(cli: Invoke, server_db: Path) -> None:
    add(cli, "ana@example.org")
    result = cli("server", "token", "new", "bob@example.org", "--json")
    assert_refused(result, 1, "bob@example.org", "user add")
    assert result.stdout == ""
    assert count_rows(server_db, "api_token") == 1


def test_token_new_gives_a_second_working_token(cli: Invoke, server_db: Path) -> None:
    first = add(cli, "ana@example.org")["token"]
    second = new_token(cli, "Ana@example.org")
    assert second != first
    assert second.startswith("ft_")
    assert len(second) == 46
    assert stored_hashes(server_db) == sorted([sha256(first), sha256(second)])
    assert count_rows(server_db, "app_user") == 1
    assert status_with(server_db, first, second) == [200, 200]


def test_token_revoke_forgets_that_token_only(cli: Invoke, server_db: Path) -> None:
    first = add(cli, "ana@example.org")["token"]
    second = new_token(cli, "ana@example.org")
    result = cli("server", "token", "revoke", first)
    assert result.exit_code == 0, result.output
    assert "revoked" in result.stderr
    assert stored_hashes(server_db) == [sha256(second)]
    assert status_with(server_db, first, second) == [401, 200]

    again = cli("server", "token", "revoke", first)
    assert_refused(again, 1, "no such token")
    assert stored_hashes(server_db) == [sha256(second)]


def test_revoking_a_made_up_token_is_refused(cli: Invoke, server_db: Path) -> None:
    add(cli, "ana@example.org")
    result = cli("server", "token", "revoke", "ft_not-a-token")
    assert_refused(result, 1, "no such token")
    assert count_rows(server_db, "api_token") == 1


@pytest.mark.parametrize(
    "args", [["server", "user", "add", "ana@example.org"], ["serve"]], ids=["user-add", "serve"]
)
def test_a_database_url_of_another_kind_is_refused(
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    fittrack_home: Path,
    no_uvicorn: list[dict[str, Any]],
    args: list[str],
) -> None:
    monkeypatch.setenv("FITTRACK_DATABASE_URL", "mysql://x")
    result = cli(*args)
    assert_refused(result, 2, "FITTRACK_DATABASE_URL", "postgresql://", "mysql")
    assert no_uvicorn == []
    assert not fittrack_home.exists() or not any(fittrack_home.iterdir())


@pytest.mark.parametrize(
    "args", [["server", "user", "add", "ana@example.org"], ["serve"]], ids=["user-add", "serve"]
)
def test_an_unreachable_postgresql_is_one_line(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, no_uvicorn: list[dict[str, Any]], args: list[str]
) -> None:
    monkeypatch.setenv("FITTRACK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x")
    result = cli(*args)
    assert_refused(result, 1, "cannot reach")
    assert no_uvicorn == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FITTRACK_RATE_LIMIT", "banana"),
        ("FITTRACK_ANONYMOUS_RATE_LIMIT", "0/minute"),
        ("FITTRACK_CACHE_LAST_N", "many"),
        ("FITTRACK_TOKEN_CACHE_SECONDS", "-1"),
    ],
)
def test_serve_refuses_a_bad_setting_before_starting(
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    server_db: Path,
    no_uvicorn: list[dict[str, Any]],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    result = cli("serve")
    assert_refused(result, 2, variable, value)
    assert no_uvicorn == []
    assert not server_db.exists()


@pytest.mark.parametrize(
    "args", [["serve"], ["server", "user", "add", "ana@example.org"]], ids=["serve", "user-add"]
)
def test_without_the_server_extra_the_fix_is_named(
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    server_db: Path,
    no_uvicorn: list[dict[str, Any]],
    args: list[str],
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *rest: Any, **kwargs: Any) -> Any:
        return None if name == "fastapi" else real_find_spec(name, *rest, **kwargs)

    # cli/serve.py imports find_spec from importlib.util when it checks, so this patch reaches it.
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    result = cli(*args)
    assert_refused(result, 2, "pip install 'fittrack[server]'", "fastapi")
    assert no_uvicorn == []
    assert not server_db.exists()


@pytest.mark.parametrize("port", ["0", "70000", "-1", "http"])
def test_serve_refuses_a_port_out_of_range(
    cli: Invoke, server_db: Path, no_uvicorn: list[dict[str, Any]], port: str
) -> None:
    result = cli("serve", "--port", port)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")
    assert "--port" in result.stderr
    assert no_uvicorn == []
    assert not server_db.exists()


def test_serve_hands_its_settings_to_uvicorn(
    cli: Invoke, server_db: Path, no_uvicorn: list[dict[str, Any]]
) -> None:
    result = cli("serve", "--host", "127.0.0.1", "--port", "8123", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert [(c["host"], c["port"], c["workers"], c["factory"]) for c in no_uvicorn] == [
        ("127.0.0.1", 8123, 2, True)
    ]
    assert server_db.exists()  # migrated once, before the workers start
    assert "http://127.0.0.1:8123 (2 workers, sqlite" in result.stderr


def test_serve_on_a_port_in_use_says_so_in_one_line(
    cli: Invoke, no_uvicorn: list[dict[str, Any]]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert_refused(result, 1, f"127.0.0.1:{port}", "--port")
    assert no_uvicorn == []


def test_serve_with_workers_and_no_redis_warns(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, no_uvicorn: list[dict[str, Any]]
) -> None:
    monkeypatch.delenv("FITTRACK_REDIS_URL", raising=False)
    result = cli("serve", "--port", "8124", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "without FITTRACK_REDIS_URL" in result.stderr
    assert "without FITTRACK_REDIS_URL" not in cli("serve", "--port", "8124").stderr
