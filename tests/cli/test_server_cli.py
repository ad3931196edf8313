"""`fittrack server user|token …` and `fittrack serve`'s refusals, in-process, on the default SQLite
server database ($FITTRACK_HOME/server.db); no server is ever started."""

import hashlib
import importlib.util
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from tests.helpers import Invoke, count_rows

from fittrack.server.main import create_app
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


# --- administration: user list / remove, token list / revoke by id --------------------------------


def token_rows(cli: Invoke, *args: str) -> list[dict[str, Any]]:
    result = cli("server", "token", "list", *args, "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def fill(server_db: Path, token: str) -> None:
    """An activity, a goal and a profile on the server for the token's user, through the API."""
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "type": "run",
        "start": "2026-11-20T07:00:00+01:00",
        "end": "2026-11-20T07:30:00+01:00",
        "duration_s": 1650,
        "distance_m": 5000,
    }
    goal = {"period": "week", "metric": "count", "target": 3, "start_date": "2026-01-01"}
    with TestClient(create_app(Settings(database_url=f"sqlite:///{server_db}"))) as client:
        answer = client.put(f"/v1/activities/{uuid.uuid4()}", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        assert client.post("/v1/goals", json=goal, headers=headers).status_code == 201
        answer = client.put("/v1/profile", json={"timezone": "Europe/Berlin"}, headers=headers)
        assert answer.status_code == 200, answer.text


def owned(server_db: Path) -> dict[str, list[str]]:
    """Each data table's owners, one entry a row."""
    conn = sqlite3.connect(server_db)
    try:
        return {
            table: sorted(str(row[0]) for row in conn.execute(f"SELECT owner FROM {table}"))
            for table in ("activity", "goal", "profile")
        }
    finally:
        conn.close()


def user_ids(server_db: Path) -> dict[str, str]:
    conn = sqlite3.connect(server_db)
    try:
        return dict(conn.execute("SELECT email, id FROM app_user").fetchall())
    finally:
        conn.close()


def test_user_list_shows_each_user_and_their_number_of_tokens(cli: Invoke, server_db: Path) -> None:
    add(cli, "bob@example.org")
    add(cli, "ana@example.org")
    new_token(cli, "ana@example.org")
    result = cli("server", "user", "list", "--json")
    assert result.exit_code == 0, result.output
    users = json.loads(result.stdout)
    assert [(u["email"], u["tokens"], u["last_used_at"]) for u in users] == [
        ("ana@example.org", 2, None),
        ("bob@example.org", 1, None),
    ]
    assert all(u["created_at"].endswith("+00:00") for u in users)

    table = cli("server", "user", "list")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["email", "created", "tokens", "last", "used"]
    assert lines[1].startswith("ana@example.org ") and lines[1].split()[3:] == ["2", "never"]
    assert lines[2].startswith("bob@example.org ") and lines[2].split()[3:] == ["1", "never"]
    assert all(line == line.rstrip() for line in lines)


def test_user_list_with_no_users_prints_nothing_on_stdout(cli: Invoke) -> None:
    result = cli("server", "user", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "server user add" in result.stderr
    assert json.loads(cli("server", "user", "list", "--json").stdout) == []


def test_token_list_shows_ids_and_prefixes_never_the_tokens(cli: Invoke, server_db: Path) -> None:
    first = add(cli, "ana@example.org")["token"]
    second = new_token(cli, "ana@example.org")
    bobs = add(cli, "bob@example.org")["token"]
    rows = token_rows(cli)
    assert {(r["id"], r["prefix"], r["email"]) for r in rows} == {
        (sha256(first)[:12], first[:10], "ana@example.org"),
        (sha256(second)[:12], second[:10], "ana@example.org"),
        (sha256(bobs)[:12], bobs[:10], "bob@example.org"),
    }
    assert [r["email"] for r in rows] == ["ana@example.org"] * 2 + ["bob@example.org"]
    assert all(r["last_used_at"] is None for r in rows)
    assert [r["id"] for r in token_rows(cli, "BOB@example.org")] == [sha256(bobs)[:12]]

    table = cli("server", "token", "list")
    assert table.exit_code == 0, table.output
    for token in (first, second, bobs):
        assert token[:10] in table.stdout
        assert token[:11] not in table.stdout  # the prefix, not a character more
        assert sha256(token)[:12] in table.stdout
    assert table.stdout.splitlines()[0].split() == [
        "id",
        "prefix",
        "user",
        "created",
        "last",
        "used",
    ]


def test_token_list_says_when_a_token_was_last_used(cli: Invoke, server_db: Path) -> None:
    used = add(cli, "ana@example.org")["token"]
    unused = new_token(cli, "ana@example.org")
    assert status_with(server_db, used) == [200]
    last_used = {r["prefix"]: r["last_used_at"] for r in token_rows(cli)}
    assert last_used[unused[:10]] is None
    assert last_used[used[:10]] is not None
    user = json.loads(cli("server", "user", "list", "--json").stdout)[0]
    assert user["last_used_at"] == last_used[used[:10]]


@pytest.mark.parametrize(
    ("email", "code", "words"),
    [("zed@example.org", 1, ["no user zed@example.org"]), ("nope", 2, ["not an email address"])],
)
def test_token_list_of_an_unknown_user_is_refused(
    cli: Invoke, server_db: Path, email: str, code: int, words: list[str]
) -> None:
    add(cli, "ana@example.org")
    result = cli("server", "token", "list", email, "--json")
    assert_refused(result, code, *words)
    assert result.stdout == ""


@pytest.mark.parametrize("length", [12, 6, 4])
def test_token_revoke_takes_the_id_or_a_unique_start_of_it(
    cli: Invoke, server_db: Path, length: int
) -> None:
    lost = add(cli, "ana@example.org")["token"]
    kept = new_token(cli, "ana@example.org")
    assert sha256(lost)[:4] != sha256(kept)[:4]  # two random hashes; 1 in 65536 would collide
    result = cli("server", "token", "revoke", sha256(lost)[:length].upper(), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "id": sha256(lost)[:12],
        "prefix": lost[:10],
        "email": "ana@example.org",
        "created_at": json.loads(result.stdout)["created_at"],
        "last_used_at": None,
    }
    assert stored_hashes(server_db) == [sha256(kept)]
    assert status_with(server_db, lost, kept) == [401, 200]


def test_token_revoke_without_json_names_what_it_revoked(cli: Invoke, server_db: Path) -> None:
    lost = add(cli, "ana@example.org")["token"]
    result = cli("server", "token", "revoke", sha256(lost)[:12])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"token {sha256(lost)[:12]} ({lost[:10]}…) of ana@example.org revoked" in result.stderr
    assert stored_hashes(server_db) == []


def _add_raw_token(server_db: Path, token_hash: str, email: str) -> None:
    conn = sqlite3.connect(server_db)
    try:
        with conn:
            user = conn.execute("SELECT id FROM app_user WHERE email = ?", (email,)).fetchone()[0]
            conn.execute(
                "INSERT INTO api_token (token_hash, user_id, created_at) "
                "VALUES (?, ?, '2026-01-01 00:00:00.000000')",
                (token_hash, user),
            )
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("given", "code", "words"),
    [
        ("abcd", 2, ["several tokens", "give more"]),
        ("abcd9", 1, ["no such token"]),
        ("abc", 1, ["no such token"]),  # too short for an id: read as a token, which it is not
        ("not-hex!", 1, ["no such token"]),
        ("", 1, ["no such token"]),
    ],
)
def test_token_revoke_refuses_an_ambiguous_or_unknown_id(
    cli: Invoke, server_db: Path, given: str, code: int, words: list[str]
) -> None:
    add(cli, "ana@example.org")
    _add_raw_token(server_db, "abcd1" + "0" * 59, "ana@example.org")
    _add_raw_token(server_db, "abcd2" + "0" * 59, "ana@example.org")
    before = stored_hashes(server_db)
    result = cli("server", "token", "revoke", given, "--json")
    assert_refused(result, code, *words)
    assert result.stdout == ""
    assert stored_hashes(server_db) == before


def test_a_token_made_before_prefixes_were_kept_is_listed_without_one(
    cli: Invoke, server_db: Path
) -> None:
    add(cli, "ana@example.org")
    _add_raw_token(server_db, "f" * 64, "ana@example.org")
    rows = {r["id"]: r for r in token_rows(cli)}
    assert rows["f" * 12]["prefix"] is None
    table = cli("server", "token", "list").stdout
    assert "f" * 12 + "  " in table and "None" not in table


@pytest.mark.parametrize("answer", ["y\n", "yes\n"])
def test_user_remove_asks_then_removes_the_user_tokens_and_data(
    cli: Invoke, server_db: Path, answer: str
) -> None:
    ana = add(cli, "ana@example.org")["token"]
    new_token(cli, "ana@example.org")
    bob = add(cli, "bob@example.org")["token"]
    fill(server_db, ana)
    fill(server_db, bob)
    ids = user_ids(server_db)
    both = sorted([ids["ana@example.org"], ids["bob@example.org"]])
    assert owned(server_db) == {t: both for t in ("activity", "goal", "profile")}
    result = cli("server", "user", "remove", "ana@example.org", input=answer)
    assert result.exit_code == 0, result.output
    assert "Remove ana@example.org, 2 tokens, 1 activity, 1 goal and their profile?" in (
        result.stderr
    )
    assert (
        result.stdout
        == "Removed ana@example.org, 2 tokens, 1 activity, 1 goal and their profile.\n"
    )
    assert user_ids(server_db) == {"bob@example.org": ids["bob@example.org"]}
    assert stored_hashes(server_db) == [sha256(bob)]
    assert owned(server_db) == {
        t: [ids["bob@example.org"]] for t in ("activity", "goal", "profile")
    }
    assert status_with(server_db, ana, bob) == [401, 200]


@pytest.mark.parametrize("answer", ["n\n", "\n", "", "maybe\n"])
def test_user_remove_not_confirmed_removes_nothing(
    cli: Invoke, server_db: Path, answer: str
) -> None:
    ana = add(cli, "ana@example.org")["token"]
    fill(server_db, ana)
    before = owned(server_db)
    result = cli("server", "user", "remove", "ana@example.org", input=answer)
    assert result.exit_code == 1, result.output
    assert "Nothing removed." in result.stderr
    assert result.stdout == ""
    assert owned(server_db) == before
    assert stored_hashes(server_db) == [sha256(ana)]


def test_user_remove_yes_does_not_ask_and_json_says_what_went(cli: Invoke, server_db: Path) -> None:
    ana = add(cli, "ana@example.org")["token"]
    fill(server_db, ana)
    result = cli("server", "user", "remove", "ana@example.org", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "email": "ana@example.org",
        "removed": {"tokens": 1, "activity": 1, "goal": 1, "profile": 1, "activity_type": 0},
    }
    assert user_ids(server_db) == {}
    assert owned(server_db) == {"activity": [], "goal": [], "profile": []}


@pytest.mark.parametrize(
    ("email", "code", "words"),
    [("zed@example.org", 1, ["no user zed@example.org"]), ("nope", 2, ["not an email address"])],
)
@pytest.mark.parametrize("yes", [[], ["--yes"]])
def test_user_remove_of_an_unknown_user_is_refused_before_asking(
    cli: Invoke, server_db: Path, email: str, code: int, words: list[str], yes: list[str]
) -> None:
    add(cli, "ana@example.org")
    result = cli("server", "user", "remove", email, *yes, input="y\n")
    assert_refused(result, code, *words)
    assert "[y/N]" not in result.stderr
    assert count_rows(server_db, "app_user") == 1


def test_user_remove_is_one_transaction(cli: Invoke, server_db: Path) -> None:
    ana = add(cli, "ana@example.org")["token"]
    fill(server_db, ana)
    before = owned(server_db)
    conn = sqlite3.connect(server_db)
    try:
        # The last statement fails: everything before it must be rolled back with it.
        conn.execute(
            "CREATE TRIGGER keep BEFORE DELETE ON app_user BEGIN SELECT RAISE(ABORT, 'kept'); END"
        )
        conn.commit()
    finally:
        conn.close()
    result = cli("server", "user", "remove", "ana@example.org", "--yes")
    assert_refused(result, 1, "the server's database refused: kept")
    assert owned(server_db) == before
    assert stored_hashes(server_db) == [sha256(ana)]
