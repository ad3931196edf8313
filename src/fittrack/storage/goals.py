"""Goals in plain SQL, and the one aggregate that measures a goal over a time window."""

import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

from fittrack.core.activity import ActivityRecord
from fittrack.core.goals import Goal
from fittrack.core.periods import period_containing, utc_bounds
from fittrack.core.progress import Progress, goal_periods, progress
from fittrack.storage.activities import check_prefix, one_match
from fittrack.storage.aggregates import period_total_sql
from fittrack.storage.rows import (
    GOAL_FIELDS,
    goal_from_row,
    goal_to_row,
    named_values,
    select_list,
    to_db_time,
)

_COLUMNS = select_list(GOAL_FIELDS)
_UPDATE = "UPDATE goal SET " + ", ".join(
    [f"{name} = :{name}" for name in GOAL_FIELDS if name not in ("id", "created_at")]
    + ["change_seq = NULL"]
)


def insert_goal(conn: sqlite3.Connection, goal: Goal) -> None:
    """Store a new goal (inside the caller's write transaction)."""
    conn.execute(
        f"INSERT INTO goal ({_COLUMNS}) VALUES ({named_values(GOAL_FIELDS)})", goal_to_row(goal)
    )


def update_goal(conn: sqlite3.Connection, goal: Goal) -> None:
    """Replace every field of a goal but its id and creation time."""
    conn.execute(f"{_UPDATE} WHERE id = :id", goal_to_row(goal))


def load_goals(conn: sqlite3.Connection) -> list[Goal]:
    """Every goal not deleted, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM goal WHERE deleted_at IS NULL ORDER BY created_at, id"
    ).fetchall()
    return [goal_from_row(row) for row in rows]


def find_goal(conn: sqlite3.Connection, prefix: str) -> Goal:
    """The one live goal whose id starts with ``prefix``."""
    prefix = check_prefix(prefix, "a goal", "fittrack goal list")
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM goal WHERE id >= ? AND id < ? AND deleted_at IS NULL LIMIT 6",
        (prefix, prefix + "~"),
    ).fetchall()
    return goal_from_row(one_match(rows, prefix, "goal", "goals", "fittrack goal list"))


def measure(
    conn: sqlite3.Connection,
    metric: str,
    activity_type: str | None,
    start: datetime,
    end: datetime,
) -> float:
    """What the activities starting in [start, end) add up to, for one metric (and type)."""
    sql = period_total_sql(metric, typed=activity_type is not None, owned=False)
    params = {"start": to_db_time(start), "end": to_db_time(end), "type": activity_type}
    return float(conn.execute(sql, params).fetchone()["total"])


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
        before = after - _contribution(conn, goal.metric, record)
        if replaced is not None and _counts(goal, replaced, start, end):
            before += _contribution(conn, goal.metric, replaced)
        if before < goal.target <= after:
            completed.append(goal)
    return completed


def _counts(goal: Goal, record: ActivityRecord, start: datetime, end: datetime) -> bool:
    kind_ok = goal.activity_type is None or goal.activity_type == record.type
    return kind_ok and start <= record.start < end


def _contribution(conn: sqlite3.Connection, metric: str, record: ActivityRecord) -> float:
    if metric == "elevation":
        # An edit leaves the track as it was: the old and the new version climbed the same.
        row = conn.execute(
            "SELECT elevation_gain_m FROM activity_track WHERE activity_id = ? AND owner = ''",
            (record.id,),
        ).fetchone()
        return float(row[0] or 0.0) if row is not None else 0.0
    if metric == "distance":
        return record.distance_m or 0.0
    if metric == "duration":
        return record.duration_s
    if metric == "calories":
        return record.calories_kcal
    return 1.0
