"""Users and their bearer tokens.

A token is ``ft_`` and 32 random bytes (URL-safe base64); the database keeps only its SHA-256, so a
stolen copy of the database lets nobody in. A token is shown once, when it is made.

Looking a token up costs a database round trip, so each worker remembers the answer for a few
seconds (``FITTRACK_TOKEN_CACHE_SECONDS``, default 5): a revoked token stops working on every
worker within that time.

For the administrator, a token is known by an id, the first 12 hex digits of its hash (stable,
and saying nothing about the token), and by its prefix, its first 10 characters as the user sees
them (``ft_AbCdEfG``); ``last_used_at`` is written when a lookup finds it older than a minute,
so a busy token costs one write a minute, not one a request.
"""

import hashlib
import logging
import re
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fittrack.core.moments import stamp
from fittrack.errors import DataError, NotFound, UsageError
from fittrack.storage import schema
from fittrack.storage.rows import read_time

log = logging.getLogger("fittrack.server")

USERS: Table = schema.User.__table__  # type: ignore[attr-defined]
TOKENS: Table = schema.ApiToken.__table__  # type: ignore[attr-defined]

TOKEN_PREFIX = "ft_"
SHOWN_PREFIX_CHARS = 10
"""How much of a token is kept to recognise it in a list: ``ft_`` and 7 of its 43 random ones."""
TOKEN_ID_CHARS = 12
LAST_USED_EVERY = timedelta(minutes=1)
"""``last_used_at`` is not written again before this much time has passed."""
_TOKEN_ID = re.compile(r"^[0-9a-f]{4,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_token() -> str:
    """A fresh token: ``ft_`` and 32 random bytes."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database stores of a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_id(token_hash: str) -> str:
    """The id an administrator knows a token by (its hash's first hex digits)."""
    return token_hash[:TOKEN_ID_CHARS]


def check_email(email: str) -> str:
    """A plausible address, lowercased; UsageError otherwise."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise UsageError(f"{email!r} is not an email address; give one like ana@example.org")
    return cleaned


async def _user_id(conn: AsyncConnection, email: str) -> str | None:
    found = await conn.scalar(select(USERS.c.id).where(USERS.c.email == email))
    return None if found is None else str(found)


async def add_user(engine: AsyncEngine, email: str) -> str:
    """Create a user and their first token; the token."""
    email = check_email(email)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        if await _user_id(conn, email) is not None:
            raise DataError(
                f"{email} already has an account; give them another token with "
                f"`fittrack server token new {email}`"
            )
        user_id = str(uuid.uuid4())
        await conn.execute(
            USERS.insert().values(id=user_id, email=email, change_seq=0, created_at=now)
        )
        return await _insert_token(conn, user_id, now)


async def add_token(engine: AsyncEngine, email: str) -> str:
    """Another token for an existing user; the token."""
    email = check_email(email)
    async with engine.begin() as conn:
        user_id = await _user_id(conn, email)
        if user_id is None:
            raise NotFound(f"no user {email}; add them with `fittrack server user add {email}`")
        return await _insert_token(conn, user_id, datetime.now(UTC))


async def _insert_token(conn: AsyncConnection, user_id: str, now: datetime) -> str:
    token = new_token()
    await conn.execute(
        TOKENS.insert().values(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=now,
            prefix=token[:SHOWN_PREFIX_CHARS],
        )
    )
    return token


async def list_users(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every user, by email: ``email``, ``created_at``, ``tokens`` (how many),
    ``last_used_at`` (the latest use of any of their tokens, None when never)."""
    query = (
        select(
            USERS.c.email,
            USERS.c.created_at,
            func.count(TOKENS.c.token_hash).label("tokens"),
            func.max(TOKENS.c.last_used_at).label("last_used_at"),
        )
        .select_from(USERS.outerjoin(TOKENS, TOKENS.c.user_id == USERS.c.id))
        .group_by(USERS.c.id, USERS.c.email, USERS.c.created_at)
        .order_by(USERS.c.email)
    )
    async with engine.connect() as conn:
        found = (await conn.execute(query)).mappings().all()
    return [
        {
            "email": row["email"],
            "created_at": _stamp(row["created_at"]),
            "tokens": int(row["tokens"]),
            "last_used_at": _stamp(row["last_used_at"]),
        }
        for row in found
    ]


_TOKEN_ROW = select(
    TOKENS.c.token_hash,
    TOKENS.c.prefix,
    USERS.c.email,
    TOKENS.c.created_at,
    TOKENS.c.last_used_at,
).select_from(TOKENS.join(USERS, USERS.c.id == TOKENS.c.user_id))


def _token_json(row: Any) -> dict[str, Any]:
    return {
        "id": token_id(row["token_hash"]),
        "prefix": row["prefix"],
        "email": row["email"],
        "created_at": _stamp(row["created_at"]),
        "last_used_at": _stamp(row["last_used_at"]),
    }


async def list_tokens(engine: AsyncEngine, email: str | None = None) -> list[dict[str, Any]]:
    """The tokens (of one user, or of all), never their text: ``id``, ``prefix`` (None for
    tokens made before fittrack kept it), ``email``, ``created_at``, ``last_used_at``."""
    query = _TOKEN_ROW
    async with engine.connect() as conn:
        if email is not None:
            email = check_email(email)
            if await _user_id(conn, email) is None:
                raise NotFound(f"no user {email} (see `fittrack server user list`)")
            query = query.where(USERS.c.email == email)
        query = query.order_by(USERS.c.email, TOKENS.c.created_at, TOKENS.c.token_hash)
        found = (await conn.execute(query)).mappings().all()
    return [_token_json(row) for row in found]


def _stamp(value: Any) -> str | None:
    """A stored time as ISO 8601 in UTC, None for none."""
    return None if value is None else stamp(read_time(value))


USER_DATA: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[union-attr]
    for model in (schema.Activity, schema.Goal, schema.Profile, schema.CustomActivityType)
)
"""The tables whose rows belong to a user (``owner`` = the user's id)."""


async def user_footprint(engine: AsyncEngine, email: str) -> dict[str, int]:
    """What removing a user would remove: ``tokens`` and each data table's rows (deleted ones
    included). NotFound for an unknown address."""
    email = check_email(email)
    async with engine.connect() as conn:
        user_id = await _user_id(conn, email)
        if user_id is None:
            raise NotFound(f"no user {email} (see `fittrack server user list`)")
        count = select(func.count()).select_from(TOKENS).where(TOKENS.c.user_id == user_id)
        counts = {"tokens": int(await conn.scalar(count) or 0)}
        for table in USER_DATA:
            count = select(func.count()).select_from(table).where(table.c.owner == user_id)
            counts[table.name] = int(await conn.scalar(count) or 0)
    return counts


async def remove_user(engine: AsyncEngine, email: str) -> dict[str, int]:
    """Remove a user, their tokens and every row they own, in one transaction; what was removed
    (as ``user_footprint``). NotFound for an unknown address."""
    email = check_email(email)
    async with engine.begin() as conn:
        user_id = await _user_id(conn, email)
        if user_id is None:
            raise NotFound(f"no user {email} (see `fittrack server user list`)")
        done = await conn.execute(TOKENS.delete().where(TOKENS.c.user_id == user_id))
        removed = {"tokens": done.rowcount}
        for table in USER_DATA:
            done = await conn.execute(table.delete().where(table.c.owner == user_id))
            removed[table.name] = done.rowcount
        await conn.execute(USERS.delete().where(USERS.c.id == user_id))
    return removed


async def revoke_token(engine: AsyncEngine, token: str) -> dict[str, Any]:
    """Forget a token, named by its id (or a unique start of it, 4+ hex digits) as ``server token
    list`` shows it, or by its whole text; the token as ``list_tokens`` showed it. NotFound when
    there is none, UsageError when an id's start fits several."""
    text = token.strip()
    async with engine.begin() as conn:
        if _TOKEN_ID.match(text.lower()):
            # Hex digits only, so the pattern holds no LIKE wildcard.
            query = _TOKEN_ROW.where(TOKENS.c.token_hash.like(text.lower() + "%")).limit(2)
        else:
            query = _TOKEN_ROW.where(TOKENS.c.token_hash == hash_token(text))
        found = (await conn.execute(query)).mappings().all()
        if len(found) > 1:
            raise UsageError(
                f"{text!r} starts the ids of several tokens; give more of it "
                "(see `fittrack server token list`)"
            )
        if not found:
            raise NotFound(
                "no such token (it may have been revoked already; see `fittrack server token list`)"
            )
        await conn.execute(TOKENS.delete().where(TOKENS.c.token_hash == found[0]["token_hash"]))
    return _token_json(found[0])


class TokenResolver:
    """Token → user id, remembered for ``ttl_s`` seconds per worker."""

    def __init__(self, engine: AsyncEngine, ttl_s: float = 5.0, max_entries: int = 100_000) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._known: dict[str, tuple[str | None, float]] = {}

    def known(self, digest: str) -> tuple[bool, str | None]:
        """(whether this worker remembers the token's hash, the user id it resolved to)."""
        found = self._known.get(digest)
        if found is None or found[1] <= time.monotonic():
            return False, None
        return True, found[0]

    async def user_for(self, token: str) -> tuple[str | None, str]:
        """(the user id or None for an unknown token, the token's hash)."""
        digest = hash_token(token)
        remembered, user_id = self.known(digest)
        if remembered:
            return user_id, digest
        query = select(TOKENS.c.user_id, TOKENS.c.last_used_at).where(TOKENS.c.token_hash == digest)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        user_id = None if row is None else str(row["user_id"])
        if row is not None:
            await self._touch(digest, row["last_used_at"])
        if self.ttl_s > 0:
            if len(self._known) >= self.max_entries:
                self._known.clear()  # a flood of made-up tokens must not grow memory without end
            self._known[digest] = (user_id, time.monotonic() + self.ttl_s)
        return user_id, digest

    async def _touch(self, digest: str, last_used: Any) -> None:
        """Record that the token is in use, when it was last recorded over a minute ago.

        Only on a lookup (every ``ttl_s`` seconds per worker for a busy token), and only when
        the stored time is old: a busy token costs about one write a minute whatever the number
        of requests; workers that look it up at the same moment may both write.
        """
        moment = datetime.now(UTC)
        if last_used is not None and moment - read_time(last_used) < LAST_USED_EVERY:
            return
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    TOKENS.update().where(TOKENS.c.token_hash == digest).values(last_used_at=moment)
                )
        except Exception as exc:  # a bookkeeping write must never refuse a request
            log.warning("could not record the use of token %s: %s", token_id(digest), exc)
