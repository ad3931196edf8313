"""An undo and a restore are changes like any other: `fittrack sync` carries them to the other
device, including a restore of an activity whose deletion the server already holds (it comes
back as a copy, which the server accepts)."""

from tests.sync.conftest import Live
from tests.sync.sync_support import Cli, add_user, device_state


def _two_devices(live: Live, cli_devices: Cli) -> None:
    ana = add_user(live.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", live.url, "--token", ana.token)


def _converged(cli_devices: Cli) -> None:
    """Both devices sync, with no conflict (an undo is a plain newer change), and agree."""
    for name in ("a", "b"):
        report = cli_devices.sync(name)
        assert (report["conflicts"], report["failed"]) == ([], []), report
    assert device_state(cli_devices.db("a")) == device_state(cli_devices.db("b"))


def test_undo_of_an_edit_and_of_a_goal_pause_reach_the_other_device(
    live: Live, cli_devices: Cli
) -> None:
    _two_devices(live, cli_devices)
    run = cli_devices.json("a", "log", "run", "5k", "27:30", "--note", "easy")["activity"]
    goal = cli_devices.json("a", "goal", "add", "20km", "--per", "week")
    _converged(cli_devices)

    cli_devices.ok("a", "edit", run["id"][:8], "--note", "oops")
    cli_devices.ok("a", "goal", "pause", goal["id"][:8])
    _converged(cli_devices)
    assert cli_devices.json("b", "show", run["id"][:8])["note"] == "oops"

    cli_devices.ok("a", "undo")
    cli_devices.ok("a", "undo")
    _converged(cli_devices)
    assert cli_devices.json("b", "show", run["id"][:8])["note"] == "easy"
    assert cli_devices.json("b", "goal", "list")[0]["paused"] is False


def test_undo_of_a_log_deletes_it_on_the_other_device(live: Live, cli_devices: Cli) -> None:
    _two_devices(live, cli_devices)
    cli_devices.json("a", "log", "ride", "20k", "1h")
    _converged(cli_devices)
    assert len(cli_devices.json("b", "list")) == 1
    cli_devices.ok("a", "undo")
    _converged(cli_devices)
    assert cli_devices.json("b", "list") == []


def test_restore_before_and_after_the_deletion_was_synced(live: Live, cli_devices: Cli) -> None:
    _two_devices(live, cli_devices)
    run = cli_devices.json("a", "log", "run", "5k", "27:30")["activity"]
    walk = cli_devices.json("a", "log", "walk", "3k", "40:00")["activity"]
    _converged(cli_devices)

    # Deleted and restored before any sync: the same id, and the server never saw a deletion.
    cli_devices.ok("a", "delete", run["id"][:8], "--yes")
    assert cli_devices.json("a", "restore", run["id"][:8])["id"] == run["id"]
    # Deleted, synced, then restored: the server keeps the deletion, so a copy comes back.
    cli_devices.ok("a", "delete", walk["id"][:8], "--yes")
    _converged(cli_devices)
    assert [a["id"] for a in cli_devices.json("b", "list")] == [run["id"]]
    copy = cli_devices.json("a", "restore", walk["id"][:8])
    assert copy["id"] != walk["id"]
    _converged(cli_devices)
    assert {a["id"] for a in cli_devices.json("b", "list")} == {run["id"], copy["id"]}
