"""What the data modules share: the tables, times, change numbers, cursors and bounded pages."""

import base64
import binascii
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from fittrack.core.dates import FIRST_YEAR, LAST_YEAR
from fittrack.errors import NotFound, UsageError
from fittrack.storage import schema
from fittrack.storage.rows import read_time

ACTIVITY: Table = schema.Activity.__table__  # type: ignore[attr-defined]
GOAL: Table = schema.Goal.__table__  # type: ignore[attr-defined]
PROFILE: Table = schema.Profile.__table__  # type: ignore[attr-defined]
USERS: Table = schema.User.__table__  # type: ignore[attr-defined]

MAX_PAGE = 500
"""The most items one list page, or one page of changes, holds."""
MAX_PAGE_BYTES = 4 * 1024 * 1024
"""The most JSON bytes one page holds (a page is cut short before it passes this; one item
alone may, when a note is that long)."""

_T = TypeVar("_T")


@contextlib.asynccontextmanager
async def transaction(conn: AsyncConnection) -> AsyncIterator[None]:
    """One write transaction on the request's connection, committed or rolled back as a whole.

    The request's connection reads in autocommit (``api.deps.get_session``): a lone SELECT needs
    no BEGIN and no ROLLBACK, two round trips that cost more CPU than the query. A write first
    puts the connection back to the engine's isolation level, so ``begin()`` is a real
    transaction (BEGIN IMMEDIATE on SQLite), then commits or rolls back all of it.
    """
    if conn.in_transaction():
        await conn.commit()  # ends the autocommit reads' SQLAlchemy-level transaction (no SQL)
    level = conn.sync_connection.default_isolation_level  # type: ignore[union-attr]
    await conn.execution_options(isolation_level=level)
    async with conn.begin():
        yield


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    """A moment as SQLAlchemy's DateTime stores it on both backends: aware, in UTC."""
    return moment.astimezone(UTC)


def as_day(day: date) -> date:
    """A calendar day as SQLAlchemy's Date takes it."""
    return day


async def next_change(conn: AsyncConnection, owner: str, count: int = 1) -> int:
    """Take the owner's next ``count`` change numbers; the last. The row lock this takes
    serializes one user's writes, so change numbers are handed out in commit order."""
    taken = await conn.scalar(
        USERS.update()
        .where(USERS.c.id == owner)
        .values(change_seq=USERS.c.change_seq + count)
        .returning(USERS.c.change_seq)
    )
    if taken is None:
        raise NotFound("this token's user no longer exists")
    return int(taken)


def check_moments(*moments: datetime | None) -> None:
    """UsageError unless every moment given is within the years fittrack takes."""
    for moment in moments:
        if moment is None:
            continue
        try:
            in_range = FIRST_YEAR <= moment.astimezone(UTC).year <= LAST_YEAR
        except OverflowError:  # 0001-01-01T00:00+01:00 is before the first instant Python has
            in_range = False
        if not in_range:
            raise UsageError(f"dates must be between {FIRST_YEAR} and {LAST_YEAR}")


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


def encode_cursor(start: datetime, activity_id: str) -> str:
    """An opaque page cursor: the (start, id) of the last activity of a page."""
    raw = json.dumps([start.astimezone(UTC).isoformat(), activity_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (start, id) a cursor holds; UsageError for anything this server did not hand out."""
    refused = UsageError("cursor is not one this server handed out; start without it")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        start_text, activity_id = json.loads(raw)
        if not isinstance(start_text, str) or not isinstance(activity_id, str):
            raise ValueError
        start = datetime.fromisoformat(start_text)
        uuid.UUID(activity_id)
        if start.tzinfo is None:
            raise ValueError
        check_moments(start)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError, UsageError):
        raise refused from None
    return start, activity_id


def within_bytes(items: Iterable[_T], size: Callable[[_T], Any]) -> tuple[list[_T], bool]:
    """The items, in order, while their JSON (``size(item)``, encoded) stays within
    ``MAX_PAGE_BYTES`` (always the first); and whether any were left out."""
    taken: list[_T] = []
    total = 0
    for item in items:
        total += len(orjson.dumps(size(item)))
        if taken and total > MAX_PAGE_BYTES:
            return taken, True
        taken.append(item)
    return taken, False


def same_values(stored: Any, values: dict[str, Any], skip: frozenset[str]) -> bool:
    """Whether a stored row already holds ``values`` (columns in ``skip`` aside); times compared
    as moments (SQLite gives them back naive, in UTC)."""
    for name, value in values.items():
        if name in skip:
            continue
        held = stored[name]
        if isinstance(value, datetime) and held is not None:
            held, value = read_time(held), read_time(value)
        if held != value:
            return False
    return True
