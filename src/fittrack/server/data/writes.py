"""Writes under the client's ids (PUT and the batch), by sync's rule (``core.merge``).

A deletion wins over any edit and stays; otherwise the later ``updated_at`` wins, and the same
``updated_at`` again is the same write repeated. Each written row takes a change number of its
own, so a page of changes never splits one. The rows are the owner's only: the key is (id, owner),
so another user's row of the same id is another row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fittrack.core.merge import Version, merge
from fittrack.server.data.common import next_change, same_values, utcnow
from fittrack.storage.rows import read_time

Result = Literal["created", "updated", "replaced", "unchanged", "kept"]
"""What became of one write. ``kept``: the server kept its own newer (or deleted) row and the write
lost; ``replaced``: the write won over a change the client had not seen (that change lost)."""

Stamps = tuple[datetime, datetime, datetime | None]
"""created_at, updated_at, deleted_at of the row to write."""

_STAMPS = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Write:
    """One row a client sends under its own id; ``values`` gives its column values (as
    ``storage.rows.*_to_row`` does) once its stamps are known."""

    id: str
    created_at: datetime | None
    updated_at: datetime | None
    deleted_at: datetime | None
    values: Callable[[Stamps], dict[str, Any]]


async def apply(
    conn: AsyncConnection,
    table: Table,
    owner: str,
    writes: list[Write],
    now: datetime,
    seen: int | None = None,
) -> list[tuple[str, Result, Any]]:
    """Apply writes to ``table`` in the caller's transaction: for each, its id, what became of it
    and, when the server kept its own row, that row. ``seen`` is the client's change cursor: a
    write that wins over a row changed after it is ``replaced`` (a conflict the client lists)."""
    last = await next_change(conn, owner, len(writes))
    first = last - len(writes) + 1
    held: dict[str, Any] = {}
    for start in range(0, len(writes), 500):
        ids = [w.id for w in writes[start : start + 500]]
        query = select(table).where(table.c.owner == owner, table.c.id.in_(ids))
        held.update((row.id, row._mapping) for row in await conn.execute(query))
    results: list[tuple[str, Result, Any]] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for offset, write in enumerate(writes):
        row = held.get(write.id)
        version = None if row is None else Version(read_time(row["updated_at"]), _deleted(row))
        outcome = merge(version, Version(write.updated_at, write.deleted_at is not None))
        if outcome in ("unchanged", "kept"):
            results.append((write.id, outcome, row if outcome == "kept" else None))
            continue
        created = read_time(row["created_at"]) if row is not None else write.created_at or now
        values = write.values((created, write.updated_at or now, write.deleted_at))
        if row is not None and write.updated_at is None and same_values(row, values, _STAMPS):
            results.append((write.id, "unchanged", None))  # the same PUT again: nothing to change
            continue
        values |= {"owner": owner, "change_seq": first + offset}
        if row is None:
            inserts.append(values)
            results.append((write.id, "created", None))
        else:
            updates.append({"_" + name: value for name, value in values.items()})
            unseen = seen is not None and (row["change_seq"] or 0) > seen
            results.append((write.id, "replaced" if unseen else "updated", None))
    if inserts:
        await conn.execute(table.insert(), inserts)
    if updates:
        names = [name[1:] for name in updates[0] if name not in ("_id", "_owner")]
        statement = (
            table.update()
            .where(table.c.id == bindparam("_id"), table.c.owner == bindparam("_owner"))
            .values({name: bindparam("_" + name) for name in names})
        )
        await conn.execute(statement, updates)
    return results


def _deleted(row: Any) -> bool:
    return row["deleted_at"] is not None


async def tombstone(conn: AsyncConnection, table: Table, owner: str, row_id: str) -> bool:
    """Delete one live row of the owner (a tombstone, which sync carries); whether there was one."""
    seq = await next_change(conn, owner)
    now = utcnow()
    done = await conn.execute(
        table.update()
        .where(table.c.id == row_id, table.c.owner == owner, table.c.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now, change_seq=seq)
    )
    return bool(done.rowcount == 1)
