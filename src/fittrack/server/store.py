"""The server's reads and writes, always for one owner.

Every query names ``owner``: a row of another user is, to this module, a row that does not exist
(404), and the upserts carry ``WHERE owner = excluded.owner`` so that even a race between two
users over one id cannot change the other's row.

Every write transaction starts by taking the owner's next change number
(``UPDATE app_user … RETURNING change_seq``). That row lock serializes one user's writes, so their
change numbers are handed out in commit order and ``GET /v1/changes?since=N`` can never skip a row
that commits later with a smaller number. Writes by different users do not wait for each other.

Sync's rule lives here too: a write that carries ``updated_at`` replaces the stored row only when
it is newer (last writer wins; a repeat of the same write changes nothing), and a deletion is
final: a tombstone is never brought back by an older or concurrent edit.
"""

import asyncio
import base64
import binascii
import contextlib
import json
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Literal

from fittrack.core.activity import check_not_future, resolve_span
from fittrack.core.dates import FIRST_YEAR, LAST_YEAR
from fittrack.core.goals import MAX_CALORIES_KCAL as MAX_GOAL_KCAL
from fittrack.core.goals import MAX_COUNT, Goal
from fittrack.core.merge import Version, merge
from fittrack.core.moments import local_day_bounds, stamp
from fittrack.core.periods import Period, period_containing, utc_bounds
from fittrack.core.profile import Profile
from fittrack.core.progress import Progress, is_active, progress
from fittrack.core.quantities import MAX_DISTANCE_M, MAX_DURATION_S
from fittrack.errors import NotFound, UsageError
from fittrack.localzone import system_timezone
from fittrack.server.batch import Batcher
from fittrack.server.db import Connection, Database, Row
from fittrack.server.models import ActivityCreate, ActivityUpdate, GoalBase, GoalUpdate
from fittrack.storage import rows

ACTIVITY_COLUMNS = (
    "id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, calories_kcal, "
    "calories_estimated, workload, note, source, created_at, updated_at, deleted_at"
)
GOAL_COLUMNS = (
    "id, name, period, metric, target, activity_type, start_date, end_date, paused, pauses, "
    "created_at, updated_at, deleted_at"
)
PROFILE_COLUMNS = "weight_kg, timezone, units, week_start, updated_at"

_TARGET_LIMITS = {
    "distance": MAX_DISTANCE_M,
    "duration": MAX_DURATION_S,
    "count": float(MAX_COUNT),
    "calories": MAX_GOAL_KCAL,
}
"""The largest target of each metric: what the CLI accepts (``core.goals.parse_target``)."""

MAX_PAGE = 500
"""The most activities one list page, or one page of changes, holds."""


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


# --- rows to JSON ------------------------------------------------------------------------------


_ZONES: dict[int, tzinfo] = {0: UTC}


def _zone(offset_min: int) -> tzinfo:
    zone = _ZONES.get(offset_min)
    if zone is None:
        zone = _ZONES[offset_min] = timezone(timedelta(minutes=offset_min))
    return zone


def activity_json(db: Database, row: Row) -> dict[str, Any]:
    """An activity row (``ACTIVITY_COLUMNS``) as ``ActivityPublic``: the CLI's ACTIVITY, with
    ``deleted_at`` and the seed's fields."""
    record = rows.activity_from_row(dict(zip(ACTIVITY_COLUMNS.split(", "), row, strict=False)))
    return record.to_json(deleted=True, seed=True)


def goal_from_row(db: Database, row: Row) -> Goal:
    """A goal row as the core's ``Goal`` (the CLI's reader, with this database's types)."""
    return rows.goal_from_row(dict(zip(GOAL_COLUMNS.split(", "), row, strict=False)))


def goal_json(goal: Goal) -> dict[str, Any]:
    """A goal as ``GoalPublic``: the CLI's GOAL plus its pauses and tombstone."""
    data = goal.to_json()
    data["pauses"] = [[a.isoformat(), None if b is None else b.isoformat()] for a, b in goal.pauses]
    data["deleted_at"] = None if goal.deleted_at is None else stamp(goal.deleted_at)
    return data


def _profile_json(db: Database, row: Row | None) -> dict[str, Any]:
    if row is None:
        return {
            "weight_kg": None,
            "timezone": None,
            "units": "metric",
            "week_start": "monday",
            "updated_at": None,
        }
    return {
        "weight_kg": row[0],
        "timezone": row[1],
        "units": row[2],
        "week_start": row[3],
        "updated_at": stamp(db.read_ts(row[4])),
    }


# --- activities --------------------------------------------------------------------------------


def parse_api_day(text: str, name: str) -> date:
    """A ``YYYYMMDD`` (the seed's form) or ``YYYY-MM-DD`` query parameter."""
    cleaned = text.strip()
    try:
        if len(cleaned) == 8 and cleaned.isdigit():
            day = date(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]))
        elif len(cleaned) == 10:
            day = date.fromisoformat(cleaned)
        else:
            raise ValueError
    except ValueError:
        raise UsageError(f"{name} must be a date as YYYYMMDD or YYYY-MM-DD, not {text!r}") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{name} must be between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def encode_cursor(start_utc: datetime, activity_id: str) -> str:
    """An opaque page cursor: the (start, id) of the last activity of a page."""
    raw = json.dumps([start_utc.astimezone(UTC).isoformat(), activity_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (start, id) a cursor holds; UsageError for anything this server did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        start_text, activity_id = json.loads(raw)
        if not isinstance(start_text, str) or not isinstance(activity_id, str):
            raise ValueError
        start = datetime.fromisoformat(start_text)
        uuid.UUID(activity_id)
        if start.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise UsageError("cursor is not one this server handed out; start without it") from None
    try:
        _check_moments(start)
    except UsageError:
        raise UsageError("cursor is not one this server handed out; start without it") from None
    return start, activity_id


async def load_profile(db: Database, owner: str) -> Profile:
    """The owner's profile (the defaults, in UTC, when never set)."""
    row = await db.fetchone(
        "SELECT weight_kg, timezone, units, week_start FROM profile "
        "WHERE owner = :owner AND deleted_at IS NULL",
        {"owner": owner},
    )
    if row is None:
        return Profile(timezone="UTC")
    return Profile(weight_kg=row[0], timezone=row[1] or "UTC", units=row[2], week_start=row[3])


async def list_activities(
    db: Database,
    owner: str,
    *,
    from_day: date | None,
    to_day: date | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """A page of the owner's live activities, newest first, within the days given (inclusive,
    in the owner's timezone)."""
    where = ["owner = :owner", "deleted_at IS NULL"]
    params: dict[str, Any] = {"owner": owner, "limit": limit + 1}
    if from_day is not None and to_day is not None and to_day < from_day:
        raise UsageError("toDate is before fromDate; give a toDate on or after fromDate")
    if from_day is not None or to_day is not None:
        tz = (await load_profile(db, owner)).tz(system_timezone)
        if from_day is not None:
            where.append("start_at >= :start")
            params["start"] = db.ts(local_day_bounds(from_day, tz)[0])
        if to_day is not None:
            where.append("start_at < :end")
            params["end"] = db.ts(local_day_bounds(to_day, tz)[1])
    if cursor is not None:
        after_start, after_id = decode_cursor(cursor)
        where.append("(start_at < :after_start OR (start_at = :after_start AND id < :after_id))")
        params["after_start"] = db.ts(after_start)
        params["after_id"] = after_id
    rows = await db.fetchall(
        f"SELECT {ACTIVITY_COLUMNS} FROM activity WHERE {' AND '.join(where)} "
        "ORDER BY start_at DESC, id DESC LIMIT :limit",
        params,
    )
    return page(db, rows, limit)


def page(db: Database, rows: list[Row], limit: int) -> dict[str, Any]:
    """Rows (one more than a page, when there are more) as an ``ActivityPage``."""
    items = [activity_json(db, row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(db.read_ts(last[2]), str(last[0]))
    return {"items": items, "next_cursor": next_cursor}


async def recent_activities(db: Database, owner: str, count: int) -> list[dict[str, Any]]:
    """The owner's ``count`` newest live activities (what the cache keeps)."""
    rows = await db.fetchall(
        f"SELECT {ACTIVITY_COLUMNS} FROM activity WHERE owner = :owner AND deleted_at IS NULL "
        "ORDER BY start_at DESC, id DESC LIMIT :limit",
        {"owner": owner, "limit": count},
    )
    return [activity_json(db, row) for row in rows]


async def _next_change(conn: Connection, owner: str, count: int = 1) -> int:
    """Take the owner's next ``count`` change numbers (and the lock on their writes); the last."""
    row = await conn.fetchone(
        "UPDATE app_user SET change_seq = change_seq + :count WHERE id = :owner "
        "RETURNING change_seq",
        {"owner": owner, "count": count},
    )
    if row is None:
        raise NotFound("this token's user no longer exists")
    return int(row[0])


def _check_moments(*moments: datetime | None) -> None:
    for moment in moments:
        if moment is None:
            continue
        try:
            in_range = FIRST_YEAR <= moment.astimezone(UTC).year <= LAST_YEAR
        except OverflowError:  # 0001-01-01T00:00+01:00 is before the first instant Python has
            in_range = False
        if not in_range:
            raise UsageError(f"dates must be between {FIRST_YEAR} and {LAST_YEAR}")


async def _energy(
    db: Database, owner: str, body: ActivityCreate | ActivityUpdate
) -> tuple[float, bool, float]:
    """Calories, whether estimated, and workload: as sent, else from the MET tables."""
    from fittrack.core.activity_types import BUILTIN_TYPES
    from fittrack.core.calories import energy_for

    sent_workload = getattr(body, "workload", None)
    sent_estimated = getattr(body, "calories_estimated", None)
    if body.calories_kcal is not None and sent_workload is not None:
        estimated = bool(sent_estimated) if sent_estimated is not None else False
        return body.calories_kcal, estimated, sent_workload
    known = {t.slug: t for t in BUILTIN_TYPES}
    kind = known.get(body.type)
    if kind is None:
        raise UsageError(
            f"the server has no MET value for the type {body.type!r}: "
            "send calories_kcal and workload with it"
        )
    weight = (await load_profile(db, owner)).weight_kg
    energy = energy_for(kind, body.distance_m, body.duration_s, weight, body.calories_kcal)
    workload = sent_workload if sent_workload is not None else energy.workload
    return energy.calories_kcal, energy.calories_estimated, workload


def _activity_params(
    db: Database,
    owner: str,
    activity_id: str,
    body: ActivityCreate | ActivityUpdate,
    energy: tuple[float, bool, float],
    stamps: tuple[datetime, datetime, datetime | None],
    seq: int,
) -> dict[str, Any]:
    offset = body.start.utcoffset() or timedelta()
    created, updated, deleted = stamps
    return {
        "id": activity_id,
        "type": body.type,
        "start_at": db.ts(body.start),
        "end_at": db.ts(body.end),
        "utc_offset_min": round(offset.total_seconds() / 60),
        "duration_s": body.duration_s,
        "distance_m": body.distance_m,
        "calories_kcal": energy[0],
        "calories_estimated": energy[1],
        "workload": energy[2],
        "note": body.note,
        "source": body.source,
        "created_at": db.ts(created),
        "updated_at": db.ts(updated),
        "deleted_at": None if deleted is None else db.ts(deleted),
        "owner": owner,
        "change_seq": seq,
    }


_ACTIVITY_UPSERT = (
    f"INSERT INTO activity ({ACTIVITY_COLUMNS}, owner, change_seq) VALUES ("
    ":id, :type, :start_at, :end_at, :utc_offset_min, :duration_s, :distance_m, :calories_kcal, "
    ":calories_estimated, :workload, :note, :source, :created_at, :updated_at, :deleted_at, "
    ":owner, :change_seq) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in [
            "type",
            "start_at",
            "end_at",
            "utc_offset_min",
            "duration_s",
            "distance_m",
            "calories_kcal",
            "calories_estimated",
            "workload",
            "note",
            "source",
            "updated_at",
            "deleted_at",
            "change_seq",
        ]
    )
    + " WHERE activity.owner = excluded.owner"
)


_ACTIVITY_FIELDS = ACTIVITY_COLUMNS.split(", ")
_GOAL_FIELDS = GOAL_COLUMNS.split(", ")
_STAMPS = frozenset({"id", "created_at", "updated_at"})


def _same(row: Row, params: dict[str, Any], fields: list[str]) -> bool:
    """Whether a stored row already holds what ``params`` would write (stamps aside)."""
    return all(
        row[i] == params[name] or (isinstance(params[name], bool) and row[i] == int(params[name]))
        for i, name in enumerate(fields)
        if name not in _STAMPS
    )


def _check_activity(body: ActivityCreate | ActivityUpdate, now: datetime, *, new: bool) -> None:
    """Refuse what no workout is. A new activity (POST) follows the CLI's rules for logging one
    (moving time within the span, not in the future); a stored one (PUT, sync) may hold what a
    device file gave, as an import does: it only has to end no earlier than it starts."""
    _check_moments(body.start, body.end, getattr(body, "updated_at", None))
    if new:
        resolve_span(body.start, body.end, body.duration_s, now)
        check_not_future(body.start, now)
    elif body.end < body.start:
        raise UsageError("end is before start; give an end at or after the start")


async def put_activity(
    db: Database, owner: str, activity_id: str, body: ActivityUpdate
) -> tuple[bool, dict[str, Any]]:
    """Store an activity under the client's id: (created?, the activity as now stored).

    Idempotent: the same PUT again changes nothing. With ``updated_at``, an older write than the
    stored one is ignored, and a stored deletion is kept whatever arrives.
    """
    now = utcnow()
    write = await _activity_write(db, owner, activity_id, body, now)
    created, stored = await _put(db, _ACTIVITY, owner, write, now)
    return created, activity_json(db, stored)


async def _put(
    db: Database, kind: "_Kind", owner: str, write: "_Write", now: datetime
) -> tuple[bool, Row]:
    """One PUT of ``kind`` in its own transaction: (created?, the row as now stored); NotFound
    when the id is another user's."""
    stored = None
    async with db.transaction() as conn:
        [(_, result, _)] = await _apply(conn, db, kind, owner, [write], now)
        if result != "not_found":
            stored = await conn.fetchone(
                f"SELECT {kind.columns} FROM {kind.table} WHERE id = :id AND owner = :owner",
                {"id": write.id, "owner": owner},
            )
    # Not found: another user's id, or another user took this id at the same moment.
    if stored is None:
        raise NotFound(f"no {kind.table} {write.id}")
    return result == "created", stored


async def _activity_write(
    db: Database, owner: str, activity_id: str, body: ActivityUpdate, now: datetime
) -> "_Write":
    _check_activity(body, now, new=False)
    _check_moments(body.created_at, body.deleted_at)
    energy = await _energy(db, owner, body)

    def params(stamps: tuple[datetime, datetime, datetime | None], seq: int) -> dict[str, Any]:
        return _activity_params(db, owner, activity_id, body, energy, stamps, seq)

    return _Write(activity_id, body.created_at, body.updated_at, body.deleted_at, params)


async def create_activity(db: Database, owner: str, body: ActivityCreate) -> dict[str, Any]:
    """A new activity with a server-made id."""
    now = utcnow()
    _check_activity(body, now, new=True)
    energy = await _energy(db, owner, body)
    activity_id = str(uuid.uuid4())
    async with db.transaction() as conn:
        seq = await _next_change(conn, owner)
        params = _activity_params(db, owner, activity_id, body, energy, (now, now, None), seq)
        await conn.execute(_ACTIVITY_UPSERT, params)
        stored = await conn.fetchone(
            f"SELECT {ACTIVITY_COLUMNS} FROM activity WHERE id = :id", {"id": activity_id}
        )
    assert stored is not None
    return activity_json(db, stored)


async def delete_activity(db: Database, owner: str, activity_id: str) -> None:
    """Tombstone one live activity of the owner (NotFound otherwise)."""
    await _tombstone(db, owner, "activity", activity_id)


async def _tombstone(db: Database, owner: str, table: str, row_id: str) -> None:
    now = utcnow()
    async with db.transaction() as conn:
        seq = await _next_change(conn, owner)
        changed = await conn.execute(
            f"UPDATE {table} SET deleted_at = :now, updated_at = :now, change_seq = :seq "
            "WHERE id = :id AND owner = :owner AND deleted_at IS NULL",
            {"now": db.ts(now), "seq": seq, "id": row_id, "owner": owner},
        )
        if changed != 1:
            raise NotFound(f"no {table} {row_id}")


# --- writes under the client's ids (PUT and the batch) -----------------------------------------


@dataclass(frozen=True)
class _Kind:
    """Where one kind of synced row lives, and where its stamps sit in a selected row."""

    table: str
    columns: str
    upsert: str
    created: int
    updated: int
    deleted: int

    @property
    def fields(self) -> list[str]:
        return self.columns.split(", ")

    @property
    def owner(self) -> int:
        return self.deleted + 1


@dataclass(frozen=True)
class _Write:
    """One row a client sends under its own id; ``params`` makes the row once the stamps and
    the change number are known."""

    id: str
    created_at: datetime | None
    updated_at: datetime | None
    deleted_at: datetime | None
    params: Callable[[tuple[datetime, datetime, datetime | None], int], dict[str, Any]]


Result = Literal["created", "updated", "replaced", "unchanged", "kept", "not_found"]
"""What became of one write. ``kept``: the server kept its own newer (or deleted) row and the write
lost; ``replaced``: the write won over a change the client had not seen (that change lost)."""


async def _apply(
    conn: Connection,
    db: Database,
    kind: _Kind,
    owner: str,
    writes: list[_Write],
    now: datetime,
    seen: int | None = None,
) -> list[tuple[str, Result, Row | None]]:
    """Apply writes of one kind in the caller's transaction; what became of each, with the stored
    row when the server kept its own.

    The rules: a deletion wins over any edit, and stays; otherwise the later ``updated_at`` wins,
    and the same ``updated_at`` again is the same write repeated. ``seen`` is the client's change
    cursor: a write that wins over a row changed after it replaces an edit the client never saw
    (``replaced``, a conflict it lists). Each written row takes a change number of its own, so a
    page of changes never splits one; the stored rows are read in one query and the winners
    written with one ``executemany``.
    """
    last = await _next_change(conn, owner, len(writes))
    first = last - len(writes) + 1
    stored: dict[str, Row] = {}
    for start in range(0, len(writes), 500):
        chunk = [w.id for w in writes[start : start + 500]]
        names = {f"id{n}": value for n, value in enumerate(chunk)}
        rows = await conn.fetchall(
            f"SELECT {kind.columns}, owner, change_seq FROM {kind.table} "
            f"WHERE id IN ({', '.join(':' + name for name in names)})",
            names,
        )
        stored.update((str(row[0]), row) for row in rows)
    results: list[tuple[str, Result, Row | None]] = []
    upserts = []
    for offset, write in enumerate(writes):
        row = stored.get(write.id)
        outcome = _decide(db, kind, owner, write, row, seen)
        if outcome in ("not_found", "unchanged", "kept"):
            kept = row[: kind.owner] if outcome == "kept" and row is not None else None
            results.append((write.id, outcome, kept))
            continue
        created = db.read_ts(row[kind.created]) if row is not None else (write.created_at or now)
        params = write.params((created, write.updated_at or now, write.deleted_at), first + offset)
        if row is not None and write.updated_at is None and _same(row, params, kind.fields):
            results.append((write.id, "unchanged", None))  # the same PUT again: nothing to change
            continue
        upserts.append(params)
        results.append((write.id, outcome, None))
    if upserts:
        await conn.executemany(kind.upsert, upserts)
    return results


def _decide(
    db: Database, kind: _Kind, owner: str, write: _Write, row: Row | None, seen: int | None
) -> Result:
    """What one write does to the stored row (see ``_apply``)."""
    if row is None:
        return "created"
    if row[kind.owner] != owner:
        return "not_found"
    held = Version(db.read_ts(row[kind.updated]), row[kind.deleted] is not None)
    outcome = merge(held, Version(write.updated_at, write.deleted_at is not None))
    if outcome != "updated":
        return outcome
    unseen = seen is not None and row[kind.owner + 1] is not None and row[kind.owner + 1] > seen
    return "replaced" if unseen else "updated"


async def apply_batch(
    db: Database,
    owner: str,
    activities: list[tuple[str, ActivityUpdate]],
    goals: list[tuple[str, GoalUpdate]],
    seen: int | None = None,
) -> dict[str, Any]:
    """Many activities and goals in one transaction (``POST /v1/batch``, what sync pushes)."""
    now = utcnow()
    for noun, items in (("activity", activities), ("goal", goals)):
        ids = [item_id for item_id, _ in items]
        if len(set(ids)) != len(ids):
            raise UsageError(f"a batch names the same {noun} id twice")
    activity_writes = [await _activity_write(db, owner, i, body, now) for i, body in activities]
    goal_writes = [_goal_write(db, owner, i, body) for i, body in goals]
    async with db.transaction() as conn:
        done: dict[str, Any] = {"activities": [], "goals": []}
        # The owner's cursor before and after: a client whose cursor was ``cursor_before`` has
        # now seen everything up to ``cursor_after`` (its own writes), and need not pull them.
        done["cursor_before"] = await _next_change(conn, owner, 0)
        for key, kind, writes, to_json in (
            ("activities", _ACTIVITY, activity_writes, activity_json),
            ("goals", _GOAL, goal_writes, _goal_row_json),
        ):
            if writes:
                for item_id, result, row in await _apply(conn, db, kind, owner, writes, now, seen):
                    entry: dict[str, Any] = {"id": item_id, "result": result}
                    if row is not None:
                        entry["stored"] = to_json(db, row)
                    done[key].append(entry)
        done["cursor_after"] = await _next_change(conn, owner, 0)
    return done


def _goal_row_json(db: Database, row: Row) -> dict[str, Any]:
    return goal_json(goal_from_row(db, row))


# --- goals -------------------------------------------------------------------------------------


async def list_goals(db: Database, owner: str) -> list[dict[str, Any]]:
    """The owner's live goals, oldest first."""
    rows = await db.fetchall(
        f"SELECT {GOAL_COLUMNS} FROM goal WHERE owner = :owner AND deleted_at IS NULL "
        "ORDER BY created_at, id",
        {"owner": owner},
    )
    return [goal_json(goal_from_row(db, row)) for row in rows]


_GOAL_UPSERT = (
    f"INSERT INTO goal ({GOAL_COLUMNS}, owner, change_seq) VALUES ("
    ":id, :name, :period, :metric, :target, :activity_type, :start_date, :end_date, :paused, "
    ":pauses, :created_at, :updated_at, :deleted_at, :owner, :change_seq) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in [
            "name",
            "period",
            "metric",
            "target",
            "activity_type",
            "start_date",
            "end_date",
            "paused",
            "pauses",
            "updated_at",
            "deleted_at",
            "change_seq",
        ]
    )
    + " WHERE goal.owner = excluded.owner"
)


def _default_name(body: GoalBase, goal_id: str) -> str:
    """The CLI's name for a goal given none: what it asks, "Run 20 km a week"."""
    from fittrack.core.goals import describe

    shape = Goal(
        id=goal_id,
        name="",
        period=body.period,
        metric=body.metric,
        target=body.target,
        activity_type=body.activity_type,
        start_date=body.start_date,
        end_date=body.end_date,
        paused=body.paused,
        pauses=(),
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    return describe(shape, "metric")


def _goal_params(
    db: Database,
    owner: str,
    goal_id: str,
    body: GoalBase,
    stamps: tuple[datetime, datetime, datetime | None],
    seq: int,
) -> dict[str, Any]:
    if body.end_date is not None and body.end_date < body.start_date:
        raise UsageError("end_date is before start_date; give an end_date on or after it")
    if body.target > _TARGET_LIMITS[body.metric]:
        raise UsageError(f"a {body.metric} target of {body.target:g} is more than anyone does")
    pauses = getattr(body, "pauses", [])
    for first, last in pauses:
        if first is None:
            raise UsageError("a pause needs its first day: [first, last or null]")
        if last is not None and last < first:
            raise UsageError("a pause ends before it begins")
    created, updated, deleted = stamps
    return {
        "id": goal_id,
        "name": body.name or _default_name(body, goal_id),
        "period": body.period,
        "metric": body.metric,
        "target": body.target,
        "activity_type": body.activity_type,
        "start_date": db.day(body.start_date),
        "end_date": None if body.end_date is None else db.day(body.end_date),
        "paused": body.paused,
        "pauses": json.dumps(
            [[a.isoformat(), None if b is None else b.isoformat()] for a, b in pauses]
        ),
        "created_at": db.ts(created),
        "updated_at": db.ts(updated),
        "deleted_at": None if deleted is None else db.ts(deleted),
        "owner": owner,
        "change_seq": seq,
    }


async def put_goal(
    db: Database, owner: str, goal_id: str, body: GoalUpdate
) -> tuple[bool, dict[str, Any]]:
    """Store a goal under the client's id; the rules of ``put_activity``."""
    created, stored = await _put(db, _GOAL, owner, _goal_write(db, owner, goal_id, body), utcnow())
    return created, goal_json(goal_from_row(db, stored))


def _goal_write(db: Database, owner: str, goal_id: str, body: GoalUpdate) -> "_Write":
    _check_moments(body.created_at, body.updated_at, body.deleted_at)
    _goal_params(db, owner, goal_id, body, (utcnow(), utcnow(), None), 0)  # refuse bad goals now

    def params(stamps: tuple[datetime, datetime, datetime | None], seq: int) -> dict[str, Any]:
        return _goal_params(db, owner, goal_id, body, stamps, seq)

    return _Write(goal_id, body.created_at, body.updated_at, body.deleted_at, params)


async def create_goal(db: Database, owner: str, body: GoalBase) -> dict[str, Any]:
    """A new goal with a server-made id."""
    goal_id = str(uuid.uuid4())
    now = utcnow()
    async with db.transaction() as conn:
        seq = await _next_change(conn, owner)
        await conn.execute(
            _GOAL_UPSERT, _goal_params(db, owner, goal_id, body, (now, now, None), seq)
        )
        stored = await conn.fetchone(
            f"SELECT {GOAL_COLUMNS} FROM goal WHERE id = :id", {"id": goal_id}
        )
    assert stored is not None
    return goal_json(goal_from_row(db, stored))


async def delete_goal(db: Database, owner: str, goal_id: str) -> None:
    """Tombstone one live goal of the owner (NotFound otherwise)."""
    await _tombstone(db, owner, "goal", goal_id)


_ACTIVITY = _Kind("activity", ACTIVITY_COLUMNS, _ACTIVITY_UPSERT, 12, 13, 14)
_GOAL = _Kind("goal", GOAL_COLUMNS, _GOAL_UPSERT, 10, 11, 12)


# --- the hot reads, batched ---------------------------------------------------------------------
#
# An activity by id and a goal's progress are what clients ask for most. Their lookups go through
# ``Batcher``s (server/batch.py): the requests waiting at one moment share one query. The queries
# look rows up by id alone (ids are unique across users) and the owner is checked here, so one
# batch serves many users; a row of someone else's is, as everywhere, a 404.


@dataclass(frozen=True, slots=True)
class PeriodAsk:
    """One goal's total: ``metric`` over ``owner``'s live activities (of ``activity_type``, when
    set) starting in [``start``, ``end``), times as the database stores them."""

    owner: str
    start: Any
    end: Any
    activity_type: str | None
    metric: str


_GOAL_SELECT = (
    f"SELECT {', '.join('g.' + c for c in GOAL_COLUMNS.split(', '))}, p.timezone, p.week_start, "
    "g.owner"
)
_PROFILE_JOIN = "LEFT JOIN profile p ON p.owner = g.owner AND p.deleted_at IS NULL"
_GOAL_WITH_ZONE = f"{_GOAL_SELECT} FROM goal g {_PROFILE_JOIN} "
_TOTAL = (
    "SELECT CASE CAST(:metric AS TEXT) "
    "WHEN 'count' THEN CAST(COUNT(*) AS DOUBLE PRECISION) "
    "WHEN 'distance' THEN CAST(COALESCE(SUM(a.distance_m), 0) AS DOUBLE PRECISION) "
    "WHEN 'duration' THEN CAST(COALESCE(SUM(a.duration_s), 0) AS DOUBLE PRECISION) "
    "ELSE CAST(COALESCE(SUM(a.calories_kcal), 0) AS DOUBLE PRECISION) END "
    "FROM activity a WHERE a.owner = {owner} AND a.start_at >= {start} AND a.start_at < {end} "
    "AND a.deleted_at IS NULL AND ({type} IS NULL OR a.type = {type})"
)
_TOTALS_PG = (
    "SELECT ("
    + _TOTAL.replace(":metric", "v.m").format(owner="v.o", start="v.s", end="v.e", type="v.t")
    + ") FROM jsonb_to_recordset(CAST(:asks AS JSONB)) "
    "AS v(i INTEGER, o TEXT, s TIMESTAMPTZ, e TIMESTAMPTZ, t TEXT, m TEXT) ORDER BY v.i"
)
_GOAL_READS_PG = (
    f"{_GOAL_SELECT}, CASE WHEN v.m IS NULL THEN NULL ELSE ("
    + _TOTAL.replace(":metric", "v.m").format(owner="v.o", start="v.s", end="v.e", type="v.t")
    + ") END, v.i FROM jsonb_to_recordset(CAST(:reads AS JSONB)) "
    "AS v(i INTEGER, id TEXT, o TEXT, s TIMESTAMPTZ, e TIMESTAMPTZ, t TEXT, m TEXT) "
    f"LEFT JOIN goal g ON g.id = v.id {_PROFILE_JOIN} ORDER BY v.i"
)
_TOTAL_ONE = _TOTAL.format(owner=":owner", start=":start", end=":end", type="CAST(:type AS TEXT)")


def _by_id(db: Database, select: str, id_column: str, ids: list[str]) -> tuple[str, dict[str, Any]]:
    """``select`` narrowed to rows whose ``id_column`` is one of ``ids`` (UUIDs, so no commas).

    On PostgreSQL the ids go as one comma-separated string, split by the server: one statement,
    prepared once, whatever the count, and a string is cheaper for psycopg to send than a list
    (adapted element by element, in Python). On SQLite, a placeholder each."""
    if any("," in one for one in ids):
        raise ValueError("ids are UUIDs, without commas")
    if db.dialect == "postgresql":
        return f"{select} WHERE {id_column} = ANY(string_to_array(:ids, ','))", {
            "ids": ",".join(ids)
        }
    names = [f"i{n}" for n in range(len(ids))]
    placeholders = ", ".join(":" + name for name in names)
    return f"{select} WHERE {id_column} IN ({placeholders})", dict(zip(names, ids, strict=True))


async def activity_rows(db: Database, ids: Sequence[str]) -> list[Row | None]:
    """The row (``ACTIVITY_COLUMNS``, then the owner) of each activity id, None where none."""
    sql, params = _by_id(db, f"SELECT {ACTIVITY_COLUMNS}, owner FROM activity", "id", list(ids))
    found = {row[0]: row for row in await db.fetchall(sql, params)}
    return [found.get(activity_id) for activity_id in ids]


GoalRead = tuple[str, PeriodAsk | None]
"""A goal id, and the total to read with it (a guess of what its progress will need)."""


async def goal_reads(db: Database, reads: Sequence[GoalRead]) -> list[tuple[Row | None, float]]:
    """For each goal id: its row (``GOAL_COLUMNS``, the owner's timezone and week start, then the
    owner; None when there is no such goal) and, when an ask came with it, that total (else 0).
    One query on PostgreSQL; a query or two per read on SQLite."""
    results: list[tuple[Row | None, float]] = []
    if db.dialect == "postgresql":
        reads_json = json.dumps(
            [
                {"i": i, "id": goal_id}
                if ask is None
                else {
                    "i": i,
                    "id": goal_id,
                    "o": ask.owner,
                    "s": ask.start.isoformat(),
                    "e": ask.end.isoformat(),
                    "t": ask.activity_type,
                    "m": ask.metric,
                }
                for i, (goal_id, ask) in enumerate(reads)
            ]
        )
        # By position, not row order: a goal id asked twice, or two profiles, cannot shift them.
        found = {row[17]: row for row in await db.fetchall(_GOAL_READS_PG, {"reads": reads_json})}
        for i in range(len(reads)):
            row = found.get(i)
            if row is None or row[0] is None:
                results.append((None, 0.0))
            else:
                results.append((row[:16], float(row[16] or 0)))
        return results
    for goal_id, ask in reads:
        row = await db.fetchone(_GOAL_WITH_ZONE + "WHERE g.id = :id", {"id": goal_id})
        total = 0.0 if ask is None else (await period_totals(db, [ask]))[0]
        results.append((row, total))
    return results


async def period_totals(db: Database, asks: Sequence[PeriodAsk]) -> list[float]:
    """Each ask's total, in its order: one query on PostgreSQL (a correlated aggregate per row
    of the unnested arrays, each an index range scan of (owner, start_at)); one query per ask on
    SQLite, where a query is a function call."""
    if db.dialect == "postgresql":
        # One JSON string: cheaper to send than five arrays psycopg would adapt one by one.
        asks_json = json.dumps(
            [
                {
                    "i": i,
                    "o": a.owner,
                    "s": a.start.isoformat(),
                    "e": a.end.isoformat(),
                    "t": a.activity_type,
                    "m": a.metric,
                }
                for i, a in enumerate(asks)
            ]
        )
        rows = await db.fetchall(_TOTALS_PG, {"asks": asks_json})
        return [float(row[0]) for row in rows]
    totals = []
    for ask in asks:
        row = await db.fetchone(
            _TOTAL_ONE,
            {
                "metric": ask.metric,
                "owner": ask.owner,
                "start": ask.start,
                "end": ask.end,
                "type": ask.activity_type,
            },
        )
        totals.append(0.0 if row is None or row[0] is None else float(row[0]))
    return totals


class Reads:
    """``GET /v1/activities/{id}`` and ``GET /v1/goals/{id}/progress``, their lookups batched
    across the requests waiting at the same moment."""

    def __init__(self, db: Database, *, max_batch: int = 200, max_inflight: int = 4) -> None:
        self.db = db
        options: dict[str, int] = {"max_batch": max_batch, "max_inflight": max_inflight}
        self.activities: Batcher[str, Row | None] = Batcher(
            lambda ids: activity_rows(db, ids), **options
        )
        self.goals: Batcher[GoalRead, tuple[Row | None, float]] = Batcher(
            lambda reads: goal_reads(db, reads), **options
        )
        self.totals: Batcher[PeriodAsk, float] = Batcher(
            lambda asks: period_totals(db, asks), **options
        )
        # Pure functions of what they are keyed by, remembered (bounded): for a goal row (which
        # holds updated_at, the zone and the week start: an edit is another key) and a day, the
        # Goal, its JSON, its period and the period's UTC bounds; and each zone by name. Worked
        # out on every request, they cost more than the rest of its own work.
        self._periods: dict[
            tuple[Row, date | None, date],
            tuple[Goal, dict[str, Any], Period, datetime, datetime, datetime | None],
        ] = {}
        self._zones: dict[str | None, tzinfo] = {}
        # Each goal's row as this worker last read it: only ever a guess of what to read with
        # the goal next time, checked against the row read then (``progress``).
        self._last_rows: dict[str, Row] = {}

    def activity(self, owner: str, activity_id: str) -> Coroutine[Any, Any, dict[str, Any]]:
        """One live activity of ``owner``; NotFound for anyone else's, a tombstone or no such
        id. Its lookup is queued now; await the coroutine for the answer (or ``close()`` it)."""
        return self._activity(owner, activity_id, self.activities.submit(activity_id))

    async def _activity(
        self, owner: str, activity_id: str, lookup: "asyncio.Future[Row | None]"
    ) -> dict[str, Any]:
        row = await lookup
        if row is None or row[15] != owner or row[14] is not None:
            raise NotFound(f"no activity {activity_id}")
        return activity_json(self.db, row)

    def progress(
        self, owner: str, goal_id: str, day: date | None
    ) -> Coroutine[Any, Any, dict[str, Any]]:
        """The goal's progress in its period containing ``day`` (default today, in the owner's
        timezone), as of now or, for a past ``day``, the end of that day: the CLI's ``status``.
        Its first lookup is queued now; await the coroutine for the answer (or ``close()`` it).

        One round trip when the goal is as this worker last read it: the goal's row is read
        together with the total its last-known row says the answer needs, and that total is used
        only if the row read now is the same (same goal, timezone and week start: so the same
        question). Otherwise (the first read, an edited goal or profile) the total is read again
        with what the row read now says."""
        now = utcnow()
        last = self._last_rows.get(goal_id)
        guess = None
        if last is not None and last[15] == owner:
            with contextlib.suppress(UsageError):  # the real plan below says it, if still so
                guess = self._plan(last, day, now)
        lookup = self.goals.submit((goal_id, None if guess is None else guess.ask))
        return self._progress(owner, goal_id, day, now, last, guess, lookup)

    async def _progress(
        self,
        owner: str,
        goal_id: str,
        day: date | None,
        now: datetime,
        last: Row | None,
        guess: "_Plan | None",
        lookup: "asyncio.Future[tuple[Row | None, float]]",
    ) -> dict[str, Any]:
        row, total = await lookup
        if row is None or row[15] != owner or row[12] is not None:
            raise NotFound(f"no goal {goal_id}")
        if guess is not None and row == last:
            plan = guess
        else:
            self._remember(goal_id, row)
            plan = self._plan(row, day, now)
            if guess is None or plan.ask != guess.ask:
                total = await self.totals.load(plan.ask)
        result: Progress = progress(plan.goal, plan.period, total, plan.as_of, plan.tz)
        data = result.to_json()
        data["goal"] = plan.goal_json
        data["currentValue"] = data["current"]
        return data

    def _plan(self, row: Row, day: date | None, now: datetime) -> "_Plan":
        """What the progress of the goal in ``row`` asks of the database (UsageError when
        ``day`` is outside the goal's days)."""
        tz = self._zone(row[13])
        today = now.astimezone(tz).date()
        key = (row, day, today)
        fixed = self._periods.get(key)
        if fixed is None:
            fixed = self._period_of(row, tz, day, today)
            if len(self._periods) >= _MEMO:
                self._periods.clear()
            self._periods[key] = fixed
        goal, goal_data, period, start, end, day_end = fixed
        as_of = now if day_end is None else day_end
        db = self.db
        ask = PeriodAsk(
            row[15], db.ts(start), db.ts(min(end, as_of)), goal.activity_type, goal.metric
        )
        return _Plan(goal, goal_data, tz, period, as_of, ask)

    def _period_of(
        self, row: Row, tz: tzinfo, day: date | None, today: date
    ) -> tuple[Goal, dict[str, Any], Period, datetime, datetime, datetime | None]:
        """What ``_plan`` needs that only changes with the row and the day: the goal, its JSON,
        its period and that period's UTC bounds, and the end of a past ``day`` (None: now)."""
        goal = goal_from_row(self.db, row[:13])
        day_end = None
        if day is None or day >= today:
            day = today
        else:
            day_end = local_day_bounds(day, tz)[1]
        if not is_active(goal, day):
            until = "" if goal.end_date is None else f" to {goal.end_date}"
            raise UsageError(
                f"the goal runs from {goal.start_date}{until}; ask for a date within it"
            )
        period = period_containing(day, goal.period, row[14] or "monday")
        start, end = utc_bounds(period, tz)
        return goal, goal_json(goal), period, start, end, day_end

    def _zone(self, name: str | None) -> tzinfo:
        zone = self._zones.get(name)
        if zone is None:
            if len(self._zones) >= _MEMO:
                self._zones.clear()
            zone = self._zones[name] = Profile(timezone=name or "UTC").tz(system_timezone)
        return zone

    def _remember(self, goal_id: str, row: Row) -> None:
        if len(self._last_rows) >= _MEMO:
            self._last_rows.clear()
        self._last_rows[goal_id] = row


@dataclass(frozen=True, slots=True)
class _Plan:
    goal: Goal
    goal_json: dict[str, Any]
    tz: tzinfo
    period: Period
    as_of: datetime
    ask: PeriodAsk


_MEMO = 10_000
"""Entries each memo of ``Reads`` holds at most before it starts again."""


async def get_user(db: Database, owner: str) -> dict[str, Any]:
    """The owner's id and email."""
    row = await db.fetchone("SELECT id, email FROM app_user WHERE id = :owner", {"owner": owner})
    if row is None:
        raise NotFound("this token's user no longer exists")
    return {"id": str(row[0]), "email": str(row[1])}


# --- profile -----------------------------------------------------------------------------------


async def get_profile(db: Database, owner: str) -> dict[str, Any]:
    """The owner's profile as ``ProfilePublic``."""
    row = await db.fetchone(
        f"SELECT {PROFILE_COLUMNS} FROM profile WHERE owner = :owner AND deleted_at IS NULL",
        {"owner": owner},
    )
    return _profile_json(db, row)


async def put_profile(db: Database, owner: str, body: Any) -> dict[str, Any]:
    """Replace the owner's profile (a newer ``updated_at`` wins, as for activities)."""
    if body.timezone is not None:
        from fittrack.core.zones import resolve_timezone

        resolve_timezone(body.timezone)
    _check_moments(body.updated_at)
    now = utcnow()
    updated = body.updated_at or now
    async with db.transaction() as conn:
        seq = await _next_change(conn, owner)
        row = await conn.fetchone(
            "SELECT updated_at FROM profile WHERE owner = :owner AND deleted_at IS NULL",
            {"owner": owner},
        )
        values = {
            "weight_kg": body.weight_kg,
            "timezone": body.timezone,
            "units": body.units,
            "week_start": body.week_start,
            "updated_at": db.ts(updated),
            "owner": owner,
            "seq": seq,
        }
        if row is None:
            await conn.execute(
                "INSERT INTO profile (id, weight_kg, timezone, units, week_start, created_at, "
                "updated_at, owner, change_seq) VALUES (:id, :weight_kg, :timezone, :units, "
                ":week_start, :updated_at, :updated_at, :owner, :seq)",
                {**values, "id": str(uuid.uuid4())},
            )
        elif body.updated_at is None or updated > db.read_ts(row[0]):
            await conn.execute(
                "UPDATE profile SET weight_kg = :weight_kg, timezone = :timezone, units = :units, "
                "week_start = :week_start, updated_at = :updated_at, change_seq = :seq "
                "WHERE owner = :owner AND deleted_at IS NULL",
                values,
            )
        stored = await conn.fetchone(
            f"SELECT {PROFILE_COLUMNS} FROM profile WHERE owner = :owner AND deleted_at IS NULL",
            {"owner": owner},
        )
    return _profile_json(db, stored)


# --- changes -----------------------------------------------------------------------------------


async def changes(db: Database, owner: str, since: int, limit: int) -> dict[str, Any]:
    """Everything of the owner's written after change number ``since``, oldest first, at most
    ``limit`` rows; tombstones included. ``cursor`` is the number to ask from next."""
    params = {"owner": owner, "since": since, "limit": limit + 1}
    # One snapshot for the three tables: a write committing between two of the reads could
    # otherwise put a later change number on this page than a row the page does not hold.
    async with db.snapshot() as conn:
        activity_rows = await conn.fetchall(
            f"SELECT {ACTIVITY_COLUMNS}, change_seq FROM activity "
            "WHERE owner = :owner AND change_seq > :since ORDER BY change_seq LIMIT :limit",
            params,
        )
        goal_rows = await conn.fetchall(
            f"SELECT {GOAL_COLUMNS}, change_seq FROM goal "
            "WHERE owner = :owner AND change_seq > :since ORDER BY change_seq LIMIT :limit",
            params,
        )
        profile_row = await conn.fetchone(
            f"SELECT {PROFILE_COLUMNS}, change_seq FROM profile "
            "WHERE owner = :owner AND change_seq > :since AND deleted_at IS NULL",
            params,
        )
    merged: list[tuple[int, str, Row]] = sorted(
        [(int(r[15]), "activity", r) for r in activity_rows]
        + [(int(r[13]), "goal", r) for r in goal_rows]
        + ([(int(profile_row[5]), "profile", profile_row)] if profile_row is not None else []),
        key=lambda item: item[0],
    )
    taken, more = merged[:limit], len(merged) > limit
    result: dict[str, Any] = {"activities": [], "goals": [], "profile": None}
    for _, kind, row in taken:
        if kind == "activity":
            result["activities"].append(activity_json(db, row[:15]))
        elif kind == "goal":
            result["goals"].append(goal_json(goal_from_row(db, row[:13])))
        else:
            result["profile"] = _profile_json(db, row[:5])
    result["cursor"] = taken[-1][0] if taken else since
    result["more"] = more
    return result
