"""`auto_sync`: with it on, each change goes to the server as it is made, so another device pulls it
without this one syncing again; with the server away, the change is saved here, the command still
succeeds, and the next sync takes it."""

import json
from collections.abc import Callable

from tests.sync.conftest import Live
from tests.sync.sync_support import Backend, Cli, Server, add_user, device_state, waiting

SAVED_LATER = "Saved locally, will sync later."


def test_each_change_is_pushed_as_it_is_made(live: Live, cli_devices: Cli) -> None:
    ana = add_user(live.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "config", "set", "auto_sync", "true")

    # Before this device's first full sync there is nothing to push to yet: it says so.
    first = cli_devices.ok("a", "log", "walk", "3k", "35:00", "--start=-5h")
    assert "run `fittrack sync` once" in first.stderr
    assert waiting(cli_devices.db("a")) == 1
    cli_devices.sync("a")
    cli_devices.sync("b")

    logged = cli_devices.ok("a", "log", "run", "5k", "27:30", "--json")
    assert "Saved locally" not in logged.stderr
    run = json.loads(logged.stdout)["activity"]["id"]
    assert waiting(cli_devices.db("a")) == 0
    report = cli_devices.sync("b")
    assert report["pulled"] == {"activities": 1, "goals": 0, "profile": 0}
    assert run in {item["id"] for item in cli_devices.json("b", "list")}

    # Edits, deletions and goals go the same way.
    cli_devices.ok("a", "edit", run, "--note", "tempo")
    goal = cli_devices.json("a", "goal", "add", "20km", "--per", "week")["id"]
    cli_devices.ok("a", "goal", "pause", goal)
    walk = next(i for i in device_state(cli_devices.db("a")).live_activities() if i != run)
    cli_devices.ok("a", "delete", walk, "--yes")
    assert waiting(cli_devices.db("a")) == waiting(cli_devices.db("a"), "goal") == 0
    report = cli_devices.sync("b")
    assert report["pulled"] == {"activities": 2, "goals": 1, "profile": 0}
    assert report["conflicts"] == []
    assert cli_devices.json("b", "show", run)["note"] == "tempo"
    assert [g["paused"] for g in cli_devices.json("b", "goal", "list")] == [True]
    state = device_state(cli_devices.db("b"))
    assert state.activities[walk].deleted

    # Nothing was left for a's own sync.
    report = cli_devices.sync("a")
    assert report["pushed"] == {"activities": 0, "goals": 0, "profile": 0}
    assert device_state(cli_devices.db("a")) == state


def test_with_the_server_away_a_change_is_saved_and_the_next_sync_pushes_it(
    sqlite_backend: Backend, make_server: Callable[..., Server], cli_devices: Cli
) -> None:
    server = make_server(sqlite_backend)
    ana = add_user(sqlite_backend.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", server.url, "--token", ana.token)
    cli_devices.ok("a", "config", "set", "auto_sync", "true")
    cli_devices.sync("a")
    server.stop()

    logged = cli_devices.run("a", "log", "run", "5k", "27:30", "--json")
    assert logged.exit_code == 0, logged.stdout + logged.stderr
    assert SAVED_LATER in logged.stderr
    assert "Traceback" not in logged.stderr
    run = json.loads(logged.stdout)["activity"]["id"]  # stdout: the data only
    assert [item["id"] for item in cli_devices.json("a", "list")] == [run]
    goal = cli_devices.run("a", "goal", "add", "20km", "--per", "week")
    assert goal.exit_code == 0
    assert SAVED_LATER in goal.stderr
    assert waiting(cli_devices.db("a")) == waiting(cli_devices.db("a"), "goal") == 1

    server.start()
    report = cli_devices.sync("a")
    assert report["pushed"] == {"activities": 1, "goals": 1, "profile": 0}
    report = cli_devices.sync("b")
    assert report["pulled"] == {"activities": 1, "goals": 1, "profile": 0}
    assert device_state(cli_devices.db("a")) == device_state(cli_devices.db("b"))


def test_a_pushed_change_that_loses_is_listed_by_the_command_that_pushed_it(
    live: Live, cli_devices: Cli
) -> None:
    ana = add_user(live.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", live.url, "--token", ana.token)
        cli_devices.ok(name, "config", "set", "auto_sync", "true")
    run = json.loads(cli_devices.ok("a", "log", "run", "5k", "27:30", "--json").stdout)
    run_id = run["activity"]["id"]
    cli_devices.sync("a")
    cli_devices.sync("b")
    cli_devices.ok("b", "delete", run_id, "--yes")  # pushed at once
    edited = cli_devices.ok("a", "edit", run_id, "--note", "too late")
    assert "Conflict: activity" in edited.stderr
    assert "other device's change won" in edited.stderr
    assert device_state(cli_devices.db("a")).activities[run_id].deleted
