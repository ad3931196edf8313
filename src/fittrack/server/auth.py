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

from fittrack.core.moments import stamp
from fittrack.errors import DataError, NotFound, UsageError
from fittrack.server.db import Connection, Database

log = logging.getLogger("fittrack.server")

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


async def add_user(db: Database, email: str) -> str:
    """Create a user and their first token; the token."""
    email = check_email(email)
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        if await conn.fetchone("SELECT 1 FROM app_user WHERE email = :email", {"email": email}):
            raise DataError(
                f"{email} already has an account; give them another token with "
                f"`fittrack server token new {email}`"
            )
        user_id = str(uuid.uuid4())
        await conn.execute(
            "INSERT INTO app_user (id, email, change_seq, created_at) "
            "VALUES (:id, :email, 0, :now)",
            {"id": user_id, "email": email, "now": db.ts(now)},
        )
        token = await _insert_token(db, conn, user_id, now)
    return token


async def add_token(db: Database, email: str) -> str:
    """Another token for an existing user; the token."""
    email = check_email(email)
    async with db.transaction() as conn:
        row = await conn.fetchone("SELECT id FROM app_user WHERE email = :email", {"email": email})
        if row is None:
            raise NotFound(f"no user {email}; add them with `fittrack server user add {email}`")
        token = await _insert_token(db, conn, str(row[0]), datetime.now(UTC))
    return token


async def _insert_token(db: Database, conn: Connection, user_id: str, now: datetime) -> str:
    token = new_token()
    await conn.execute(
        "INSERT INTO api_token (token_hash, user_id, created_at, prefix) "
        "VALUES (:hash, :user, :now, :prefix)",
        {
            "hash": hash_token(token),
            "user": user_id,
            "now": db.ts(now),
            "prefix": token[:SHOWN_PREFIX_CHARS],
        },
    )
    return token


async def list_users(db: Database) -> list[dict[str, Any]]:
    """Every user, by email: ``email``, ``created_at``, ``tokens`` (how many),
    ``last_used_at`` (the latest use of any of their tokens, None when never)."""
    rows = await db.fetchall(
        "SELECT u.email, u.created_at, COUNT(t.token_hash), MAX(t.last_used_at) "
        "FROM app_user u LEFT JOIN api_token t ON t.user_id = u.id "
        "GROUP BY u.id, u.email, u.created_at ORDER BY u.email"
    )
    return [
        {
            "email": row[0],
            "created_at": _stamp(db, row[1]),
            "tokens": int(row[2]),
            "last_used_at": _stamp(db, row[3]),
        }
        for row in rows
    ]


async def list_tokens(db: Database, email: str | None = None) -> list[dict[str, Any]]:
    """The tokens (of one user, or of all), never their text: ``id``, ``prefix`` (None for
    tokens made before fittrack kept it), ``email``, ``created_at``, ``last_used_at``."""
    sql = (
        "SELECT t.token_hash, t.prefix, u.email, t.created_at, t.last_used_at "
        "FROM api_token t JOIN app_user u ON u.id = t.user_id"
    )
    params: dict[str, Any] = {}
    if email is not None:
        email = check_email(email)
        if (
            await db.fetchone("SELECT 1 FROM app_user WHERE email = :email", {"email": email})
            is None
        ):
            raise NotFound(f"no user {email} (see `fittrack server user list`)")
        sql += " WHERE u.email = :email"
        params["email"] = email
    rows = await db.fetchall(sql + " ORDER BY u.email, t.created_at, t.token_hash", params)
    return [
        {
            "id": token_id(row[0]),
            "prefix": row[1],
            "email": row[2],
            "created_at": _stamp(db, row[3]),
            "last_used_at": _stamp(db, row[4]),
        }
        for row in rows
    ]


def _stamp(db: Database, value: Any) -> str | None:
    """A stored time as ISO 8601 in UTC, None for none."""
    return None if value is None else stamp(db.read_ts(value))


USER_DATA_TABLES = ("activity", "goal", "profile", "activity_type")
"""The tables whose rows belong to a user (``owner`` = the user's id)."""


async def user_footprint(db: Database, email: str) -> dict[str, int]:
    """What removing a user would remove: ``tokens`` and each data table's rows (deleted ones
    included). NotFound for an unknown address."""
    email = check_email(email)
    row = await db.fetchone("SELECT id FROM app_user WHERE email = :email", {"email": email})
    if row is None:
        raise NotFound(f"no user {email} (see `fittrack server user list`)")
    counts = {}
    for table, column in (("api_token", "user_id"), *((t, "owner") for t in USER_DATA_TABLES)):
        found = await db.fetchone(
            f"SELECT COUNT(*) FROM {table} WHERE {column} = :id", {"id": str(row[0])}
        )
        counts["tokens" if table == "api_token" else table] = int(found[0]) if found else 0
    return counts


async def remove_user(db: Database, email: str) -> dict[str, int]:
    """Remove a user, their tokens and every row they own, in one transaction; what was removed
    (as ``user_footprint``). NotFound for an unknown address."""
    email = check_email(email)
    async with db.transaction() as conn:
        row = await conn.fetchone("SELECT id FROM app_user WHERE email = :email", {"email": email})
        if row is None:
            raise NotFound(f"no user {email} (see `fittrack server user list`)")
        user = {"id": str(row[0])}
        removed = {"tokens": await conn.execute("DELETE FROM api_token WHERE user_id = :id", user)}
        for table in USER_DATA_TABLES:
            removed[table] = await conn.execute(f"DELETE FROM {table} WHERE owner = :id", user)
        await conn.execute("DELETE FROM app_user WHERE id = :id", user)
    return removed


async def revoke_token(db: Database, token: str) -> dict[str, Any]:
    """Forget a token, named by its id (or a unique start of it, 4+ hex digits) as ``server token
    list`` shows it, or by its whole text; the token as ``list_tokens`` showed it. NotFound when
    there is none, UsageError when an id's start fits several."""
    text = token.strip()
    select = (
        "SELECT t.token_hash, t.prefix, u.email, t.created_at, t.last_used_at "
        "FROM api_token t JOIN app_user u ON u.id = t.user_id "
    )
    async with db.transaction() as conn:
        if _TOKEN_ID.match(text.lower()):
            # Hex digits only, so the pattern holds no LIKE wildcard.
            rows = await conn.fetchall(
                select + "WHERE t.token_hash LIKE :start LIMIT 2", {"start": text.lower() + "%"}
            )
            if len(rows) > 1:
                raise UsageError(
                    f"{text!r} starts the ids of several tokens; give more of it "
                    "(see `fittrack server token list`)"
                )
        else:
            rows = await conn.fetchall(
                select + "WHERE t.token_hash = :hash", {"hash": hash_token(text)}
            )
        if not rows:
            raise NotFound(
                "no such token (it may have been revoked already; see `fittrack server token list`)"
            )
        await conn.execute("DELETE FROM api_token WHERE token_hash = :hash", {"hash": rows[0][0]})
    row = rows[0]
    return {
        "id": token_id(row[0]),
        "prefix": row[1],
        "email": row[2],
        "created_at": _stamp(db, row[3]),
        "last_used_at": _stamp(db, row[4]),
    }


class TokenResolver:
    """Token → user id, remembered for ``ttl_s`` seconds per worker."""

    def __init__(self, db: Database, ttl_s: float = 5.0, max_entries: int = 100_000) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._known: dict[str, tuple[str | None, float]] = {}

    async def user_for(self, token: str) -> tuple[str | None, str]:
        """(the user id or None for an unknown token, the token's hash)."""
        digest = hash_token(token)
        now = time.monotonic()
        known = self._known.get(digest)
        if known is not None and known[1] > now:
            return known[0], digest
        row = await self.db.fetchone(
            "SELECT user_id, last_used_at FROM api_token WHERE token_hash = :hash",
            {"hash": digest},
        )
        user_id = None if row is None else str(row[0])
        if row is not None:
            await self._touch(digest, row[1])
        if self.ttl_s > 0:
            if len(self._known) >= self.max_entries:
                self._known.clear()  # a flood of made-up tokens must not grow memory without end
            self._known[digest] = (user_id, now + self.ttl_s)
        return user_id, digest

    async def _touch(self, digest: str, last_used: Any) -> None:
        """Record that the token is in use, when it was last recorded over a minute ago.

        Only on a lookup (every ``ttl_s`` seconds per worker for a busy token), and only when
        the stored time is old: a busy token costs about one write a minute whatever the number
        of requests; workers that look it up at the same moment may both write.
        """
        moment = datetime.now(UTC)
        if last_used is not None and moment - self.db.read_ts(last_used) < LAST_USED_EVERY:
            return
        try:
            async with self.db.transaction() as conn:
                await conn.execute(
                    "UPDATE api_token SET last_used_at = :now WHERE token_hash = :hash",
                    {"now": self.db.ts(moment), "hash": digest},
                )
        except Exception as exc:  # a bookkeeping write must never refuse a request
            log.warning("could not record the use of token %s: %s", token_id(digest), exc)
