"""A server answering 503 (its database away for a moment): ``fittrack sync`` waits out a short
``Retry-After`` and goes on; a longer outage stops it with one "try later" line, nothing on the
device changes, and the next sync pushes everything, nothing lost."""

from typing import Any

import httpx
import pytest
from tests.sync.conftest import Live
from tests.sync.sync_support import Cli, add_user, dump

from fittrack.sync import http


@pytest.fixture
def unavailable(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """``budget["batch"]`` pushes answered 503 (Retry-After: 2) before the server's own answers
    come back; no test waits for the Retry-After on the wall clock."""
    budget = {"batch": 0, "answered": 0}
    real = httpx.Client.request

    def request(self: httpx.Client, method: str, url: Any, **kwargs: Any) -> httpx.Response:
        if str(url).endswith("/v1/batch") and budget["batch"] > 0:
            budget["batch"] -= 1
            budget["answered"] += 1
            return httpx.Response(
                503,
                headers={"Retry-After": "2"},
                json={"detail": "the database is unavailable; try again shortly"},
                request=httpx.Request(method, self.base_url.join(str(url))),
            )
        return real(self, method, url, **kwargs)

    monkeypatch.setattr(httpx.Client, "request", request)
    monkeypatch.setattr(http.time, "sleep", lambda _s: None)
    return budget


def test_a_short_503_is_waited_out(
    live: Live, cli_devices: Cli, unavailable: dict[str, int]
) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    unavailable["batch"] = 2
    report = cli_devices.sync("a")
    assert unavailable["answered"] == 2
    assert report["pushed"] == {"activities": 1, "goals": 0, "profile": 0}


def test_a_long_503_stops_sync_with_one_line_and_loses_nothing(
    live: Live, cli_devices: Cli, unavailable: dict[str, int]
) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    cli_devices.sync("a")
    cli_devices.ok("a", "log", "ride", "20k", "45:00")
    cli_devices.ok("a", "goal", "add", "20km", "--per", "week")
    before = dump(cli_devices.db("a"))
    unavailable["batch"] = 1000
    result = cli_devices.run("a", "sync")
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "unavailable for now" in lines[0] and "fittrack sync" in lines[0]
    assert dump(cli_devices.db("a")) == before

    unavailable["batch"] = 0
    assert cli_devices.sync("a")["pushed"] == {"activities": 1, "goals": 1, "profile": 0}
    cli_devices.ok("b", "login", "--server", live.url, "--token", ana.token)
    assert cli_devices.sync("b")["pulled"] == {"activities": 2, "goals": 1, "profile": 0}
