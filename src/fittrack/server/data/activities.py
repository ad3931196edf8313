"""Activities of one owner: read, listed a page at a time, written by the PUT/batch rules."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fittrack.core.activity import ActivityRecord, check_not_future, resolve_span
from fittrack.core.moments import local_day_bounds
from fittrack.errors import NotFound, UsageError
from fittrack.server.data import profile
from fittrack.server.data.common import (
    ACTIVITY,
    check_moments,
    decode_cursor,
    encode_cursor,
    transaction,
    utc,
    utcnow,
    within_bytes,
)
from fittrack.server.data.writes import Stamps, Write, apply, tombstone
from fittrack.server.models import ActivityCreate, ActivityUpdate
from fittrack.storage import rows

_NEWEST_FIRST = (ACTIVITY.c.start_at.desc(), ACTIVITY.c.id.desc())


def _live(owner: str) -> Any:
    return and_(ACTIVITY.c.owner == owner, ACTIVITY.c.deleted_at.is_(None))


def activity_json(row: Any) -> dict[str, Any]:
    """A stored row as ``ActivityPublic``: the one JSON of an activity, with ``deleted_at`` and
    the seed's fields."""
    return rows.activity_from_row(row).to_json(deleted=True, seed=True)


async def get(conn: AsyncConnection, owner: str, activity_id: str) -> dict[str, Any]:
    """One live activity of the owner; NotFound otherwise."""
    query = select(ACTIVITY).where(_live(owner), ACTIVITY.c.id == activity_id)
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        raise NotFound(f"no activity {activity_id}")
    return activity_json(row)


async def page(
    conn: AsyncConnection,
    owner: str,
    *,
    from_day: date | None,
    to_day: date | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """A page of the owner's live activities, newest first, within the days given (inclusive,
    in the owner's timezone): at most ``limit`` of them, and at most ``MAX_PAGE_BYTES`` of JSON."""
    query = select(ACTIVITY).where(_live(owner))
    if from_day is not None and to_day is not None and to_day < from_day:
        raise UsageError("toDate is before fromDate; give a toDate on or after fromDate")
    if from_day is not None or to_day is not None:
        tz = (await profile.load(conn, owner)).tz(profile.no_system_zone)
        if from_day is not None:
            query = query.where(ACTIVITY.c.start_at >= utc(local_day_bounds(from_day, tz)[0]))
        if to_day is not None:
            query = query.where(ACTIVITY.c.start_at < utc(local_day_bounds(to_day, tz)[1]))
    if cursor is not None:
        after_start, after_id = decode_cursor(cursor)
        moment = utc(after_start)
        query = query.where(
            or_(
                ACTIVITY.c.start_at < moment,
                and_(ACTIVITY.c.start_at == moment, ACTIVITY.c.id < after_id),
            )
        )
    found = (await conn.execute(query.order_by(*_NEWEST_FIRST).limit(limit + 1))).mappings()
    return page_of([activity_json(row) for row in found], limit)


def page_of(items: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """Activities (one more than a page, when there are more) as an ``ActivityPage``, cut short
    where the JSON would pass ``MAX_PAGE_BYTES``."""
    taken, cut = within_bytes(items[:limit], lambda item: item)
    next_cursor = None
    if cut or len(items) > limit:
        last = taken[-1]
        next_cursor = encode_cursor(datetime.fromisoformat(last["start"]), last["id"])
    return {"items": taken, "next_cursor": next_cursor}


async def recent(conn: AsyncConnection, owner: str, count: int) -> list[dict[str, Any]]:
    """The owner's ``count`` newest live activities (what the cache keeps)."""
    query = select(ACTIVITY).where(_live(owner)).order_by(*_NEWEST_FIRST).limit(count)
    return [activity_json(row) for row in (await conn.execute(query)).mappings()]


async def _energy(
    conn: AsyncConnection, owner: str, body: ActivityCreate | ActivityUpdate, duration_s: float
) -> tuple[float, bool, float, str | None]:
    """Calories, whether estimated, workload and the calories' method: as sent, else estimated
    (``core.calories.personal_energy``, with the owner's profile: no heart rate here)."""
    from fittrack.core.activity_types import BUILTIN_TYPES
    from fittrack.core.calories import personal_energy

    sent_workload = getattr(body, "workload", None)
    sent_estimated = getattr(body, "calories_estimated", None)
    if body.calories_kcal is not None and sent_workload is not None:
        # None (a client from before the method) reads as given or met, by the flag.
        method = getattr(body, "calories_method", None)
        return body.calories_kcal, bool(sent_estimated), sent_workload, method
    kind = {t.slug: t for t in BUILTIN_TYPES}.get(body.type)
    if kind is None:
        raise UsageError(
            f"the server has no MET value for the type {body.type!r}: "
            "send calories_kcal and workload with it"
        )
    person = await profile.load(conn, owner)
    energy = personal_energy(
        kind, body.distance_m, duration_s, person, body.calories_kcal, day=body.start.date()
    )
    workload = sent_workload if sent_workload is not None else energy.workload
    return energy.calories_kcal, energy.calories_estimated, workload, energy.calories_method


async def _write(
    conn: AsyncConnection,
    owner: str,
    activity_id: str,
    body: ActivityCreate | ActivityUpdate,
    now: datetime,
    *,
    new: bool,
) -> Write:
    """The write of one activity, checked: a new one (POST) by the CLI's rules for logging one
    (moving time within the span, not in the future); a stored one (PUT, sync) may hold what a
    device file gave, as an import does, so it only has to end no earlier than it starts. The
    seed's minimal activity (no ``duration_s``) moves for its whole span."""
    stamps = [getattr(body, name, None) for name in ("created_at", "updated_at", "deleted_at")]
    check_moments(body.start, body.end, *stamps)
    duration_s: float
    if new:
        _, _, duration_s = resolve_span(body.start, body.end, body.duration_s, now)
        check_not_future(body.start, now)
    elif body.end < body.start:
        raise UsageError("end is before start; give an end at or after the start")
    elif body.duration_s is None:
        duration_s = (body.end - body.start).total_seconds()
    else:
        duration_s = body.duration_s
    calories, estimated, workload, method = await _energy(conn, owner, body, duration_s)

    def values(stamps: Stamps) -> dict[str, Any]:
        record = ActivityRecord(
            id=activity_id,
            type=body.type,
            start=body.start,
            end=body.end,
            duration_s=duration_s,
            distance_m=body.distance_m,
            calories_kcal=calories,
            calories_estimated=estimated,
            calories_method=method,
            workload=workload,
            note=body.note,
            source=body.source,
            created_at=stamps[0],
            updated_at=stamps[1],
            deleted_at=stamps[2],
        )
        return rows.activity_to_row(record, time=utc)

    created_at, updated_at, deleted_at = stamps
    return Write(activity_id, created_at, updated_at, deleted_at, values)


async def put(
    conn: AsyncConnection, owner: str, activity_id: str, body: ActivityUpdate
) -> tuple[bool, dict[str, Any]]:
    """Store an activity under the client's id: (created?, the activity as now stored).

    Idempotent: the same PUT again changes nothing. With ``updated_at``, an older write than the
    stored one is ignored, and a stored deletion is kept whatever arrives."""
    now = utcnow()
    async with transaction(conn):
        write = await _write(conn, owner, activity_id, body, now, new=False)
        [(_, result, _)] = await apply(conn, ACTIVITY, owner, [write], now)
        stored = await _any(conn, owner, activity_id)
    return result == "created", stored


async def _any(conn: AsyncConnection, owner: str, activity_id: str) -> dict[str, Any]:
    query = select(ACTIVITY).where(ACTIVITY.c.owner == owner, ACTIVITY.c.id == activity_id)
    return activity_json((await conn.execute(query)).mappings().one())


async def create(conn: AsyncConnection, owner: str, body: ActivityCreate) -> dict[str, Any]:
    """A new activity with a server-made id."""
    now = utcnow()
    activity_id = str(uuid.uuid4())
    async with transaction(conn):
        write = await _write(conn, owner, activity_id, body, now, new=True)
        await apply(conn, ACTIVITY, owner, [write], now)
        return await _any(conn, owner, activity_id)


async def writes(
    conn: AsyncConnection, owner: str, items: Sequence[tuple[str, ActivityUpdate]], now: datetime
) -> list[Write]:
    """The checked writes of a batch's activities."""
    return [await _write(conn, owner, i, body, now, new=False) for i, body in items]


async def delete(conn: AsyncConnection, owner: str, activity_id: str) -> None:
    """Tombstone one live activity of the owner (NotFound otherwise)."""
    async with transaction(conn):
        if not await tombstone(conn, ACTIVITY, owner, activity_id):
            raise NotFound(f"no activity {activity_id}")
