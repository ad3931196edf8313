"""What the CLI accepts, sync carries: an activity or goal that `fittrack` stores on one device must
reach the other through the server, not be refused by it and stay behind ("Not pushed") forever;
and it arrives with the same values the first device holds."""

import pytest
from tests.sync.conftest import Live
from tests.sync.sync_support import Cli, add_user, device_state


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["goal", "add", "20000km", "--per", "year"], id="a-cyclists-year-20000km"),
        pytest.param(["goal", "add", "3000h", "--per", "year"], id="3000h-a-year"),
        pytest.param(
            ["goal", "add", "10km", "--per", "week", "--name", "n" * 300], id="a-300-char-name"
        ),
        pytest.param(
            ["log", "walk", "--duration", "500h", "--start", "2026-01-01T00:00"],
            id="estimated-calories-over-100000",
        ),
        pytest.param(["goal", "add", "5000km", "--per", "year"], id="5000km-a-year"),
        pytest.param(["log", "ride", "180k", "6:30:00", "--start=-1d"], id="a-long-ride"),
    ],
)
def test_what_the_cli_accepts_sync_carries(
    live: Live, cli_devices: Cli, command: list[str]
) -> None:
    ana = add_user(live.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", *command)

    result = cli_devices.run("a", "sync", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    cli_devices.sync("b")
    a, b = device_state(cli_devices.db("a")), device_state(cli_devices.db("b"))
    assert a == b
    assert len(a.activities) + len(a.goals) == 1


def test_a_synced_activity_has_the_same_start_and_end_on_both_devices(
    live: Live, cli_devices: Cli
) -> None:
    """Sync carries start and end to the second (the ACTIVITY JSON's precision), while `log`
    stores them to the microsecond: the device that logged an activity must still end up with
    the very values the other device pulled, not a start a fraction of a second apart."""
    ana = add_user(live.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "log", "run", "5k", "27:30")  # ends now: a time with microseconds
    cli_devices.sync("a")
    cli_devices.sync("b")
    cli_devices.sync("a")
    exact_a = device_state(cli_devices.db("a"), exact_times=True)
    exact_b = device_state(cli_devices.db("b"), exact_times=True)
    [row_id] = exact_a.activities
    a, b = exact_a.activities[row_id], exact_b.activities[row_id]
    assert (a["start"], a["end"]) == (b["start"], b["end"])
