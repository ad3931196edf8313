"""Activity tracks on the server: ``PUT``/``GET /v1/activities/{id}/track``.

A track travels as ``storage.trackcodec``'s bytes and is kept as they came, in
``activity_track`` beside the owner's activity. The server decodes a track before keeping it,
so that what it hands back is always a track fittrack can read; it derives nothing from it (the
figures are each device's to compute). A track lives as long as its activity: one whose
activity is gone or deleted is not there.
"""

import zlib
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.concurrency import run_in_threadpool

from fittrack.errors import DataError, NotFound, UsageError
from fittrack.server.data.common import ACTIVITY, next_change, transaction, utcnow
from fittrack.storage import schema, trackcodec

TRACK: Table = schema.ActivityTrack.__table__  # type: ignore[attr-defined]

MAX_TRACK_BYTES = 5 * 1024 * 1024
"""The largest encoded track taken (413 beyond). A 13,000-sample ride with every column is
about 100 kB encoded: fifty times that is no recording a device makes."""


def _live_activity(owner: str, activity_id: str) -> Any:
    return select(ACTIVITY.c.id).where(
        ACTIVITY.c.owner == owner, ACTIVITY.c.id == activity_id, ACTIVITY.c.deleted_at.is_(None)
    )


def _key(owner: str, activity_id: str) -> Any:
    return and_(TRACK.c.owner == owner, TRACK.c.activity_id == activity_id)


MAX_INFLATED_BYTES = 32 * 1024 * 1024
"""The most an encoded track may inflate to (422 beyond): 500,000 samples of every column at
the widest differences. A 5 MB body of zlib could otherwise inflate to 5 GB in the server."""


def check(data: bytes) -> int:
    """The number of samples of an encoded track; UsageError (422) in one line when the bytes
    are not a track."""
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(data[1:], MAX_INFLATED_BYTES)
    except zlib.error:
        pass  # trackcodec.decode says what is wrong, below
    else:
        if not inflater.eof and inflater.unconsumed_tail:
            raise UsageError(
                f"the body is not a fittrack track (over {MAX_INFLATED_BYTES // 2**20} MB "
                "once inflated)"
            )
    try:
        return len(trackcodec.decode(data))
    except DataError as exc:
        reason = str(exc).removeprefix("a stored track is damaged ").strip("()")
        raise UsageError(f"the body is not a fittrack track ({reason})") from None


async def put(conn: AsyncConnection, owner: str, activity_id: str, data: bytes) -> str:
    """Keep ``data`` as the track of the owner's live activity: ``created``, ``updated`` or
    ``unchanged`` (the same bytes again change nothing, not even the change number)."""
    # Decoding a long track takes a while: in a worker thread, not on the event loop.
    samples = await run_in_threadpool(check, data)
    now = utcnow()
    async with transaction(conn):
        # Taking no change number still locks the owner's row: PUTs of one user are serialized,
        # so two first PUTs of one track cannot both insert.
        await next_change(conn, owner, 0)
        if await conn.scalar(_live_activity(owner, activity_id)) is None:
            raise NotFound(f"no activity {activity_id}")
        held = await conn.scalar(select(TRACK.c.data).where(_key(owner, activity_id)))
        if held is not None and bytes(held) == data:
            return "unchanged"
        values = {
            "samples": samples,
            "data": data,
            "elevation_gain_m": None,
            "best_efforts": None,
            "updated_at": now,
            "change_seq": await next_change(conn, owner),
        }
        if held is None:
            await conn.execute(
                TRACK.insert().values(
                    activity_id=activity_id, owner=owner, created_at=now, **values
                )
            )
            return "created"
        await conn.execute(TRACK.update().where(_key(owner, activity_id)).values(**values))
        return "updated"


async def get(conn: AsyncConnection, owner: str, activity_id: str) -> bytes:
    """The encoded track of the owner's live activity; NotFound when it has none."""
    query = select(TRACK.c.data).where(
        _key(owner, activity_id), _live_activity(owner, activity_id).exists()
    )
    data = await conn.scalar(query)
    if data is None:
        raise NotFound(f"no track for activity {activity_id}")
    return bytes(data)
