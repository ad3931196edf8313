"""The server's settings, all from the environment (documented in docs/server.md)."""

import os
from dataclasses import dataclass, field

from fittrack.errors import UsageError
from fittrack.server.ratelimit import Rate, parse_rate


@dataclass(frozen=True)
class Settings:
    """What one server process runs with."""

    database_url: str
    redis_url: str | None = None
    rate: Rate = field(default_factory=lambda: Rate(120, 60.0))
    anonymous_rate: Rate = field(default_factory=lambda: Rate(600, 60.0))
    cache_last_n: int = 20
    token_cache_s: float = 5.0
    redis_prefix: str = "fittrack:"
    max_body_bytes: int = 16 * 1024 * 1024
    direct_reads: bool = True
    """Answer the two hot GETs in the Gate rather than through FastAPI's routing (``app``);
    off only in the tests that hold both ways to the same answers."""
    tune_process: bool = False
    """Freeze the startup objects, collect less often and log leaner records (``app``, ``logs``):
    for a server process (``from_env``), not for a test process that builds many apps."""

    @classmethod
    def from_env(cls) -> "Settings":
        """Read ``FITTRACK_*`` variables; a bad value is a UsageError naming the variable."""
        from fittrack.server.db import default_url, dialect_of

        url = default_url()
        dialect_of(url)
        return cls(
            database_url=url,
            redis_url=os.environ.get("FITTRACK_REDIS_URL", "").strip() or None,
            rate=_rate("FITTRACK_RATE_LIMIT", "120/minute"),
            anonymous_rate=_rate("FITTRACK_ANONYMOUS_RATE_LIMIT", "600/minute"),
            cache_last_n=_number("FITTRACK_CACHE_LAST_N", 20, 1, 1000),
            token_cache_s=_number("FITTRACK_TOKEN_CACHE_SECONDS", 5, 0, 3600),
            redis_prefix=os.environ.get("FITTRACK_REDIS_PREFIX", "fittrack:"),
            tune_process=True,
        )


def _rate(name: str, default: str) -> Rate:
    text = os.environ.get(name, "").strip() or default
    try:
        return parse_rate(text)
    except ValueError as exc:
        raise UsageError(f"{name}={text!r}: {exc}") from None


def _number(name: str, default: int, low: int, high: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise UsageError(f"{name}={text!r}: give a whole number from {low} to {high}")
    return value
