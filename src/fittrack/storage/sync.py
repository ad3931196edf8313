"""What the sync client reads and writes locally, in plain SQL.

A row changed on this device has ``change_seq`` NULL (every CLI write sets it so, and a new row
starts so); a row that matches the server has it set (to the change cursor it arrived with, or 0
once pushed). The (owner, change_seq) index makes "what is there to push" a range scan.
"""

import sqlite3
from datetime import datetime

from fittrack.core.activity import ActivityRecord
from fittrack.core.goals import Goal
from fittrack.core.profile import Profile
from fittrack.storage.profile import write_profile
from fittrack.storage.rows import (
    ACTIVITY_FIELDS,
    BODY_FIELDS,
    GOAL_FIELDS,
    PROFILE_FIELDS,
    activity_from_row,
    activity_to_row,
    goal_from_row,
    goal_to_row,
    named_values,
    profile_from_row,
    read_time,
    select_list,
    to_db_time,
)

TABLES = ("activity", "goal", "profile")

PUSHED = 0
"""The ``change_seq`` of a row the server has accepted and not yet echoed back."""


def get_state(conn: sqlite3.Connection, key: str) -> str | None:
    """One value of the sync bookkeeping (``cursor``, ``account``, ``last_sync``)."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row["value"])


def set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set one value (inside the caller's write transaction)."""
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


WEIGHT_HINT_DAY = "weight_hint_day"
"""The ``sync_state`` key of the last local day the "calories assume 70 kg" hint was shown.

It is not sync bookkeeping, but ``sync_state`` is the database's one key/value table; the key
never leaves this device."""


def claim_day(conn: sqlite3.Connection, key: str, day: str) -> bool:
    """True the first time ``key`` is claimed on ``day`` (``YYYY-MM-DD``), and remembers it:
    for what is said at most once a day. Inside the caller's write transaction."""
    if get_state(conn, key) == day:
        return False
    set_state(conn, key, day)
    return True


def count_changed(conn: sqlite3.Connection) -> int:
    """How many local changes a sync would push: changed activities and goals (deletions
    included), counted on their partial indexes of changed rows only, and a changed profile."""
    total = 0
    for table in ("activity", "goal"):
        total += conn.execute(
            f"SELECT COUNT(*) AS count FROM {table} INDEXED BY ix_{table}_changed "
            "WHERE change_seq IS NULL AND owner = ''"
        ).fetchone()["count"]
    # The same test as changed_profile(): the profile row is pushed when changed here.
    total += conn.execute(
        "SELECT COUNT(*) AS count FROM profile WHERE deleted_at IS NULL AND change_seq IS NULL"
    ).fetchone()["count"]
    return int(total)


def mark_all_changed(conn: sqlite3.Connection) -> None:
    """Everything is to be pushed again (a new server or account)."""
    for table in TABLES:
        conn.execute(f"UPDATE {table} SET change_seq = NULL")


def changed_query(table: str, columns: str) -> str:
    """Rows of ``table`` changed here, by id after a given one: a range of the partial index
    ``ix_<table>_changed`` (only changed rows), however long the log. ``INDEXED BY`` because
    statistics of a log where every row has the same owner lead the planner elsewhere."""
    return (
        f"SELECT {columns} FROM {table} INDEXED BY ix_{table}_changed "
        "WHERE change_seq IS NULL AND owner = '' "
        "AND id > ? ORDER BY id LIMIT ?"
    )


def changed_activities(conn: sqlite3.Connection, after_id: str, limit: int) -> list[ActivityRecord]:
    """Activities changed here (deletions included), by id after ``after_id``."""
    rows = conn.execute(
        changed_query("activity", select_list(ACTIVITY_FIELDS)), (after_id, limit)
    ).fetchall()
    return [activity_from_row(row) for row in rows]


def changed_goals(conn: sqlite3.Connection, after_id: str, limit: int) -> list[Goal]:
    """Goals changed here (deletions included), by id after ``after_id``."""
    rows = conn.execute(
        changed_query("goal", select_list(GOAL_FIELDS)), (after_id, limit)
    ).fetchall()
    return [goal_from_row(row) for row in rows]


def changed_profile(conn: sqlite3.Connection) -> tuple[Profile, datetime] | None:
    """The profile and when it was changed, if it was changed here."""
    row = conn.execute(
        f"SELECT {select_list(PROFILE_FIELDS + BODY_FIELDS)}, updated_at FROM profile "
        "WHERE deleted_at IS NULL AND change_seq IS NULL ORDER BY created_at LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return profile_from_row(row), read_time(row["updated_at"])


def mark_pushed(conn: sqlite3.Connection, table: str, pushed: list[tuple[str, datetime]]) -> None:
    """Rows the server accepted are in sync, unless changed here again since they were read.

    An activity's start and end travel to the second (the ACTIVITY shape), so a start logged to
    the microsecond is cut to its second here too: every device then holds the same row.
    """
    whole_seconds = (
        ", start_at = substr(start_at, 1, 19) || '.000000', "
        "end_at = substr(end_at, 1, 19) || '.000000'"
        if table == "activity"
        else ""
    )
    conn.executemany(
        f"UPDATE {table} SET change_seq = {PUSHED}{whole_seconds} "
        "WHERE id = ? AND updated_at = ? AND change_seq IS NULL",
        [(row_id, to_db_time(updated)) for row_id, updated in pushed],
    )


def mark_profile_pushed(conn: sqlite3.Connection, updated: datetime) -> None:
    """The profile as pushed is in sync (unless changed again since)."""
    conn.execute(
        f"UPDATE profile SET change_seq = {PUSHED} "
        "WHERE deleted_at IS NULL AND updated_at = ? AND change_seq IS NULL",
        (to_db_time(updated),),
    )


def local_version(
    conn: sqlite3.Connection, table: str, row_id: str
) -> tuple[datetime, bool, bool] | None:
    """(updated_at, deleted?, changed here?) of a local row, or None."""
    row = conn.execute(
        f"SELECT updated_at, deleted_at, change_seq FROM {table} WHERE id = ?", (row_id,)
    ).fetchone()
    if row is None:
        return None
    return read_time(row["updated_at"]), row["deleted_at"] is not None, row["change_seq"] is None


def store_activity(conn: sqlite3.Connection, record: ActivityRecord, marker: int) -> None:
    """Write the server's version of an activity, in sync (``change_seq = marker``)."""
    conn.execute(_upsert("activity", ACTIVITY_FIELDS), activity_to_row(record) | {"marker": marker})


def store_goal(conn: sqlite3.Connection, goal: Goal, marker: int) -> None:
    """Write the server's version of a goal, in sync."""
    conn.execute(_upsert("goal", GOAL_FIELDS), goal_to_row(goal) | {"marker": marker})


def _upsert(table: str, fields: tuple[str, ...]) -> str:
    """Insert a row of ``fields`` (named parameters) in sync (``:marker``), or overwrite it."""
    updates = ", ".join(f"{name} = excluded.{name}" for name in fields if name != "id")
    return (
        f"INSERT INTO {table} ({select_list(fields)}, change_seq) "
        f"VALUES ({named_values(fields)}, :marker) "
        f"ON CONFLICT (id, owner) DO UPDATE SET {updates}, change_seq = excluded.change_seq"
    )


def store_profile(
    conn: sqlite3.Connection, profile: Profile, updated: datetime, marker: int
) -> None:
    """Write the server's version of the profile (body figures included), in sync."""
    write_profile(conn, profile, updated, marker, body=True)


def profile_version(conn: sqlite3.Connection) -> tuple[datetime, bool] | None:
    """(updated_at, changed here?) of the local profile, or None."""
    row = conn.execute(
        "SELECT updated_at, change_seq FROM profile WHERE deleted_at IS NULL "
        "ORDER BY created_at LIMIT 1"
    ).fetchone()
    return None if row is None else (read_time(row["updated_at"]), row["change_seq"] is None)
