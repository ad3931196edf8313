"""Reading and saving the one profile row, and the custom activity types, in plain SQL."""

import sqlite3
import uuid
from datetime import datetime

from fittrack.core.activity_types import ActivityType
from fittrack.core.profile import Profile
from fittrack.storage.rows import (
    BODY_FIELDS,
    PROFILE_FIELDS,
    TYPE_FIELDS,
    named_values,
    profile_body_to_row,
    profile_from_row,
    profile_to_row,
    select_list,
    to_db_time,
    type_from_row,
    type_to_row,
)


def load_profile(conn: sqlite3.Connection) -> Profile:
    """The profile, or the defaults when none was saved."""
    row = conn.execute(
        f"SELECT {select_list(PROFILE_FIELDS + BODY_FIELDS)} FROM profile "
        "WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1"
    ).fetchone()
    return Profile() if row is None else profile_from_row(row)


def save_profile(conn: sqlite3.Connection, profile: Profile, now: datetime) -> None:
    """Store the profile as changed here (inside the caller's write transaction)."""
    write_profile(conn, profile, now, None, body=True)


def write_profile(
    conn: sqlite3.Connection,
    profile: Profile,
    updated: datetime,
    change_seq: int | None,
    *,
    body: bool = False,
) -> None:
    """Update the one live profile row, or create it: ``change_seq`` None for a change made
    here (to be pushed), a number for the server's version (in sync). ``body`` writes the
    ``BODY_FIELDS`` too (a change made here, or a pulled profile: sync carries them)."""
    fields = profile_to_row(profile) | (profile_body_to_row(profile) if body else {})
    values = fields | {
        "updated_at": to_db_time(updated),
        "change_seq": change_seq,
    }
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    changed = conn.execute(f"UPDATE profile SET {assignments} WHERE deleted_at IS NULL", values)
    if changed.rowcount == 0:
        row = values | {"id": str(uuid.uuid4()), "created_at": values["updated_at"]}
        conn.execute(
            f"INSERT INTO profile ({', '.join(row)}) VALUES ({named_values(tuple(row))})", row
        )


def load_custom_types(conn: sqlite3.Connection) -> list[ActivityType]:
    """The activity types the person added."""
    rows = conn.execute(
        f"SELECT {select_list(TYPE_FIELDS)} FROM activity_type "
        "WHERE deleted_at IS NULL ORDER BY slug"
    ).fetchall()
    return [type_from_row(row) for row in rows]


def add_custom_type(conn: sqlite3.Connection, activity_type: ActivityType, now: datetime) -> str:
    """Store a new custom type (inside the caller's write transaction); returns its row's id."""
    stamp = to_db_time(now)
    row = type_to_row(activity_type) | {
        "id": str(uuid.uuid4()),
        "created_at": stamp,
        "updated_at": stamp,
    }
    conn.execute(
        f"INSERT INTO activity_type ({', '.join(row)}) VALUES ({named_values(tuple(row))})", row
    )
    return str(row["id"])
