"""Goals of one owner, and a goal's progress: the CLI's own code (``core.periods``,
``core.progress``) over the one per-period aggregate (``storage.aggregates``)."""

import uuid
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, and_, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from fittrack.core.goals import MAX_CALORIES_KCAL as MAX_GOAL_KCAL
from fittrack.core.goals import MAX_COUNT, MAX_ELEVATION_M, Goal, describe
from fittrack.core.moments import local_day_bounds
from fittrack.core.periods import period_containing, utc_bounds
from fittrack.core.progress import is_active, progress
from fittrack.core.quantities import MAX_DISTANCE_M, MAX_DURATION_S
from fittrack.errors import NotFound, UsageError
from fittrack.server.data import profile
from fittrack.server.data.common import GOAL, as_day, check_moments, transaction, utc, utcnow
from fittrack.server.data.writes import Stamps, Write, apply, tombstone
from fittrack.server.models import GoalBase, GoalUpdate
from fittrack.storage import rows
from fittrack.storage.aggregates import period_total_sql

_TARGET_LIMITS = {
    "distance": MAX_DISTANCE_M,
    "duration": MAX_DURATION_S,
    "count": float(MAX_COUNT),
    "calories": MAX_GOAL_KCAL,
    "elevation": MAX_ELEVATION_M,
}
"""The largest target of each metric: what the CLI accepts (``core.goals.parse_target``)."""


def _live(owner: str) -> Any:
    return and_(GOAL.c.owner == owner, GOAL.c.deleted_at.is_(None))


def goal_json(row: Any) -> dict[str, Any]:
    """A stored goal row as ``GoalPublic``: the one JSON of a goal, with its pauses and
    tombstone."""
    return rows.goal_from_row(row).to_json(deleted=True, pauses=True)


async def _one(conn: AsyncConnection, owner: str, goal_id: str, *, live: bool = True) -> Any:
    where = _live(owner) if live else GOAL.c.owner == owner
    row = (await conn.execute(select(GOAL).where(where, GOAL.c.id == goal_id))).mappings().first()
    if row is None:
        raise NotFound(f"no goal {goal_id}")
    return row


async def listed(conn: AsyncConnection, owner: str) -> list[dict[str, Any]]:
    """The owner's live goals, oldest first."""
    query = select(GOAL).where(_live(owner)).order_by(GOAL.c.created_at, GOAL.c.id)
    return [goal_json(row) for row in (await conn.execute(query)).mappings()]


def write(goal_id: str, body: GoalBase) -> Write:
    """The checked write of one goal (a goal given no name is named as the CLI names it)."""
    if body.end_date is not None and body.end_date < body.start_date:
        raise UsageError("end_date is before start_date; give an end_date on or after it")
    if body.target > _TARGET_LIMITS[body.metric]:
        raise UsageError(f"a {body.metric} target of {body.target:g} is more than anyone does")
    pauses: list[tuple[date, date | None]] = []
    for first, last in getattr(body, "pauses", []):
        if first is None:
            raise UsageError("a pause needs its first day: [first, last or null]")
        if last is not None and last < first:
            raise UsageError("a pause ends before it begins")
        pauses.append((first, last))
    stamps = [getattr(body, name, None) for name in ("created_at", "updated_at", "deleted_at")]
    check_moments(*stamps)

    def values(stamps: Stamps) -> dict[str, Any]:
        goal = Goal(
            id=goal_id,
            name=body.name,
            period=body.period,
            metric=body.metric,
            target=body.target,
            activity_type=body.activity_type,
            start_date=body.start_date,
            end_date=body.end_date,
            paused=body.paused,
            pauses=tuple(pauses),
            created_at=stamps[0],
            updated_at=stamps[1],
            deleted_at=stamps[2],
        )
        if not goal.name:
            goal = replace(goal, name=describe(goal, "metric"))
        return rows.goal_to_row(goal, time=utc, day=as_day)

    return Write(goal_id, stamps[0], stamps[1], stamps[2], values)


async def put(
    conn: AsyncConnection, owner: str, goal_id: str, body: GoalUpdate
) -> tuple[bool, dict[str, Any]]:
    """Store a goal under the client's id; the rules of an activity's PUT."""
    checked = write(goal_id, body)
    async with transaction(conn):
        [(_, result, _)] = await apply(conn, GOAL, owner, [checked], utcnow())
        return result == "created", goal_json(await _one(conn, owner, goal_id, live=False))


async def create(conn: AsyncConnection, owner: str, body: GoalBase) -> dict[str, Any]:
    """A new goal with a server-made id."""
    goal_id = str(uuid.uuid4())
    checked = write(goal_id, body)
    async with transaction(conn):
        await apply(conn, GOAL, owner, [checked], utcnow())
        return goal_json(await _one(conn, owner, goal_id))


async def delete(conn: AsyncConnection, owner: str, goal_id: str) -> None:
    """Tombstone one live goal of the owner (NotFound otherwise)."""
    async with transaction(conn):
        if not await tombstone(conn, GOAL, owner, goal_id):
            raise NotFound(f"no goal {goal_id}")


def _total_query(metric: str, typed: bool) -> Any:
    # Both dialects bind the times as DateTime: SQLite then gets its stored UTC text.
    times = DateTime(timezone=True)
    sql = period_total_sql(metric, typed=typed, owned=True)
    return text(sql).bindparams(bindparam("start", type_=times), bindparam("end", type_=times))


async def goal_progress(
    conn: AsyncConnection, owner: str, goal_id: str, day: date | None
) -> dict[str, Any]:
    """The goal's progress in its period containing ``day`` (default today, in the owner's
    timezone), as of now or, for a past ``day``, the end of that day: the CLI's ``status``."""
    row = await _one(conn, owner, goal_id)
    goal = rows.goal_from_row(row)
    person = await profile.load(conn, owner)
    tz = person.tz(profile.no_system_zone)
    now = utcnow()
    today = now.astimezone(tz).date()
    as_of: datetime = now
    if day is None or day >= today:
        day = today
    else:
        as_of = local_day_bounds(day, tz)[1]
    if not is_active(goal, day):
        until = "" if goal.end_date is None else f" to {goal.end_date}"
        raise UsageError(f"the goal runs from {goal.start_date}{until}; ask for a date within it")
    period = period_containing(day, goal.period, person.week_start or "monday")
    start, end = utc_bounds(period, tz)
    params: dict[str, Any] = {"owner": owner, "start": utc(start), "end": utc(min(end, as_of))}
    if goal.activity_type is not None:
        params["type"] = goal.activity_type
    query = _total_query(goal.metric, goal.activity_type is not None)
    total = float(await conn.scalar(query, params) or 0)
    data = progress(goal, period, total, as_of, tz).to_json()
    data["goal"] = goal_json(row)
    data["currentValue"] = data["current"]
    return data
