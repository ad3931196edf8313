"""An activity's track in plain SQL: save (insert or replace), load, which activities have one.

The row is ``activity_track`` (``storage.schema.ActivityTrack``), its ``data`` the bytes of
``storage.trackcodec``. Saving works inside the caller's transaction (the importer's per-file
one), so a track is written with its activity or not at all. ``figures_json`` and
``elevation_gain_m`` are the derived figures the caller computed (``core.track_figures``), kept
so that ``summary`` over a whole log reads them without decoding a track.
"""

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from fittrack.core.track import Track
from fittrack.storage import trackcodec
from fittrack.storage.rows import NO_OWNER, to_db_time

_CHUNK = 500
"""Ids asked about per query: well under SQLite's limit of bound parameters."""


def save_track(
    conn: sqlite3.Connection,
    activity_id: str,
    track: Track,
    now: datetime,
    *,
    figures_json: str | None = None,
    elevation_gain_m: float | None = None,
) -> int:
    """Store ``track`` as the activity's, replacing any it had; returns the bytes stored.

    A replaced track keeps its ``created_at``; ``change_seq`` goes back to NULL (changed here).
    """
    data = trackcodec.encode(track)
    stamp = to_db_time(now)
    conn.execute(
        "INSERT INTO activity_track (activity_id, owner, samples, data, elevation_gain_m, "
        "best_efforts, created_at, updated_at, change_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL) "
        "ON CONFLICT (activity_id, owner) DO UPDATE SET samples = excluded.samples, "
        "data = excluded.data, elevation_gain_m = excluded.elevation_gain_m, "
        "best_efforts = excluded.best_efforts, updated_at = excluded.updated_at, "
        "change_seq = NULL",
        (
            activity_id,
            NO_OWNER,
            len(track),
            data,
            elevation_gain_m,
            figures_json,
            stamp,
            stamp,
        ),
    )
    return len(data)


def load_track(conn: sqlite3.Connection, activity_id: str) -> Track | None:
    """The activity's track, or None when it has none (``DataError`` when the stored one is
    damaged)."""
    row = conn.execute(
        "SELECT data FROM activity_track WHERE activity_id = ? AND owner = ?",
        (activity_id, NO_OWNER),
    ).fetchone()
    return None if row is None else trackcodec.decode(bytes(row[0]))


def has_track(conn: sqlite3.Connection, activity_ids: Iterable[str]) -> set[str]:
    """Which of these activities have a track."""
    ids = list(activity_ids)
    found: set[str] = set()
    for first in range(0, len(ids), _CHUNK):
        chunk = ids[first : first + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        found.update(
            row[0]
            for row in conn.execute(
                f"SELECT activity_id FROM activity_track WHERE owner = ? "
                f"AND activity_id IN ({marks})",
                (NO_OWNER, *chunk),
            )
        )
    return found


def delete_orphans(conn: sqlite3.Connection) -> int:
    """Delete the tracks whose activity row is gone (the importer's sweep of duplicates within
    one file deletes rows outright); returns how many."""
    return conn.execute(
        "DELETE FROM activity_track WHERE NOT EXISTS (SELECT 1 FROM activity "
        "WHERE activity.id = activity_track.activity_id "
        "AND activity.owner = activity_track.owner)"
    ).rowcount
