"""When sync cannot finish: the server is down, the token is refused, the server is limiting the
requests, or its answer is lost. Each stops with one clear line and exit 1, nothing on this device
changes for the worse, and the next sync finishes the job with nothing doubled and nothing lost.

The devices run in this process (CliRunner); the servers are real `fittrack serve` processes where
they have to go down or run with other limits, and the in-process one otherwise.
"""

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sync.conftest import Live
from tests.sync.sync_support import (
    Backend,
    Cli,
    Server,
    add_token,
    add_user,
    api,
    device_state,
    dump,
    execute,
    revoke,
    server_changes,
    server_live_ids,
    server_state,
    sync_state,
    waiting,
    write_csv,
)

NOTHING = {"activities": 0, "goals": 0, "profile": 0}


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_server_down_fails_with_one_line_and_changes_nothing(
    sqlite_backend: Backend, make_server: Callable[..., Server], cli_devices: Cli
) -> None:
    server = make_server(sqlite_backend)
    ana = add_user(sqlite_backend.database_url, "ana")
    cli_devices.ok("a", "login", "--server", server.url, "--token", ana.token)
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    cli_devices.sync("a")
    server.stop()

    cli_devices.ok("a", "log", "ride", "20k", "45:00")
    cli_devices.ok("a", "goal", "add", "20km", "--per", "week")
    before = dump(cli_devices.db("a"))
    for args in (["sync"], ["sync", "--json"]):
        result = cli_devices.run("a", *args)
        assert result.exit_code == 1, result.stdout + result.stderr
        line = _one_line(result.stderr)
        assert f"cannot reach the server at {server.url}" in line
        assert "fittrack sync" in line  # what to do about it
        assert result.stdout == ""
    assert dump(cli_devices.db("a")) == before

    server.start()
    report = cli_devices.sync("a")
    assert report["pushed"] == {"activities": 1, "goals": 1, "profile": 0}
    cli_devices.ok("b", "login", "--server", server.url, "--token", ana.token)
    assert cli_devices.sync("b")["pulled"] == {"activities": 2, "goals": 1, "profile": 0}


def test_a_refused_token_fails_with_one_line_and_changes_nothing(
    live: Live, cli_devices: Cli
) -> None:
    ana = add_user(live.database_url, "ana")
    token = add_token(live.database_url, ana)
    cli_devices.ok("a", "login", "--server", live.url, "--token", token)
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    cli_devices.sync("a")
    revoke(live.database_url, token)
    cli_devices.ok("a", "log", "ride", "20k", "45:00")
    before = dump(cli_devices.db("a"))

    result = cli_devices.run("a", "sync")
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert "refused the token" in line
    assert f"fittrack login --server {live.url}" in line
    assert dump(cli_devices.db("a")) == before

    # A token that never was (a config file edited by hand) is refused the same way.
    config = cli_devices.config("a")
    config.write_text(config.read_text().replace(token, "ft_made-up"))
    result = cli_devices.run("a", "sync", "--json")
    assert result.exit_code == 1
    assert "refused the token" in _one_line(result.stderr)
    assert result.stdout == ""
    assert dump(cli_devices.db("a")) == before

    # Logged in again with a good token, the change waiting here goes out.
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    assert cli_devices.sync("a")["pushed"]["activities"] == 1


def test_a_rate_limited_sync_stops_then_the_next_one_finishes(
    sqlite_backend: Backend,
    make_server: Callable[..., Server],
    cli_devices: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = 1200  # three batches of at most 500
    server = make_server(sqlite_backend, FITTRACK_RATE_LIMIT="3/minute")
    ana = add_user(sqlite_backend.database_url, "ana")
    inspector = add_token(sqlite_backend.database_url, ana)
    ids = write_csv(tmp_path / "many.csv", count)
    cli_devices.ok("a", "login", "--server", server.url, "--token", ana.token)  # 1 request
    cli_devices.ok("a", "import", str(tmp_path / "many.csv"))

    # me and one batch fit in what is left of the 3; the second batch is refused (429).
    monkeypatch.setenv("FITTRACK_SYNC_MAX_WAIT", "0")
    result = cli_devices.run("a", "sync")
    assert result.exit_code == 1, result.stdout + result.stderr
    line = _one_line(result.stderr)
    assert "limiting" in line and "try again in" in line, line
    assert ("POST", "/v1/batch", 429) in server.requests()
    assert waiting(cli_devices.db("a")) == count - 500  # what was confirmed stays confirmed
    with server.client(inspector) as client:
        assert len(server_changes(client)[0]) == 500

    # Later (here: the server restarted with a higher limit, which the client still has to
    # wait out now and then), the next sync finishes.
    server.stop()
    server.start(FITTRACK_RATE_LIMIT="2/second")
    monkeypatch.setenv("FITTRACK_SYNC_MAX_WAIT", "10")
    report = cli_devices.sync("a")
    assert report["pushed"] == {"activities": count - 500, "goals": 0, "profile": 0}
    assert report["conflicts"] == [] and report["failed"] == []
    assert waiting(cli_devices.db("a")) == 0
    cli_devices.ok("b", "login", "--server", server.url, "--token", inspector)
    assert cli_devices.sync("b")["pulled"]["activities"] == count
    assert device_state(cli_devices.db("a")) == device_state(cli_devices.db("b"))
    assert set(device_state(cli_devices.db("b")).activities) == set(ids)
    with server.client(inspector) as client:
        listed = server_live_ids(client)
    assert len(listed) == len(set(listed)) == count


def test_a_push_whose_answer_was_lost_is_simply_repeated(live: Live, cli_devices: Cli) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("b", "login", "--server", live.url, "--token", ana.token)
    kept = cli_devices.json("a", "log", "run", "5k", "27:30")["activity"]["id"]
    gone = cli_devices.json("a", "log", "ride", "20k", "45:00", "--start=-3h")["activity"]["id"]
    cli_devices.ok("a", "delete", gone, "--yes")
    goal = cli_devices.json("a", "goal", "add", "20km", "--per", "week")["id"]
    cli_devices.ok("a", "goal", "pause", goal)
    before_sync = sync_state(cli_devices.db("a"))

    report = cli_devices.sync("a")
    assert report["pushed"] == {"activities": 2, "goals": 1, "profile": 0}
    synced = device_state(cli_devices.db("a"))

    def answer_lost(*, cursor: str | None) -> None:
        """As if the server had applied the push but its answer never arrived: every row still
        marked changed here, and (when given) the cursor where it was before."""
        execute(cli_devices.db("a"), "UPDATE activity SET change_seq = NULL")
        execute(cli_devices.db("a"), "UPDATE goal SET change_seq = NULL")
        if cursor is not None:
            sql = "UPDATE sync_state SET value = ? WHERE key = 'cursor'"
            execute(cli_devices.db("a"), sql, cursor)

    for cursor in (None, before_sync.get("cursor", "0")):
        answer_lost(cursor=cursor)
        report = cli_devices.sync("a")
        assert report["pushed"] == NOTHING, report  # every result "unchanged"
        assert report["pulled"] == NOTHING, report
        assert report["conflicts"] == [] and report["failed"] == []
        assert waiting(cli_devices.db("a")) == waiting(cli_devices.db("a"), "goal") == 0
        assert device_state(cli_devices.db("a")) == synced

    report = cli_devices.sync("b")
    assert report["pulled"] == {"activities": 2, "goals": 1, "profile": 0}
    assert device_state(cli_devices.db("b")) == synced
    with api(live.url, ana.token) as client:
        assert server_state(client) == synced
        assert server_live_ids(client) == [kept]
    assert synced.activities[gone].deleted
    assert synced.goals[goal]["paused"] is True  # paused
