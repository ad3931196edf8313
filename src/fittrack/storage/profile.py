"""Reading and saving the one profile row, and the custom activity types, in plain SQL."""

import sqlite3
import uuid
from datetime import datetime

from fittrack.core.activity_types import ActivityType
from fittrack.core.profile import Profile
from fittrack.storage.activities import to_db_time


def load_profile(conn: sqlite3.Connection) -> Profile:
    """The profile, or the defaults when none was saved."""
    row = conn.execute(
        "SELECT weight_kg, timezone, units, week_start FROM profile "
        "WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1"
    ).fetchone()
    if row is None:
        return Profile()
    return Profile(weight_kg=row[0], timezone=row[1], units=row[2], week_start=row[3])


def save_profile(conn: sqlite3.Connection, profile: Profile, now: datetime) -> None:
    """Store the profile (inside the caller's write transaction)."""
    stamp = to_db_time(now)
    values = (profile.weight_kg, profile.timezone, profile.units, profile.week_start, stamp)
    updated = conn.execute(
        "UPDATE profile SET weight_kg=?, timezone=?, units=?, week_start=?, updated_at=?, "
        "change_seq=NULL WHERE deleted_at IS NULL",
        values,
    )
    if updated.rowcount == 0:
        conn.execute(
            "INSERT INTO profile (weight_kg, timezone, units, week_start, updated_at, id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*values, str(uuid.uuid4()), stamp),
        )


def load_custom_types(conn: sqlite3.Connection) -> list[ActivityType]:
    """The activity types the person added."""
    rows = conn.execute(
        "SELECT slug, name, met, aliases, tracks_distance, figure, max_speed_mps "
        "FROM activity_type "
        "WHERE deleted_at IS NULL ORDER BY slug"
    ).fetchall()
    return [
        ActivityType(
            slug=row[0],
            name=row[1],
            met=float(row[2]),
            aliases=tuple(a for a in str(row[3]).split(",") if a),
            tracks_distance=bool(row[4]),
            builtin=False,
            compendium="",
            figure=row[5] or "pace",
            max_speed_mps=row[6],
        )
        for row in rows
    ]


def add_custom_type(conn: sqlite3.Connection, activity_type: ActivityType, now: datetime) -> None:
    """Store a new custom type (inside the caller's write transaction)."""
    stamp = to_db_time(now)
    conn.execute(
        "INSERT INTO activity_type (id, slug, name, met, aliases, tracks_distance, figure, "
        "max_speed_mps, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(uuid.uuid4()),
            activity_type.slug,
            activity_type.name,
            activity_type.met,
            ",".join(activity_type.aliases),
            activity_type.tracks_distance,
            activity_type.figure,
            activity_type.max_speed_mps,
            stamp,
            stamp,
        ),
    )
