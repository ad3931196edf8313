"""The SQL of an import, on real database files: transactions, duplicates, types, extras."""

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tests.helpers import copy_migrated

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import ActivityType
from fittrack.core.goals import Goal
from fittrack.core.profile import Profile
from fittrack.errors import UsageError
from fittrack.storage import activities, imports
from fittrack.storage.db import connect
from fittrack.storage.goals import load_goals
from fittrack.storage.profile import add_custom_type, load_custom_types, load_profile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)


def record(n: int, kind: str = "run", start: datetime = START) -> ActivityRecord:
    return ActivityRecord(
        id=f"00000000-0000-4000-8000-{n:012d}",
        type=kind,
        start=start,
        end=start + timedelta(minutes=30),
        duration_s=1800.0,
        distance_m=5000.0,
        calories_kcal=350.0,
        calories_estimated=True,
        workload=120.0,
        created_at=NOW,
        updated_at=NOW,
    )


def custom(
    slug: str, met: float = 5.8, aliases: tuple[str, ...] = (), **values: object
) -> ActivityType:
    return ActivityType(
        slug=slug,
        name=str(values.get("name", slug.capitalize())),
        met=met,
        aliases=aliases,
        tracks_distance=bool(values.get("tracks_distance", True)),
        compendium="",
        builtin=False,
        figure=str(values.get("figure", "pace")),
        max_speed_mps=values.get("max_speed_mps"),  # type: ignore[arg-type]
    )


def goal(n: int) -> Goal:
    return Goal(
        id=f"11111111-0000-4000-8000-{n:012d}",
        name="",
        period="week",
        metric="distance",
        target=20000.0,
        activity_type=None,
        start_date=date(2026, 4, 27),
        end_date=None,
        paused=False,
        pauses=(),
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture
def path(tmp_path: Path, migrated_template: Path) -> Path:
    """An empty log at the newest schema (the session's migrated database, copied)."""
    return copy_migrated(migrated_template, tmp_path)


@pytest.fixture
def conn(path: Path) -> sqlite3.Connection:
    return connect(path)


def ids(path: Path) -> set[str]:
    """What another connection sees: only what was committed."""
    with sqlite3.connect(path) as other:
        return {row[0] for row in other.execute("SELECT id FROM activity")}


# ---- transactions ----------------------------------------------------------------------------


def test_a_file_transaction_commits_or_rolls_back_everything(
    conn: sqlite3.Connection, path: Path
) -> None:
    kept = imports.FileTransaction(conn)
    assert not kept.nested
    activities.insert(conn, [record(1)])
    kept.commit()
    dropped = imports.FileTransaction(conn)
    activities.insert(conn, [record(2)])
    add_custom_type(conn, custom("climbing"), NOW)
    dropped.rollback()
    assert ids(path) == {record(1).id}
    assert load_custom_types(conn) == []
    assert not conn.in_transaction


def test_inside_a_dry_run_files_are_savepoints_and_nothing_is_kept(
    conn: sqlite3.Connection, path: Path
) -> None:
    imports.begin_dry_run(conn)
    first = imports.FileTransaction(conn)
    assert first.nested
    activities.insert(conn, [record(1)])
    first.commit()
    failed = imports.FileTransaction(conn)
    activities.insert(conn, [record(2)])
    failed.rollback()
    # The next file sees the one before it, not the one that failed.
    assert imports.id_taken(conn, record(1).id)
    assert not imports.id_taken(conn, record(2).id)
    imports.discard_dry_run(conn)
    assert ids(path) == set()
    assert not conn.in_transaction


# ---- activities and duplicates ---------------------------------------------------------------


def test_insert_new_leaves_out_taken_ids_and_counts_the_rest(conn: sqlite3.Connection) -> None:
    assert imports.log_is_empty(conn)
    with conn:
        assert imports.insert_new(conn, [record(1), record(2)]) == 2
        assert imports.insert_new(conn, [record(2), record(3), record(3)]) == 1
    assert not imports.log_is_empty(conn)
    assert sorted(imports.activity_ids(conn)) == [record(n).id for n in (1, 2, 3)]


def test_the_sweep_keeps_the_first_of_a_type_within_a_minute(conn: sqlite3.Connection) -> None:
    rows = [
        record(1, "run", START),
        record(2, "run", START + timedelta(seconds=59)),  # a minute of the first: swept
        record(3, "ride", START + timedelta(seconds=30)),  # another type: kept
        record(4, "run", START + timedelta(seconds=130)),  # over a minute of any earlier run: kept
        record(5, "run", START - timedelta(seconds=59)),  # a later row, just before: swept
    ]
    with conn:
        imports.insert_new(conn, rows)
        assert imports.sweep_near_duplicates(conn) == 2
    assert sorted(imports.activity_ids(conn)) == [record(n).id for n in (1, 3, 4)]


def test_taken_ids_count_deleted_activities_but_near_duplicates_do_not(
    conn: sqlite3.Connection,
) -> None:
    with conn:
        activities.insert(conn, [record(1)])
    near = record(2, start=START + timedelta(seconds=45))
    assert imports.is_near_duplicate(conn, near)
    assert not imports.is_near_duplicate(conn, record(2, "ride", near.start))
    assert not imports.is_near_duplicate(conn, record(2, start=START + timedelta(seconds=61)))
    with conn:
        activities.tombstone(conn, record(1).id, NOW)
    assert imports.id_taken(conn, record(1).id)
    assert not imports.id_taken(conn, record(2).id)
    assert not imports.is_near_duplicate(conn, near)


@pytest.mark.parametrize("seconds", [-61, -60, -59.5, 0, 30, 60, 60.000001, 3600])
def test_is_near_duplicate_keeps_to_the_rule_of_near_duplicate(
    conn: sqlite3.Connection, seconds: float
) -> None:
    with conn:
        activities.insert(conn, [record(1)])
    other = record(2, start=START + timedelta(seconds=seconds))
    expected = activities.near_duplicate(conn, other.type, other.start) is not None
    assert imports.is_near_duplicate(conn, other) == expected


# ---- types -----------------------------------------------------------------------------------


def test_a_new_type_is_stored_and_a_taken_name_refused(conn: sqlite3.Connection) -> None:
    with conn:
        kind = imports.add_new_type(conn, "kitesurf", 3.3, NOW)
    assert (kind.slug, kind.met, kind.builtin) == ("kitesurf", 3.3, False)
    assert [t.slug for t in load_custom_types(conn)] == ["kitesurf"]
    with pytest.raises(UsageError):
        imports.add_new_type(conn, "kitesurf", 3.3, NOW)
    with pytest.raises(UsageError):
        imports.add_new_type(conn, "run", 3.3, NOW)  # a built-in type's name


# ---- our JSON backup's extras ----------------------------------------------------------------


def test_backup_types_are_added_unless_a_name_is_taken(conn: sqlite3.Connection) -> None:
    with conn:
        add_custom_type(conn, custom("climbing", 5.8, ("bouldering",)), NOW)
    warnings: list[str] = []
    theirs = [
        custom("climbing", 6.0, ("bouldering",)),  # defined differently here: ours kept
        custom("run"),  # a built-in name
        custom("padel", 7.3, ("bouldering", "tennis-ish")),  # one alias taken: left out
        custom("climbing", 5.8, ("bouldering",)),  # the same as ours: nothing to say
    ]
    with conn:
        assert imports.add_backup_types(conn, theirs, NOW, warnings) == 1
    assert warnings == [
        "the backup's type 'climbing' differs from yours (MET 5.8 here, 6 in the backup): "
        "kept yours",
        "the backup's type 'run' is already a name here: kept the one here",
        "the alias 'bouldering' of the backup's type 'padel' is already a name here: left out",
    ]
    padel = next(t for t in load_custom_types(conn) if t.slug == "padel")
    assert (padel.met, padel.aliases) == (7.3, ("tennis-ish",))


def test_type_differences_name_each_field_that_differs() -> None:
    mine = custom("climbing", 5.8, ("bouldering",), max_speed_mps=None)
    theirs = custom(
        "climbing", 6.0, (), name="Klettern", tracks_distance=False, figure="duration",
        max_speed_mps=2.5,
    )  # fmt: skip
    assert imports.type_differences(mine, mine) == ""
    assert imports.type_differences(mine, theirs) == (
        "name Climbing here, Klettern in the backup; MET 5.8 here, 6 in the backup; "
        "aliases bouldering here, none in the backup; counts distance yes here, no in the "
        "backup; top speed m/s none here, 2.5 in the backup; figure pace here, duration in the "
        "backup"
    )


def test_goals_whose_id_is_here_are_left_as_they_are(conn: sqlite3.Connection) -> None:
    with conn:
        assert imports.add_missing_goals(conn, [goal(1), goal(2)]) == 2
        assert imports.add_missing_goals(conn, [goal(2), goal(3)]) == 1
    assert [g.id for g in load_goals(conn)] == [goal(n).id for n in (1, 2, 3)]


def test_the_profile_is_taken_only_when_none_is_saved(conn: sqlite3.Connection) -> None:
    theirs = Profile(weight_kg=64.0, timezone="Europe/Vienna", units="imperial")
    with conn:
        assert imports.save_profile_if_unset(conn, theirs, NOW)
        assert not imports.save_profile_if_unset(conn, Profile(weight_kg=80.0), NOW)
    assert load_profile(conn) == theirs
