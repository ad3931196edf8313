"""One log on two devices, end to end: a real `fittrack serve` and real `fittrack` processes, two
FITTRACK_HOMEs logged in as one user. Creates, edits and deletions of activities and goals made on
either side converge whatever the order of syncs; conflicts are reported; a server killed in the
middle of a push loses nothing and doubles nothing; another user sees none of it.

On SQLite always, and on PostgreSQL (with Redis) when FITTRACK_TEST_DATABASE_URL names a server.
"""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.sync.sync_support import (
    Backend,
    Device,
    Server,
    User,
    add_token,
    add_user,
    device_state,
    server_live_ids,
    server_state,
    waiting,
    write_csv,
)

MANY = 2000
"""Activities on the device whose push is cut short: four batches of 500, so that three are still
to go when the server is killed."""


def assert_converged(server: Server, user: User, *devices: Device) -> Any:
    """Every device holds the same rows (tombstones included), and so does the server."""
    states = [device_state(d.db) for d in devices]
    for d, state in zip(devices[1:], states[1:], strict=True):
        assert state == states[0], f"{devices[0].name} and {d.name} differ"
    with server.client(user.token) as client:
        assert server_state(client) == states[0], "the server differs from the devices"
    return states[0]


def test_two_devices_converge(
    backend: Backend,
    make_server: Callable[..., Server],
    device: Callable[..., Device],
) -> None:
    server = make_server(backend)
    ana = add_user(backend.database_url, "ana")
    a, b = device("a"), device("b")
    for d in (a, b):
        assert "Logged in" in d.ok("login", "--server", server.url, "--token", ana.token).stdout

    # Created on both sides before either syncs.
    run = a.json("log", "run", "5k", "27:30", "--start=-3h", "--note", "easy")["activity"]["id"]
    ride = a.json("log", "ride", "20k", "1:00:00", "--start=-1d")["activity"]["id"]
    swim = b.json("log", "swim", "1500m", "40:00", "--start=-5h")["activity"]["id"]
    weekly = b.json("goal", "add", "20km", "--per", "week")["id"]
    times = a.json("goal", "add", "3times", "--per", "week")["id"]

    report = a.sync()
    assert report["pushed"] == {"activities": 2, "goals": 1, "profile": 0}
    assert report["conflicts"] == [] and report["failed"] == []
    report = b.sync()
    assert report["pushed"] == {"activities": 1, "goals": 1, "profile": 0}
    assert report["pulled"] == {"activities": 2, "goals": 1, "profile": 0}
    assert report["conflicts"] == []
    report = a.sync()
    assert report["pulled"] == {"activities": 1, "goals": 1, "profile": 0}
    state = assert_converged(server, ana, a, b)
    assert set(state.activities) == {run, ride, swim}
    assert set(state.goals) == {weekly, times}
    b_list = [item["id"] for item in b.json("list")]
    assert sorted(b_list) == sorted([run, ride, swim])

    # Edits and deletions on both sides, some of the same rows.
    a.ok("edit", run, "--note", "from a")
    a.ok("edit", ride, "--distance", "21k")
    a.ok("goal", "pause", weekly)
    a.ok("goal", "delete", times, "--yes")
    b.ok("edit", run, "--note", "from b")  # later than a's: wins
    b.ok("delete", ride, "--yes")  # a deletion wins over any edit, earlier or later
    b.ok("goal", "edit", weekly, "--target", "25km")  # later than a's pause: wins

    report = b.sync()  # nothing of a's has reached the server yet
    assert report["pushed"] == {"activities": 2, "goals": 1, "profile": 0}
    assert report["conflicts"] == []
    report = a.sync()
    lost = {(c["kind"], c["id"], c["winner"]): c["lost"] for c in report["conflicts"]}
    assert set(lost) == {
        ("activity", run, "server"),
        ("activity", ride, "server"),
        ("goal", weekly, "server"),
    }, report["conflicts"]
    assert lost["activity", run, "server"]["note"] == "from a"  # what lost is shown, not dropped
    assert report["pushed"]["goals"] == 1  # the deletion of `times`
    assert report["failed"] == []
    report = b.sync()
    assert report["pulled"]["goals"] == 1
    assert report["conflicts"] == []

    state = assert_converged(server, ana, a, b)
    assert state.activities[run]["note"] == "from b"
    assert not state.activities[run].deleted
    assert state.activities[ride].deleted
    assert (state.goals[weekly]["target"], state.goals[weekly]["paused"]) == (25000.0, False)
    assert not state.goals[weekly].deleted
    assert state.goals[times].deleted
    assert sorted(item["id"] for item in a.json("list")) == sorted([run, swim])
    assert [g["id"] for g in a.json("goal", "list")] == [weekly]

    # This device's change wins over the other's: said in the human output too.
    b.ok("edit", swim, "--note", "from b")
    a.ok("edit", swim, "--note", "from a")  # later
    assert b.sync()["conflicts"] == []
    human = a.ok("sync")
    conflicts = [line for line in human.stdout.splitlines() if line.startswith("Conflict:")]
    assert len(conflicts) == 1, human.stdout
    assert swim[:8] in conflicts[0]
    assert "this device's change won" in conflicts[0]
    assert human.stdout.startswith("Pushed 1 activity; pulled nothing."), human.stdout
    report = b.sync()
    assert report["pulled"]["activities"] == 1
    state = assert_converged(server, ana, a, b)
    assert state.activities[swim]["note"] == "from a"

    # Synced again, in any order, with nothing new: nothing moves.
    for d in (b, a, b):
        report = d.sync()
        assert report["pushed"] == report["pulled"] == {"activities": 0, "goals": 0, "profile": 0}
        assert report["conflicts"] == []
    assert assert_converged(server, ana, a, b) == state

    # Another user's token sees none of it, and cannot touch it.
    bob = add_user(backend.database_url, "bob")
    c = device("c")
    c.ok("login", "--server", server.url, "--token", bob.token)
    c.ok("log", "walk", "2k", "25:00", "--start=-2h")
    report = c.sync()
    assert report["pulled"] == {"activities": 0, "goals": 0, "profile": 0}
    bob_state = device_state(c.db)
    assert len(bob_state.activities) == 1 and not bob_state.goals
    assert not set(bob_state.activities) & set(state.activities)
    with server.client(bob.token) as client:
        for path in (f"/v1/activities/{run}", f"/v1/activities/{swim}"):
            assert client.get(path).status_code == 404, path
        assert client.get(f"/v1/goals/{weekly}/progress").status_code == 404
        assert client.get("/v1/goals").json() == []
        assert server_live_ids(client) == list(bob_state.activities)
        body = {
            "type": "run",
            "start": "2026-01-01T07:00:00+00:00",
            "end": "2026-01-01T07:30:00+00:00",
            "duration_s": 1800,
            "note": "bob was here",
        }
        # The same id in Bob's account is Bob's own row (the key is owner and id): Ana's is not
        # touched, and nothing says it exists.
        assert client.put(f"/v1/activities/{swim}", json=body).status_code == 201
        assert client.delete(f"/v1/activities/{swim}").status_code == 204
        assert client.delete(f"/v1/goals/{weekly}").status_code == 404
    for d in (a, b):
        report = d.sync()
        assert report["pulled"] == {"activities": 0, "goals": 0, "profile": 0}
    assert assert_converged(server, ana, a, b) == state


def test_server_killed_in_the_middle_of_a_push(
    backend: Backend,
    make_server: Callable[..., Server],
    device: Callable[..., Device],
    tmp_path: Path,
) -> None:
    server = make_server(backend)
    ana = add_user(backend.database_url, "ana")
    a, b = device("a"), device("b")
    a.ok("login", "--server", server.url, "--token", ana.token)
    b.ok("login", "--server", server.url, "--token", add_token(backend.database_url, ana))
    ids = write_csv(tmp_path / "many.csv", MANY)
    assert a.json("import", str(tmp_path / "many.csv"))["added"] == MANY
    swim = b.json("log", "swim", "1500m", "40:00", "--start=-5h")["activity"]["id"]
    b.sync()

    # The server answers a's first batch, then dies (SIGKILL) while the push goes on.
    batch = ("POST", "/v1/batch", 200)
    before = server.requests().count(batch)  # b's push
    with subprocess.Popen(
        [sys.executable, "-m", "fittrack", "sync"],
        env=a.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as syncing:
        deadline = time.monotonic() + 30
        while server.requests().count(batch) == before:
            assert syncing.poll() is None, syncing.communicate()
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.002)
        server.kill()
        out, err = syncing.communicate(timeout=60)
    assert syncing.returncode == 1, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "cannot reach the server" in err or "did not answer" in err, err
    assert "Traceback" not in err
    # The confirmed batches are marked in sync; the rest are still to be pushed.
    assert 0 < waiting(a.db) < MANY

    server.start()
    a.sync()
    b.sync()
    a.sync()
    state = assert_converged(server, ana, a, b)
    assert set(state.activities) == {*ids, swim}
    assert len(state.live_activities()) == MANY + 1
    with server.client(ana.token) as client:
        listed = server_live_ids(client)
    assert len(listed) == len(set(listed)) == MANY + 1  # none twice, none lost
    assert set(listed) == set(state.activities)
    for d in (a, b):
        assert len(d.json("list", "--limit", "0")) == MANY + 1
