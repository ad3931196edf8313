"""The export's queries: activities as rows of text, formatted by SQLite, oldest first; and the
stored bytes of their tracks, for the JSON backup.

The times are formatted in SQL, so a million rows export at close to the speed of a raw dump:
``start``/``end`` in ISO 8601 at the activity's own UTC offset, ``created_at``/``updated_at`` in
UTC with microseconds, exactly as ``ActivityRecord.to_json()`` writes them. The columns are
``core.activity.ACTIVITY_KEYS``, in that order; ``formats.fittrack_csv.write`` writes the rows.
"""

import sqlite3
from collections.abc import Iterable, Iterator

from fittrack.core.activity import ACTIVITY_KEYS
from fittrack.storage.rows import NO_OWNER

_OFFSET = (
    "printf('%s%02d:%02d', CASE WHEN utc_offset_min < 0 THEN '-' ELSE '+' END, "
    "abs(utc_offset_min) / 60, abs(utc_offset_min) % 60)"
)
_LOCAL = "strftime('%Y-%m-%dT%H:%M:%S', {col}, printf('%+d minutes', utc_offset_min)) || " + _OFFSET
_AS_TEXT = {
    "start": _LOCAL.format(col="start_at"),
    "end": _LOCAL.format(col="end_at"),
    "calories_estimated": "CASE WHEN calories_estimated THEN 'true' ELSE 'false' END",
    # A row from before the method was recorded reads as ActivityRecord.method reads it.
    "calories_method": "COALESCE(calories_method, "
    "CASE WHEN calories_estimated THEN 'met' ELSE 'given' END)",
    "created_at": "replace(created_at, ' ', 'T') || '+00:00'",
    "updated_at": "replace(updated_at, ' ', 'T') || '+00:00'",
}
"""The keys whose text SQLite makes from a column of another form; the rest are the column."""
_EXPORT_SQL = (
    "SELECT "
    + ", ".join(f'{_AS_TEXT.get(key, key)} AS "{key}"' for key in ACTIVITY_KEYS)
    + " FROM activity WHERE {where} ORDER BY start_at"
)
BATCH = 5000


def export_sql(where: str) -> str:
    """The export query for activities matching ``where`` (a WHERE clause over ``activity``)."""
    return _EXPORT_SQL.format(where=where)


def csv_rows(
    conn: sqlite3.Connection, where: str, params: Iterable[object]
) -> Iterator[list[tuple[object, ...]]]:
    """The activities matching ``where``, oldest first, in batches of rows (one value a key of
    ``ACTIVITY_KEYS``), read as they are written so a million rows take little memory."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: the csv module writes them as they come
    cursor.execute(export_sql(where), list(params))
    while rows := cursor.fetchmany(BATCH):
        yield rows


TRACK_BATCH = 100
"""Tracks read per fetch: a long ride's bytes are some 100 KB, so a batch stays a few MB."""


def track_rows(
    conn: sqlite3.Connection, where: str, params: Iterable[object]
) -> Iterator[tuple[str, bytes]]:
    """(activity id, the ``storage.trackcodec`` bytes as stored) of each track whose activity
    matches ``where`` (a clause over ``activity``'s columns, as ``export_sql`` takes), by
    activity id, read as they are written.

    The bytes are the stored ones, not decoded and encoded again: nothing is rounded twice, and
    a backup of a log with a thousand tracks costs a read of each. Driven by the tracks (CROSS
    JOIN keeps SQLite from walking a million activities to find a hundred tracks), in the
    order of their primary key, so no sort holds the blobs: the ``+`` keeps SQLite off the
    (owner, change_seq) index, which would leave it sorting every track's bytes (a temporary
    B-tree, per EXPLAIN QUERY PLAN).
    """
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(
        "SELECT activity_track.activity_id, activity_track.data FROM activity_track "
        "CROSS JOIN activity ON activity.id = activity_track.activity_id "
        "AND activity.owner = activity_track.owner "
        f"WHERE +activity_track.owner = ? AND {where} ORDER BY activity_track.activity_id",
        [NO_OWNER, *params],
    )
    while rows := cursor.fetchmany(TRACK_BATCH):
        for activity_id, data in rows:
            yield str(activity_id), bytes(data)
