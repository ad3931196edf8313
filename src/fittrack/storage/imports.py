"""The SQL an import runs: each file's transaction, duplicates, new types, a backup's extras.

``fittrack.importer`` decides what to add and reports it; the statements are here. Every function
works inside the transaction the caller holds (``FileTransaction``, or ``begin_dry_run`` around a
whole dry run), so a file that fails leaves nothing behind: not its activities, not the types it
added, not its backup's goals or profile.
"""

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import ActivityType, validate_new_type
from fittrack.core.profile import Profile
from fittrack.errors import UsageError
from fittrack.storage import activities
from fittrack.storage.db import begin_immediate
from fittrack.storage.profile import add_custom_type, load_custom_types, save_profile
from fittrack.storage.rows import to_db_time

if TYPE_CHECKING:  # storage.goals (and core.progress with it) loads only for a backup's goals
    from fittrack.core.goals import Goal

# Into an empty log every row comes from the file being imported: drop each activity that has one
# of the same type starting within a minute earlier in the file (by rowid, i.e. file order).
_SWEEP_NEAR_DUPLICATES = f"""
DELETE FROM activity WHERE rowid IN (
    SELECT later.rowid FROM activity AS later WHERE EXISTS (
        SELECT 1 FROM activity AS earlier
        WHERE earlier.type = later.type AND earlier.rowid < later.rowid
          AND earlier.start_at >= strftime('%Y-%m-%d %H:%M:%f', later.start_at,
                                           '-{activities.DUPLICATE_WINDOW_S} seconds')
          AND earlier.start_at <= strftime('%Y-%m-%d %H:%M:%f', later.start_at,
                                           '+{activities.DUPLICATE_WINDOW_S} seconds')))
"""


# ---- transactions ----------------------------------------------------------------------------


def begin_dry_run(conn: sqlite3.Connection) -> None:
    """Open the transaction a dry run does all its files in (``discard_dry_run`` ends it)."""
    begin_immediate(conn)


def discard_dry_run(conn: sqlite3.Connection) -> None:
    """Roll back everything a dry run did."""
    conn.execute("ROLLBACK")


class FileTransaction:
    """One file, all or nothing: its own ``BEGIN IMMEDIATE``, or a savepoint inside a dry run's.

    In a dry run each file sees the ones before it, as a real run would, and all are rolled back
    at the end. Starting says so on stderr when another fittrack holds the write lock.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.nested = conn.in_transaction
        if self.nested:
            conn.execute("SAVEPOINT import_file")
        else:
            begin_immediate(conn)

    def commit(self) -> None:
        """Keep the file (inside a dry run: until the dry run is discarded)."""
        self.conn.execute("RELEASE import_file" if self.nested else "COMMIT")

    def rollback(self) -> None:
        """Undo everything the file did."""
        if self.nested:
            self.conn.execute("ROLLBACK TO import_file")
            self.conn.execute("RELEASE import_file")
        else:
            self.conn.execute("ROLLBACK")


# ---- activities and duplicates ---------------------------------------------------------------


def log_is_empty(conn: sqlite3.Connection) -> bool:
    """Whether there is no activity at all, deleted ones included."""
    return conn.execute("SELECT 1 FROM activity LIMIT 1").fetchone() is None


def insert_new(conn: sqlite3.Connection, records: Iterable[ActivityRecord]) -> int:
    """Insert the activities whose id is not taken (the others are left out); returns how many."""
    before = conn.total_changes
    activities.insert(conn, records, ignore_existing=True)
    return conn.total_changes - before


def sweep_near_duplicates(conn: sqlite3.Connection) -> int:
    """Delete each activity with one of the same type starting within a minute before it in
    insertion order; returns how many were deleted. Only for a log the current file filled."""
    return conn.execute(_SWEEP_NEAR_DUPLICATES).rowcount


def activity_ids(conn: sqlite3.Connection) -> list[str]:
    """The id of every activity, in no particular order."""
    return [row["id"] for row in conn.execute("SELECT id FROM activity")]


def id_taken(conn: sqlite3.Connection, activity_id: str) -> bool:
    """Whether an activity has this id, deleted ones included."""
    found = conn.execute("SELECT 1 FROM activity WHERE id = ?", (activity_id,)).fetchone()
    return found is not None


def is_near_duplicate(conn: sqlite3.Connection, record: ActivityRecord) -> bool:
    """Whether a live activity of the same type starts within a minute of this one.

    The rule of ``activities.near_duplicate`` (the same window and index range), asked only
    whether: an import asks it once per row, and reading and ordering the match costs three
    times as much when there is one.
    """
    window = timedelta(seconds=activities.DUPLICATE_WINDOW_S)
    found = conn.execute(
        "SELECT 1 FROM activity WHERE type = ? AND start_at >= ? AND start_at <= ? "
        "AND deleted_at IS NULL LIMIT 1",
        (
            record.type,
            to_db_time(record.start - window),
            to_db_time(record.start + window),
        ),
    ).fetchone()
    return found is not None


def existing_without_track(conn: sqlite3.Connection, record: ActivityRecord) -> str | None:
    """The live activity this duplicate ``record`` stands for, when it has no track yet: the
    one with its id, else the one of its type starting nearest to it within the minute."""
    window = timedelta(seconds=activities.DUPLICATE_WINDOW_S)
    row = conn.execute(
        "SELECT id FROM activity WHERE deleted_at IS NULL AND (id = ? OR (type = ? "
        "AND start_at >= ? AND start_at <= ?)) AND NOT EXISTS (SELECT 1 FROM activity_track t "
        "WHERE t.activity_id = activity.id AND t.owner = activity.owner) "
        "ORDER BY id = ? DESC, abs(julianday(start_at) - julianday(?)) LIMIT 1",
        (
            record.id,
            record.type,
            to_db_time(record.start - window),
            to_db_time(record.start + window),
            record.id,
            to_db_time(record.start),
        ),
    ).fetchone()
    return None if row is None else str(row["id"])


def takes_track(conn: sqlite3.Connection, activity_id: str) -> bool | None:
    """Whether the activity with this id takes a backup's track: True when it is live without
    one, False when it is deleted or has one, None when no activity has this id."""
    row = conn.execute(
        "SELECT deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM activity_track t "
        "WHERE t.activity_id = activity.id AND t.owner = activity.owner) "
        "FROM activity WHERE id = ?",
        (activity_id,),
    ).fetchone()
    return None if row is None else bool(row[0])


# ---- types -----------------------------------------------------------------------------------


def add_new_type(conn: sqlite3.Connection, slug: str, met: float, now: datetime) -> ActivityType:
    """Add a custom type for a sport no type here has; UsageError when the name is taken."""
    kind = validate_new_type(slug, met, [], load_custom_types(conn))
    add_custom_type(conn, kind, now)
    return kind


# ---- our JSON backup's types, goals and profile ----------------------------------------------


def add_missing_goals(conn: sqlite3.Connection, goals: Iterable["Goal"]) -> int:
    """Insert each goal whose id is not here (deleted ones included); returns how many."""
    from fittrack.storage.goals import insert_goal

    added = 0
    for goal in goals:
        if conn.execute("SELECT 1 FROM goal WHERE id = ?", (goal.id,)).fetchone() is None:
            insert_goal(conn, goal)
            added += 1
    return added


def save_profile_if_unset(conn: sqlite3.Connection, profile: Profile, now: datetime) -> bool:
    """Save the profile when no profile row exists yet; whether it was saved."""
    if conn.execute("SELECT 1 FROM profile").fetchone() is not None:
        return False
    save_profile(conn, profile, now)
    return True


def add_backup_types(
    conn: sqlite3.Connection, types: Sequence[ActivityType], now: datetime, warnings: list[str]
) -> int:
    """Add our JSON backup's custom types that are not here yet; returns how many.

    A type already here with the same definition is left as it is; one defined differently keeps
    the definition here: changing a type would change how the activities already logged with it
    read. A type or alias whose name another type here holds is left out. Each of these is said
    in a line appended to ``warnings``.
    """
    added = 0
    for kind in types:
        existing = load_custom_types(conn)
        mine = next((t for t in existing if t.slug == kind.slug), None)
        if mine is not None:
            differs = type_differences(mine, kind)
            if differs:
                warnings.append(
                    f"the backup's type '{kind.slug}' differs from yours ({differs}): kept yours"
                )
            continue
        try:
            validate_new_type(kind.slug, kind.met, [], existing)
        except UsageError:  # a built-in type's name, or another type's alias
            warnings.append(
                f"the backup's type '{kind.slug}' is already a name here: kept the one here"
            )
            continue
        aliases: list[str] = []
        for alias in kind.aliases:
            try:
                validate_new_type(kind.slug, kind.met, [*aliases, alias], existing)
            except UsageError:
                warnings.append(
                    f"the alias '{alias}' of the backup's type '{kind.slug}' is already a "
                    "name here: left out"
                )
            else:
                aliases.append(alias)
        add_custom_type(conn, replace(kind, aliases=tuple(aliases)), now)
        added += 1
    return added


def type_differences(mine: ActivityType, theirs: ActivityType) -> str:
    """What differs between two definitions of a type, e.g. "MET 5.8 here, 6 in the backup"."""
    parts = []
    for label, a, b in (
        ("name", mine.name, theirs.name),
        ("MET", mine.met, theirs.met),
        ("aliases", ",".join(mine.aliases), ",".join(theirs.aliases)),
        ("counts distance", mine.tracks_distance, theirs.tracks_distance),
        ("top speed m/s", mine.max_speed_mps, theirs.max_speed_mps),
        ("figure", mine.figure, theirs.figure),
    ):
        if a != b:
            parts.append(f"{label} {_shown(a)} here, {_shown(b)} in the backup")
    return "; ".join(parts)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
