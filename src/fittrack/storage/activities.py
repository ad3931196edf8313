"""The queries the everyday commands run, in plain SQL on ``sqlite3``.

They read and write the tables defined in ``storage.schema`` without importing SQLAlchemy, which
keeps ``fittrack list``/``show``/``log`` fast; ``tests/storage/test_schema.py`` checks that rows
written here read back through SQLModel and the other way round.

Every list is a range over ``ix_activity_start_at``; an id prefix is a range over the primary key.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from fittrack.core.activity import ActivityRecord
from fittrack.errors import NotFound, UsageError

_DB_TIME = "%Y-%m-%d %H:%M:%S.%f"
MIN_PREFIX = 4

_COLUMNS = (
    "id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, calories_kcal, "
    "calories_estimated, workload, note, source, created_at, updated_at, deleted_at"
)


def to_db_time(moment: datetime) -> str:
    """An aware datetime as the UTC text SQLModel's DateTime stores in SQLite."""
    return moment.astimezone(UTC).strftime(_DB_TIME)


def from_db_time(text: str) -> datetime:
    """Stored naive-UTC text back to an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _row_to_record(row: tuple[object, ...]) -> ActivityRecord:
    offset = timezone(timedelta(minutes=int(row[4])))  # type: ignore[call-overload]
    return ActivityRecord(
        id=str(row[0]),
        type=str(row[1]),
        start=from_db_time(str(row[2])).astimezone(offset),
        end=from_db_time(str(row[3])).astimezone(offset),
        duration_s=float(row[5]),  # type: ignore[arg-type]
        distance_m=None if row[6] is None else float(row[6]),  # type: ignore[arg-type]
        calories_kcal=float(row[7]),  # type: ignore[arg-type]
        calories_estimated=bool(row[8]),
        workload=float(row[9]),  # type: ignore[arg-type]
        note=str(row[10]),
        source=str(row[11]),
        created_at=from_db_time(str(row[12])),
        updated_at=from_db_time(str(row[13])),
        deleted_at=None if row[14] is None else from_db_time(str(row[14])),
    )


def _record_params(record: ActivityRecord) -> tuple[object, ...]:
    offset = record.start.utcoffset()
    return (
        record.id,
        record.type,
        to_db_time(record.start),
        to_db_time(record.end),
        int(offset.total_seconds() // 60) if offset is not None else 0,
        record.duration_s,
        record.distance_m,
        record.calories_kcal,
        record.calories_estimated,
        record.workload,
        record.note,
        record.source,
        to_db_time(record.created_at),
        to_db_time(record.updated_at),
        None if record.deleted_at is None else to_db_time(record.deleted_at),
    )


def insert(conn: sqlite3.Connection, records: Iterable[ActivityRecord]) -> None:
    """Insert new activities (inside the caller's ``db.write`` transaction)."""
    conn.executemany(
        f"INSERT INTO activity ({_COLUMNS}) VALUES ({', '.join('?' * 15)})",
        (_record_params(r) for r in records),
    )


def update(conn: sqlite3.Connection, record: ActivityRecord) -> None:
    """Replace every field of an existing activity but its id and creation time."""
    params = _record_params(record)
    conn.execute(
        "UPDATE activity SET type=?, start_at=?, end_at=?, utc_offset_min=?, duration_s=?, "
        "distance_m=?, calories_kcal=?, calories_estimated=?, workload=?, note=?, source=?, "
        "updated_at=?, deleted_at=? WHERE id=?",
        (*params[1:12], *params[13:], record.id),
    )


def tombstone(conn: sqlite3.Connection, activity_id: str, now: datetime) -> None:
    """Mark an activity deleted; the row stays so the deletion can be synced."""
    stamp = to_db_time(now)
    conn.execute(
        "UPDATE activity SET deleted_at=?, updated_at=? WHERE id=? AND deleted_at IS NULL",
        (stamp, stamp, activity_id),
    )


def list_query(
    *,
    start: datetime | None,
    end: datetime | None,
    types: tuple[str, ...] = (),
    limit: int | None = None,
) -> tuple[str, list[object]]:
    """The SQL (and its parameters) for activities starting in [start, end), newest first."""
    where = ["deleted_at IS NULL"]
    params: list[object] = []
    if start is not None:
        where.append("start_at >= ?")
        params.append(to_db_time(start))
    if end is not None:
        where.append("start_at < ?")
        params.append(to_db_time(end))
    if types:
        where.append(f"type IN ({', '.join('?' * len(types))})")
        params.extend(types)
    sql = f"SELECT {_COLUMNS} FROM activity WHERE {' AND '.join(where)} ORDER BY start_at DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def list_activities(
    conn: sqlite3.Connection,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    types: tuple[str, ...] = (),
    limit: int | None = None,
) -> Iterator[ActivityRecord]:
    """Activities starting in [start, end), newest first, optionally of some types only."""
    sql, params = list_query(start=start, end=end, types=types, limit=limit)
    for row in conn.execute(sql, params):
        yield _row_to_record(row)


def find(conn: sqlite3.Connection, prefix: str) -> ActivityRecord:
    """The one live activity whose id starts with ``prefix`` (git-style, at least 4 characters)."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX or any(c not in "0123456789abcdef-" for c in prefix):
        raise UsageError(
            f"'{prefix}' is not an activity id: give at least {MIN_PREFIX} characters of the id "
            "shown by `fittrack list`"
        )
    rows = conn.execute(FIND_SQL, (prefix, prefix + "~")).fetchall()
    if not rows:
        raise NotFound(f"no activity with an id starting '{prefix}'; `fittrack list` shows the ids")
    if len(rows) > 1:
        shown = ", ".join(str(r[0])[:12] for r in rows[:5])
        raise UsageError(
            f"'{prefix}' matches {'more than 5' if len(rows) > 5 else len(rows)} activities "
            f"({shown}…); give more characters of the id"
        )
    return _row_to_record(rows[0])


# A range over the primary key rather than LIKE, which SQLite will not run on the index.
FIND_SQL = (
    f"SELECT {_COLUMNS} FROM activity WHERE id >= ? AND id < ? AND deleted_at IS NULL LIMIT 6"
)


@dataclass(frozen=True)
class TypeTotals:
    """What one activity type added up to over a window."""

    type: str
    count: int
    distance_m: float
    duration_s: float
    calories_kcal: float


def totals_by_type(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[TypeTotals]:
    """Count, distance, time and calories per type for activities starting in [start, end)."""
    rows = conn.execute(
        "SELECT type, COUNT(*), TOTAL(distance_m), TOTAL(duration_s), TOTAL(calories_kcal) "
        "FROM activity WHERE start_at >= ? AND start_at < ? AND deleted_at IS NULL "
        "GROUP BY type ORDER BY TOTAL(duration_s) DESC",
        (to_db_time(start), to_db_time(end)),
    ).fetchall()
    return [TypeTotals(str(r[0]), int(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in rows]
