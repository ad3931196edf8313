"""Users and their bearer tokens.

A token is ``ft_`` and 32 random bytes (URL-safe base64); the database keeps only its SHA-256, so a
stolen copy of the database lets nobody in. A token is shown once, when it is made.

Looking a token up costs a database round trip, so each worker remembers the answer for a few
seconds (``FITTRACK_TOKEN_CACHE_SECONDS``, default 5): a revoked token stops working on every
worker within that time.
"""

import hashlib
import re
import secrets
import time
import uuid
from datetime import UTC, datetime

from fittrack.errors import DataError, NotFound, UsageError
from fittrack.server.db import Database

TOKEN_PREFIX = "ft_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_token() -> str:
    """A fresh token: ``ft_`` and 32 random bytes."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database stores of a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


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
        token = new_token()
        await conn.execute(
            "INSERT INTO api_token (token_hash, user_id, created_at) VALUES (:hash, :user, :now)",
            {"hash": hash_token(token), "user": user_id, "now": db.ts(now)},
        )
    return token


async def add_token(db: Database, email: str) -> str:
    """Another token for an existing user; the token."""
    email = check_email(email)
    async with db.transaction() as conn:
        row = await conn.fetchone("SELECT id FROM app_user WHERE email = :email", {"email": email})
        if row is None:
            raise NotFound(f"no user {email}; add them with `fittrack server user add {email}`")
        token = new_token()
        await conn.execute(
            "INSERT INTO api_token (token_hash, user_id, created_at) VALUES (:hash, :user, :now)",
            {"hash": hash_token(token), "user": row[0], "now": db.ts(datetime.now(UTC))},
        )
    return token


async def revoke_token(db: Database, token: str) -> None:
    """Forget a token (NotFound when it is not one)."""
    async with db.transaction() as conn:
        removed = await conn.execute(
            "DELETE FROM api_token WHERE token_hash = :hash", {"hash": hash_token(token.strip())}
        )
    if removed == 0:
        raise NotFound("no such token (it may have been revoked already)")


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
            "SELECT user_id FROM api_token WHERE token_hash = :hash", {"hash": digest}
        )
        user_id = None if row is None else str(row[0])
        if self.ttl_s > 0:
            if len(self._known) >= self.max_entries:
                self._known.clear()  # a flood of made-up tokens must not grow memory without end
            self._known[digest] = (user_id, now + self.ttl_s)
        return user_id, digest
