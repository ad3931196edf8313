"""What ``fittrack sync`` talks to: the batch of writes, and the changes after a cursor."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fittrack.errors import UsageError
from fittrack.server.data import activities, goals
from fittrack.server.data.activities import activity_json
from fittrack.server.data.common import (
    ACTIVITY,
    GOAL,
    PROFILE,
    next_change,
    transaction,
    utcnow,
    within_bytes,
)
from fittrack.server.data.goals import goal_json
from fittrack.server.data.profile import profile_json
from fittrack.server.data.writes import apply
from fittrack.server.models import Batch


async def apply_batch(conn: AsyncConnection, owner: str, batch: Batch) -> dict[str, Any]:
    """Many activities and goals in one transaction (``POST /v1/batch``), each by the rules of
    its PUT; one result per item, and the owner's change cursor before and after."""
    now = utcnow()
    for noun, items in (("activity", batch.activities), ("goal", batch.goals)):
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids):
            raise UsageError(f"a batch names the same {noun} id twice")
    goal_writes = [goals.write(str(item.id), item) for item in batch.goals]
    async with transaction(conn):
        activity_items = [(str(item.id), item) for item in batch.activities]
        activity_writes = await activities.writes(conn, owner, activity_items, now)
        # A client whose cursor was ``cursor_before`` has, after this, seen everything up to
        # ``cursor_after`` (its own writes), and need not pull them back.
        done: dict[str, Any] = {"cursor_before": await next_change(conn, owner, 0)}
        for key, table, writes, to_json in (
            ("activities", ACTIVITY, activity_writes, activity_json),
            ("goals", GOAL, goal_writes, goal_json),
        ):
            done[key] = []
            if not writes:
                continue
            for item_id, result, row in await apply(conn, table, owner, writes, now, batch.since):
                entry: dict[str, Any] = {"id": item_id, "result": result}
                if row is not None:
                    entry["stored"] = to_json(row)
                done[key].append(entry)
        done["cursor_after"] = await next_change(conn, owner, 0)
    return done


async def changes(conn: AsyncConnection, owner: str, since: int, limit: int) -> dict[str, Any]:
    """Everything of the owner's written after change number ``since``, oldest first, tombstones
    included: at most ``limit`` rows and ``MAX_PAGE_BYTES`` of JSON. ``cursor`` is the number to
    ask from next; ``more`` says the page was cut short."""
    # One snapshot for the three tables: a write committing between two of the reads could
    # otherwise put a later change number on this page than a row the page does not hold.
    if conn.dialect.name == "postgresql":
        conn = await conn.execution_options(isolation_level="REPEATABLE READ")
    found: list[tuple[int, str, dict[str, Any]]] = []
    async with transaction(conn):
        for kind, table, to_json in (
            ("activities", ACTIVITY, activity_json),
            ("goals", GOAL, goal_json),
        ):
            query = (
                select(table)
                .where(table.c.owner == owner, table.c.change_seq > since)
                .order_by(table.c.change_seq)
                .limit(limit + 1)
            )
            for row in (await conn.execute(query)).mappings():
                found.append((int(row["change_seq"]), kind, to_json(row)))
        query = select(PROFILE).where(
            PROFILE.c.owner == owner, PROFILE.c.change_seq > since, PROFILE.c.deleted_at.is_(None)
        )
        held = (await conn.execute(query)).mappings().first()
        if held is not None:
            found.append((int(held["change_seq"]), "profile", profile_json(held)))
    found.sort(key=lambda item: item[0])
    taken, cut = within_bytes(found[:limit], lambda item: item[2])
    result: dict[str, Any] = {"activities": [], "goals": [], "profile": None}
    for _, kind, data in taken:
        if kind == "profile":
            result["profile"] = data
        else:
            result[kind].append(data)
    result["cursor"] = taken[-1][0] if taken else since
    result["more"] = cut or len(found) > limit
    return result
