"""The owner's profile: the timezone and week start their days and periods are read in, and the
body figures the calorie estimates use."""

import uuid
from dataclasses import replace
from datetime import UTC, tzinfo
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fittrack.core.moments import stamp
from fittrack.core.profile import Profile, check_heart_rates
from fittrack.server.data.common import (
    PROFILE,
    check_moments,
    next_change,
    transaction,
    utc,
    utcnow,
)
from fittrack.storage import rows


def no_system_zone() -> tzinfo:
    """The zone of a profile that names none: the server's people are in UTC until they say
    (``load`` gives them UTC; the server's machine's own zone is nobody's)."""
    return UTC


DEFAULT = {
    "weight_kg": None,
    "timezone": None,
    "units": "metric",
    "week_start": "monday",
    **dict.fromkeys(rows.BODY_FIELDS),
}


def _live(owner: str) -> Any:
    return and_(PROFILE.c.owner == owner, PROFILE.c.deleted_at.is_(None))


def profile_json(row: Any) -> dict[str, Any]:
    """A stored profile row as ``ProfilePublic`` (the defaults when there is none)."""
    if row is None:
        return {**DEFAULT, "updated_at": None}
    profile = rows.profile_from_row(row)
    return {
        **rows.profile_to_row(profile),
        **rows.profile_body_to_row(profile),
        "updated_at": stamp(rows.read_time(row["updated_at"])),
    }


async def _row(conn: AsyncConnection, owner: str) -> Any:
    return (await conn.execute(select(PROFILE).where(_live(owner)))).mappings().first()


async def load(conn: AsyncConnection, owner: str) -> Profile:
    """The owner's profile (the defaults, in UTC, when never set)."""
    row = await _row(conn, owner)
    if row is None:
        return Profile(timezone="UTC")
    found = rows.profile_from_row(row)
    return found if found.timezone else replace(found, timezone="UTC")


async def get(conn: AsyncConnection, owner: str) -> dict[str, Any]:
    """The owner's profile as ``ProfilePublic``."""
    return profile_json(await _row(conn, owner))


async def put(conn: AsyncConnection, owner: str, body: Any) -> dict[str, Any]:
    """Replace the owner's profile (a newer ``updated_at`` wins, as for activities)."""
    if body.timezone is not None:
        from fittrack.core.zones import resolve_timezone

        resolve_timezone(body.timezone)
    check_moments(body.updated_at)
    updated = utc(body.updated_at or utcnow())
    values = {name: getattr(body, name) for name in rows.PROFILE_FIELDS}
    if set(rows.BODY_FIELDS) & body.model_fields_set:
        # Sent (by a client that knows them): all five, as sync sends them; else kept.
        values |= {name: getattr(body, name) for name in rows.BODY_FIELDS}
        check_heart_rates(body.resting_hr, body.max_hr)
    async with transaction(conn):
        seq = await next_change(conn, owner)
        row = await _row(conn, owner)
        values |= {"updated_at": updated, "change_seq": seq}
        if row is None:
            await conn.execute(
                PROFILE.insert().values(
                    id=str(uuid.uuid4()), created_at=updated, owner=owner, **values
                )
            )
        elif body.updated_at is None or updated > rows.read_time(row["updated_at"]):
            await conn.execute(PROFILE.update().where(_live(owner)).values(**values))
        return profile_json(await _row(conn, owner))
