"""The queries the everyday commands run, in plain SQL on ``sqlite3``.

They read and write the tables defined in ``storage.schema`` without importing SQLAlchemy, which
keeps ``fittrack list``/``show``/``log`` fast; ``tests/storage/test_schema.py`` checks that rows
written here read back through SQLModel and the other way round.

Every list is a range over ``ix_activity_start_at``; an id prefix is a range over the primary key.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.moments import isoformat
from fittrack.errors import NotFound, UsageError
from fittrack.storage.rows import (
    ACTIVITY_FIELDS,
    NO_OWNER,
    Row,
    activity_from_row,
    activity_to_row,
    named_values,
    read_time,
    select_list,
    to_db_time,
)

MIN_PREFIX = 4

_COLUMNS = select_list(ACTIVITY_FIELDS)
_INSERT_VALUES = named_values(ACTIVITY_FIELDS)


def insert(
    conn: sqlite3.Connection, records: Iterable[ActivityRecord], *, ignore_existing: bool = False
) -> None:
    """Insert new activities (inside the caller's transaction); optionally skip taken ids."""
    verb = "INSERT OR IGNORE" if ignore_existing else "INSERT"
    conn.executemany(
        f"{verb} INTO activity ({_COLUMNS}) VALUES ({_INSERT_VALUES})",
        (activity_to_row(r) for r in records),
    )


def update(conn: sqlite3.Connection, record: ActivityRecord) -> None:
    """Replace every field of a live activity but its id, creation time and tombstone."""
    conn.execute(f"{_UPDATE} WHERE id = :id AND deleted_at IS NULL", activity_to_row(record))


_UPDATE = "UPDATE activity SET " + ", ".join(
    [
        f"{name} = :{name}"
        for name in ACTIVITY_FIELDS
        if name not in ("id", "created_at", "deleted_at")
    ]
    + ["change_seq = NULL"]
)


DUPLICATE_WINDOW_S = 60
"""Two activities of one type starting this close (seconds) are taken for the same one."""


def near_duplicate(
    conn: sqlite3.Connection, activity_type: str, start: datetime
) -> ActivityRecord | None:
    """A live activity of ``activity_type`` starting within a minute of ``start``, or None.

    The rule ``log`` and ``import`` share for "already logged": one range over
    ``ix_activity_type_start_at``; the nearest start is returned when several are that close.
    """
    window = timedelta(seconds=DUPLICATE_WINDOW_S)
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM activity WHERE type = ? AND start_at >= ? AND start_at <= ? "
        "AND deleted_at IS NULL ORDER BY abs(julianday(start_at) - julianday(?)) LIMIT 1",
        (
            activity_type,
            to_db_time(start - window),
            to_db_time(start + window),
            to_db_time(start),
        ),
    ).fetchone()
    return None if row is None else activity_from_row(row)


def tombstone(conn: sqlite3.Connection, activity_id: str, now: datetime) -> None:
    """Mark an activity deleted; the row stays so the deletion can be synced."""
    stamp = to_db_time(now)
    conn.execute(
        "UPDATE activity SET deleted_at=?, updated_at=?, change_seq=NULL "
        "WHERE id=? AND deleted_at IS NULL",
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
    where, params = window_clause(start, end)
    if types:
        where += f" AND type IN ({', '.join('?' * len(types))})"
        params.extend(types)
    sql = f"SELECT {_COLUMNS} FROM activity WHERE {where} ORDER BY start_at DESC"
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
        yield activity_from_row(row)


def check_prefix(prefix: str, noun: str, lister: str) -> str:
    """A cleaned id prefix, or a usage error saying what an id looks like."""
    cleaned = prefix.strip().lower()
    shown = f"'{prefix}'" if prefix.isprintable() else repr(prefix)
    strays = sorted({c for c in cleaned if c not in "0123456789abcdef-"})
    if strays:
        # Say which characters are wrong: "zzzz" is no shorter than a good prefix.
        listed = ", ".join(f"'{c}'" if c.isprintable() else repr(c) for c in strays[:3])
        raise UsageError(
            f"{shown} is not {noun} id: ids are hexadecimal (0-9, a-f), not {listed}; "
            f"`{lister}` shows them"
        )
    if len(cleaned) < MIN_PREFIX:
        raise UsageError(
            f"{shown} is not {noun} id: give at least {MIN_PREFIX} characters of the id "
            f"shown by `{lister}`"
        )
    return cleaned


def one_match(rows: list[Any], prefix: str, noun: str, plural: str, lister: str) -> Any:
    """The single row a prefix matched, or NotFound / an ambiguity error."""
    if not rows:
        raise NotFound(f"no {noun} with an id starting '{prefix}'; `{lister}` shows the ids")
    if len(rows) > 1:
        ids = [str(r["id"]) for r in rows[:5]]
        # Each id up to where it differs from the others (at least the 8 characters lists show).
        common = next(
            (n for n, chars in enumerate(zip(*ids, strict=False)) if len(set(chars)) > 1), 0
        )
        width = max(8, common + 1)
        shown = ", ".join(i[:width] for i in ids) + (", …" if len(rows) > 5 else "")
        many = "more than 5" if len(rows) > 5 else str(len(rows))
        raise UsageError(f"'{prefix}' matches {many} {plural}: {shown} — give more characters")
    return rows[0]


def find(conn: sqlite3.Connection, prefix: str) -> ActivityRecord:
    """The one live activity whose id starts with ``prefix`` (git-style, at least 4 characters)."""
    prefix = check_prefix(prefix, "an activity", "fittrack list")
    rows = conn.execute(FIND_SQL, (prefix, prefix + "~")).fetchall()
    return activity_from_row(one_match(rows, prefix, "activity", "activities", "fittrack list"))


# A range over the primary key rather than LIKE, which SQLite will not run on the index.
FIND_SQL = (
    f"SELECT {_COLUMNS} FROM activity WHERE id >= ? AND id < ? AND deleted_at IS NULL LIMIT 6"
)


@dataclass(frozen=True)
class TypeTotals:
    """What one activity type added up to over a window."""

    type: str
    count: int
    distance_m: float | None
    """None when no activity of the type had a distance."""
    duration_s: float
    calories_kcal: float

    def to_json(self) -> dict[str, object]:
        """``{"type", "count", "distance_m", "duration_s", "calories_kcal"}``."""
        return {
            "type": self.type,
            "count": self.count,
            # Sums of floats pick up noise (9988.966400000001): round to what was measured.
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "duration_s": round(self.duration_s, 1),
            "calories_kcal": round(self.calories_kcal, 1),
        }


def totals_by_type(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> list[TypeTotals]:
    """Count, distance, time and calories per type for activities starting in [start, end)."""
    where, params = window_clause(start, end)
    rows = conn.execute(
        "SELECT type, COUNT(*) AS count, SUM(distance_m) AS distance_m, "
        "TOTAL(duration_s) AS duration_s, TOTAL(calories_kcal) AS calories_kcal "
        f"FROM activity WHERE {where} GROUP BY type ORDER BY TOTAL(duration_s) DESC",
        params,
    ).fetchall()
    return [
        TypeTotals(
            type=str(r["type"]),
            count=int(r["count"]),
            distance_m=None if r["distance_m"] is None else float(r["distance_m"]),
            duration_s=float(r["duration_s"]),
            calories_kcal=float(r["calories_kcal"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Record:
    """A personal record: which activity, and its value (metres, seconds or seconds per km).

    ``source`` says where a fastest time comes from: ``"track"``, the fastest stretch of that
    distance in a recorded track (``start_offset_s`` seconds after the track began), or
    ``"activity"``, the whole activity's average pace over that distance.
    """

    label: str
    type: str
    value: float
    activity_id: str
    start: datetime
    source: str = "activity"
    start_offset_s: float | None = None

    def to_json(self) -> dict[str, object]:
        """``{"record", "type", "value", "activity_id", "start", "source", "start_offset_s"}``;
        value in metres or seconds, ``start_offset_s`` null unless the source is a track."""
        return {
            "record": self.label,
            "type": self.type,
            "value": round(self.value, 1),
            "activity_id": self.activity_id,
            "start": isoformat(self.start),
            "source": self.source,
            "start_offset_s": None
            if self.start_offset_s is None
            else round(self.start_offset_s, 1),
        }


def longest_by_type(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> list[Record]:
    """The longest distance and the longest moving time of each type in [start, end)."""
    where, params = window_clause(start, end)
    records = []
    # SQLite returns the bare columns (id, start) of the row that holds the MAX().
    for column, label in (("distance_m", "longest distance"), ("duration_s", "longest time")):
        rows = conn.execute(
            f"SELECT type, MAX({column}) AS value, id, start_at, utc_offset_min FROM activity "
            f"WHERE {where} AND {column} IS NOT NULL GROUP BY type ORDER BY type",
            params,
        ).fetchall()
        records += [
            Record(label, str(r["type"]), float(r["value"]), str(r["id"]), _local(r))
            for r in rows
            if r["value"]
        ]
    return records


FASTEST_DISTANCES = (
    ("1 km", 1000.0),
    ("5 km", 5000.0),
    ("10 km", 10000.0),
    ("half marathon", 21097.5),
    ("marathon", 42195.0),
)


def fastest_runs(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> list[Record]:
    """For each common distance, the fastest run over it: the fastest stretch of a recorded
    track (its cached best efforts), or the best average pace of a run at least that long.

    A run whose track has a best effort of that distance counts by it, not by its average (a
    track's best effort is elapsed time on the road; the average is moving time over the whole
    run). The value is seconds over the distance.
    """
    where, params = window_clause(start, end)
    from_tracks = _track_efforts(conn, where, params)
    records = []
    for label, metres in FASTEST_DISTANCES:
        efforts = from_tracks.get(metres, {})
        # The runs counted by their track are skipped here: asking for one more row than there
        # are of them finds the best other one, still one sorted pass over the window.
        rows = conn.execute(
            "SELECT duration_s / distance_m AS pace, id, start_at, utc_offset_min FROM activity "
            f"WHERE {where} AND type = 'run' AND distance_m >= ? AND duration_s > 0 "
            "ORDER BY pace LIMIT ?",
            [*params, metres, len(efforts) + 1],
        ).fetchall()
        candidates = list(efforts.values())
        whole = next((r for r in rows if str(r["id"]) not in efforts), None)
        if whole is not None:
            candidates.append(
                Record(
                    f"fastest {label}",
                    "run",
                    float(whole["pace"]) * metres,
                    str(whole["id"]),
                    _local(whole),
                )
            )
        if candidates:
            best = min(candidates, key=lambda r: (r.value, r.source != "track"))
            records.append(replace(best, label=f"fastest {label}"))
    return records


def _track_efforts(
    conn: sqlite3.Connection, where: str, params: list[object]
) -> dict[float, dict[str, Record]]:
    """Distance → activity id → its track's best effort, for the runs in the window whose
    track has its figures cached (``storage.tracks``).

    Driven by the tracks: a scan of ``activity_track`` (a few hundred rows in a big log) and a
    primary-key look-up of each one's activity; CROSS JOIN keeps SQLite from walking the
    window's million activities instead. Only the cached JSON is read, never a track.
    """
    import json

    out: dict[float, dict[str, Record]] = {}
    for row in conn.execute(
        "SELECT activity_track.best_efforts AS efforts, activity.id AS id, start_at, "
        "utc_offset_min FROM activity_track CROSS JOIN activity "
        "ON activity.id = activity_track.activity_id AND activity.owner = activity_track.owner "
        "WHERE activity_track.owner = ? AND activity_track.best_efforts IS NOT NULL "
        f"AND type = 'run' AND {where}",
        [NO_OWNER, *params],
    ):
        try:
            efforts = json.loads(row["efforts"])
        except ValueError:
            continue  # a damaged cache: the run counts by its average instead
        when = _local(row)
        for effort in efforts if isinstance(efforts, list) else ():
            try:
                metres = float(effort["distance_m"])
                record = Record(
                    "",
                    "run",
                    float(effort["duration_s"]),
                    str(row["id"]),
                    when,
                    "track",
                    float(effort["start_offset_s"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
            out.setdefault(metres, {})[record.activity_id] = record
    return out


def most_active_week(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None, week_start: str
) -> tuple[str, float, int] | None:
    """(first day of the week, moving seconds, count) of the week with the most moving time.

    Weeks are taken in each activity's own UTC offset (the one its person was in), which lets SQLite
    group a million rows without handing them to Python.
    """
    where, params = window_clause(start, end)
    weekday = 0 if week_start == "sunday" else 1
    row = conn.execute(
        "SELECT date(start_at, printf('%+d minutes', utc_offset_min), '-6 days', "
        f"'weekday {weekday}') AS week, TOTAL(duration_s) AS moving, COUNT(*) AS count "
        "FROM activity "
        f"WHERE {where} GROUP BY week ORDER BY moving DESC, week LIMIT 1",
        params,
    ).fetchone()
    return None if row is None else (str(row["week"]), float(row["moving"]), int(row["count"]))


def window_clause(start: datetime | None, end: datetime | None) -> tuple[str, list[object]]:
    """The WHERE clause (and parameters) of live activities starting in [start, end)."""
    where = ["deleted_at IS NULL"]
    params: list[object] = []
    if start is not None:
        where.append("start_at >= ?")
        params.append(to_db_time(start))
    if end is not None:
        where.append("start_at < ?")
        params.append(to_db_time(end))
    return " AND ".join(where), params


def _local(row: Row) -> datetime:
    """A row's ``start_at`` at its own ``utc_offset_min``."""
    offset = timezone(timedelta(minutes=int(row["utc_offset_min"])))
    return read_time(row["start_at"]).astimezone(offset)


def list_activities_oldest_first(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> Iterator[ActivityRecord]:
    """Every live activity starting in [start, end), oldest first, read as a stream."""
    where, params = window_clause(start, end)
    cursor = conn.execute(
        f"SELECT {_COLUMNS} FROM activity WHERE {where} ORDER BY start_at", params
    )
    while rows := cursor.fetchmany(5000):
        yield from map(activity_from_row, rows)
