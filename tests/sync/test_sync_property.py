"""Any interleaving of changes and syncs on two devices converges.

Hypothesis draws a sequence of operations on devices a and b of one user: log an activity, edit
one (note, distance), delete one, add a goal, edit, pause or resume, delete one, set the weight in
the profile, sync a, sync b.
After a final sync of a, b and a again, both devices hold the same rows, tombstones included, the
server holds them too, and each row is what its last write made it (a deletion wins over any edit
and stays; otherwise the later ``updated_at`` wins): nothing is lost, nothing is doubled.

The server runs in this process (the ``live`` fixture: uvicorn in a thread, on SQLite, limits out
of the way), a new user for each example, and the devices are driven through CliRunner, one
FITTRACK_HOME each (starting from a copy of the session's migrated database), for speed.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.sync.conftest import Live
from tests.sync.sync_support import Cli, Row, State, add_user, api, device_state, server_state


class Devices(Cli):
    """Devices a and b of one new user, logged in to the in-process server."""

    def __init__(self, root: Path, live: Live, template: Path) -> None:
        super().__init__(root, template)
        self.live = live
        self.user = add_user(live.database_url, "prop")
        for name in ("a", "b"):
            self.ok(name, "login", "--server", live.url, "--token", self.user.token)

    def sync(self, name: str) -> dict[str, Any]:
        report = super().sync(name)
        assert report["failed"] == [], report
        for conflict in report["conflicts"]:
            event(f"conflict: {conflict['kind']}, {conflict['winner']} won")
        return report

    def state(self, name: str) -> State:
        return device_state(self.db(name))


KINDS = (
    "log",
    "note",
    "distance",
    "delete",
    "goal_add",
    "goal_target",
    "goal_pause",
    "goal_delete",
    "profile",
    "sync",
)
operations = st.lists(
    st.tuples(
        st.sampled_from((*KINDS, "sync")),  # syncs twice as often as any one change
        st.sampled_from("ab"),
        st.integers(0, 3),  # which live row (modulo their number): both devices often pick one
        st.integers(1, 40),  # a number to write
    ),
    max_size=14,
)


class Model:
    """What each row must end as: its latest write (read back from the device that made it), or
    deleted when any device deleted it."""

    def __init__(self) -> None:
        self.activities: dict[str, Row] = {}
        self.goals: dict[str, Row] = {}
        self.deleted: set[str] = set()
        self.profile: tuple[Any, ...] | None = None

    def wrote(self, devices: Devices, name: str, kind: str, row_id: str) -> None:
        state = devices.state(name)
        rows = self.activities if kind == "activity" else self.goals
        row = (state.activities if kind == "activity" else state.goals)[row_id]
        # The latest write wins (a command that changed nothing may keep an older stamp).
        if row_id not in rows or row.updated_at > rows[row_id].updated_at:
            rows[row_id] = row
        if row.deleted:
            self.deleted.add(row_id)


def _live(rows: dict[str, Row]) -> list[str]:
    return sorted(row_id for row_id, row in rows.items() if not row.deleted)


def apply(devices: Devices, model: Model, op: tuple[str, str, int, int]) -> None:
    kind, name, pick, number = op
    state = devices.state(name) if devices.db(name).exists() else State({}, {})
    activities, goals = _live(state.activities), _live(state.goals)
    if kind == "sync":
        devices.sync(name)
    elif kind == "log":
        # --force: logs an hour apart on two devices may be doubles, and 40k in 30:00 is too fast
        # to run; neither rule is what this test is about.
        logged = devices.json(
            name, "log", "run", f"{number}k", "30:00", f"--start=-{pick + 1}h", "--force"
        )
        model.wrote(devices, name, "activity", logged["activity"]["id"])
    elif kind in ("note", "distance", "delete") and activities:
        target = activities[pick % len(activities)]
        if kind == "note":
            devices.ok(name, "edit", target, "--note", f"{name}{number}")
        elif kind == "distance":
            devices.ok(name, "edit", target, "--distance", f"{number}.5k", "--force")
        else:
            devices.ok(name, "delete", target, "--yes")
        model.wrote(devices, name, "activity", target)
    elif kind == "goal_add":
        goal = devices.json(name, "goal", "add", f"{number}km", "--per", "week")
        model.wrote(devices, name, "goal", goal["id"])
    elif kind in ("goal_target", "goal_pause", "goal_delete") and goals:
        target = goals[pick % len(goals)]
        if kind == "goal_target":
            devices.ok(name, "goal", "edit", target, "--target", f"{number + 1}km")
        elif kind == "goal_pause":
            paused = state.goals[target]["paused"]
            devices.ok(name, "goal", "resume" if paused else "pause", target)
        else:
            devices.ok(name, "goal", "delete", target, "--yes")
        model.wrote(devices, name, "goal", target)
    elif kind == "profile":
        devices.ok(name, "profile", "set", "--weight", f"{number + 45}kg")
        written = devices.state(name).profile
        assert written is not None
        if model.profile is None or written[-1] > model.profile[-1]:
            model.profile = written


@settings(
    max_examples=30,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_interleaving_converges(
    live: Live, migrated_template: Path, ops: list[tuple[str, str, int, int]]
) -> None:
    model = Model()
    with tempfile.TemporaryDirectory(prefix="fittrack-prop-") as root:
        devices = Devices(Path(root), live, migrated_template)
        # One activity and one goal both devices know, so that they can disagree about them.
        apply(devices, model, ("log", "a", 0, 5))
        apply(devices, model, ("goal_add", "a", 0, 20))
        devices.sync("a")
        devices.sync("b")
        for op in ops:
            apply(devices, model, op)
        for name in ("a", "b", "a"):
            devices.sync(name)
        final_a, final_b = devices.state("a"), devices.state("b")
        assert final_a == final_b
        with api(live.url, devices.user.token) as client:
            assert server_state(client) == final_a

        # Nothing lost, nothing made up; deletions stay; otherwise the last write wins.
        assert set(final_a.activities) == set(model.activities)
        assert set(final_a.goals) == set(model.goals)
        for rows, written in (
            (final_a.activities, model.activities),
            (final_a.goals, model.goals),
        ):
            for row_id, row in rows.items():
                if row_id in model.deleted:
                    assert row.deleted, row_id
                else:
                    assert row == written[row_id], row_id
        assert final_a.profile == model.profile

        # Converged: one more round moves nothing.
        for name in ("b", "a"):
            report = devices.sync(name)
            assert (
                report["pushed"]
                == report["pulled"]
                == {
                    "activities": 0,
                    "goals": 0,
                    "profile": 0,
                }
            )
            assert report["conflicts"] == []
