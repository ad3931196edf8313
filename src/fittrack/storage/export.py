"""The CSV export's query: activities as rows of text, formatted by SQLite, oldest first.

The times are formatted in SQL, so a million rows export at close to the speed of a raw dump:
``start``/``end`` in ISO 8601 at the activity's own UTC offset, ``created_at``/``updated_at`` in
UTC with microseconds, exactly as ``ActivityRecord.to_json()`` writes them. The columns are
``core.activity.ACTIVITY_KEYS``, in that order; ``formats.fittrack_csv.write`` writes the rows.
"""

import sqlite3
from collections.abc import Iterable, Iterator

_OFFSET = (
    "printf('%s%02d:%02d', CASE WHEN utc_offset_min < 0 THEN '-' ELSE '+' END, "
    "abs(utc_offset_min) / 60, abs(utc_offset_min) % 60)"
)
_LOCAL = "strftime('%Y-%m-%dT%H:%M:%S', {col}, printf('%+d minutes', utc_offset_min)) || " + _OFFSET
_EXPORT_SQL = (
    "SELECT id, type, "
    + _LOCAL.format(col="start_at")
    + ", "
    + _LOCAL.format(col="end_at")
    + ", duration_s, distance_m, calories_kcal, "
    "CASE WHEN calories_estimated THEN 'true' ELSE 'false' END, workload, note, source, "
    "replace(created_at, ' ', 'T') || '+00:00', replace(updated_at, ' ', 'T') || '+00:00' "
    "FROM activity WHERE {where} ORDER BY start_at"
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
    cursor = conn.execute(export_sql(where), list(params))
    while rows := cursor.fetchmany(BATCH):
        yield rows
