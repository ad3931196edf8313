"""Goals in plain SQL, and the one aggregate that measures a goal over a time window."""

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.goals import Goal
from fittrack.core.periods import period_containing, utc_bounds
from fittrack.core.progress import Progress, goal_periods, progress
from fittrack.storage.activities import check_prefix, from_db_time, one_match, to_db_time

_COLUMNS = (
    "id, name, period, metric, target, activity_type, start_date, end_date, paused, pauses, "
    "created_at, updated_at, deleted_at"
)

# What each metric adds up; TOTAL() is 0.0 rather than NULL over no rows.
_AGGREGATES = {
    "distance": "TOTAL(distance_m)",
    "duration": "TOTAL(duration_s)",
    "count": "COUNT(*)",
    "calories": "TOTAL(calories_kcal)",
}


def _text_day(value: object) -> date:
    return date.fromisoformat(str(value))


def _text_time(value: object) -> datetime:
    return from_db_time(str(value))


def _row_to_goal(
    row: Sequence[Any],
    read_day: Callable[[Any], date] = _text_day,
    read_time: Callable[[Any], datetime] = _text_time,
) -> Goal:
    """A goal row (``_COLUMNS``) as a Goal; the readers turn stored dates and times into values
    (SQLite's text here; the server passes PostgreSQL's)."""
    pauses = tuple(
        (date.fromisoformat(first), None if last is None else date.fromisoformat(last))
        for first, last in json.loads(str(row[9]))
    )
    return Goal(
        id=str(row[0]),
        name=str(row[1]),
        period=str(row[2]),
        metric=str(row[3]),
        target=float(row[4]),
        activity_type=None if row[5] is None else str(row[5]),
        start_date=read_day(row[6]),
        end_date=None if row[7] is None else read_day(row[7]),
        paused=bool(row[8]),
        pauses=pauses,
        created_at=read_time(row[10]),
        updated_at=read_time(row[11]),
        deleted_at=None if row[12] is None else read_time(row[12]),
    )


def _goal_params(goal: Goal) -> tuple[object, ...]:
    pauses = [[a.isoformat(), None if b is None else b.isoformat()] for a, b in goal.pauses]
    return (
        goal.id,
        goal.name,
        goal.period,
        goal.metric,
        goal.target,
        goal.activity_type,
        goal.start_date.isoformat(),
        None if goal.end_date is None else goal.end_date.isoformat(),
        goal.paused,
        json.dumps(pauses),
        to_db_time(goal.created_at),
        to_db_time(goal.updated_at),
        None if goal.deleted_at is None else to_db_time(goal.deleted_at),
    )


def insert_goal(conn: sqlite3.Connection, goal: Goal) -> None:
    """Store a new goal (inside the caller's write transaction)."""
    conn.execute(
        f"INSERT INTO goal ({_COLUMNS}) VALUES ({', '.join('?' * 13)})", _goal_params(goal)
    )


def update_goal(conn: sqlite3.Connection, goal: Goal) -> None:
    """Replace every field of a goal but its id and creation time."""
    params = _goal_params(goal)
    conn.execute(
        "UPDATE goal SET name=?, period=?, metric=?, target=?, activity_type=?, start_date=?, "
        "end_date=?, paused=?, pauses=?, updated_at=?, deleted_at=?, change_seq=NULL WHERE id=?",
        (*params[1:10], *params[11:], goal.id),
    )


def load_goals(conn: sqlite3.Connection) -> list[Goal]:
    """Every goal not deleted, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM goal WHERE deleted_at IS NULL ORDER BY created_at, id"
    ).fetchall()
    return [_row_to_goal(row) for row in rows]


def find_goal(conn: sqlite3.Connection, prefix: str) -> Goal:
    """The one live goal whose id starts with ``prefix``."""
    prefix = check_prefix(prefix, "a goal", "fittrack goal list")
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM goal WHERE id >= ? AND id < ? AND deleted_at IS NULL LIMIT 6",
        (prefix, prefix + "~"),
    ).fetchall()
    return _row_to_goal(one_match(rows, prefix, "goal", "goals", "fittrack goal list"))


def measure_query(metric: str, activity_type: str | None) -> str:
    """The SQL of one goal's value over [start, end): an aggregate over the start-time index."""
    sql = (
        f"SELECT {_AGGREGATES[metric]} FROM activity "
        "WHERE start_at >= ? AND start_at < ? AND deleted_at IS NULL"
    )
    return sql + (" AND type = ?" if activity_type is not None else "")


def measure(
    conn: sqlite3.Connection,
    metric: str,
    activity_type: str | None,
    start: datetime,
    end: datetime,
) -> float:
    """What the activities starting in [start, end) add up to, for one metric (and type)."""
    params: list[object] = [to_db_time(start), to_db_time(end)]
    if activity_type is not None:
        params.append(activity_type)
    return float(conn.execute(measure_query(metric, activity_type), params).fetchone()[0])


def current_progress(
    conn: sqlite3.Connection,
    goal: Goal,
    day: date,
    as_of: datetime,
    tz: tzinfo,
    week_start: str,
) -> Progress:
    """A goal's progress in the period containing ``day``, as of the moment ``as_of``.

    Activities after ``as_of`` do not count: ``--date`` shows the state at the end of that day.
    """
    period = period_containing(day, goal.period, week_start)
    start, end = utc_bounds(period, tz)
    current = measure(conn, goal.metric, goal.activity_type, start, min(end, as_of))
    return progress(goal, period, current, as_of, tz)


HISTORY_DAYS = 3660
"""How far back a history (and a streak) looks at most: ten years, 3,660 days of a daily goal."""


def history(
    conn: sqlite3.Connection,
    goal: Goal,
    day: date,
    as_of: datetime,
    tz: tzinfo,
    week_start: str,
) -> list[Progress]:
    """A goal's periods from its start (at most ``HISTORY_DAYS`` back) up to the one containing
    ``day``, oldest first.

    One indexed aggregate per period: a daily goal kept for a year is 365 small range queries.
    """
    results = []
    horizon = day - timedelta(days=HISTORY_DAYS)
    looked_at = replace(goal, start_date=max(goal.start_date, horizon))
    for period in goal_periods(looked_at, day, week_start, None):
        start, end = utc_bounds(period, tz)
        current = measure(conn, goal.metric, goal.activity_type, start, min(end, as_of))
        results.append(progress(goal, period, current, as_of, tz))
    return results


def completed_by(
    conn: sqlite3.Connection,
    record: ActivityRecord,
    tz: tzinfo,
    week_start: str,
    replaced: ActivityRecord | None = None,
) -> list[Goal]:
    """The goals that ``record`` (already stored) took from short of their target to reaching it.

    For an edit, ``replaced`` is the activity as it was: the goal's value before is what it was with
    the old version counted instead of the new one.
    """
    day = record.start.astimezone(tz).date()
    completed = []
    for goal in load_goals(conn):
        if goal.paused or goal.deleted_at is not None:
            continue
        if goal.activity_type is not None and goal.activity_type != record.type:
            continue
        period = period_containing(day, goal.period, week_start)
        # As `status` counts: the whole of each period the goal is in force in, so a run on the
        # Monday of the week a weekly goal was added on Thursday counts toward it.
        if goal.start_date > period.last or (
            goal.end_date is not None and goal.end_date < period.first
        ):
            continue
        start, end = utc_bounds(period, tz)
        after = measure(conn, goal.metric, goal.activity_type, start, end)
        before = after - _contribution(goal.metric, record)
        if replaced is not None and _counts(goal, replaced, start, end):
            before += _contribution(goal.metric, replaced)
        if before < goal.target <= after:
            completed.append(goal)
    return completed


def _counts(goal: Goal, record: ActivityRecord, start: datetime, end: datetime) -> bool:
    kind_ok = goal.activity_type is None or goal.activity_type == record.type
    return kind_ok and start <= record.start < end


def _contribution(metric: str, record: ActivityRecord) -> float:
    if metric == "distance":
        return record.distance_m or 0.0
    if metric == "duration":
        return record.duration_s
    if metric == "calories":
        return record.calories_kcal
    return 1.0
