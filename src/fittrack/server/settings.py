"""The server's settings, all from ``FITTRACK_*`` environment variables (docs/server.md).

Read by pydantic-settings; a bad value is a ``UsageError`` naming the variable, so ``fittrack
serve`` stops before it listens with one line instead of a traceback.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from fittrack.errors import UsageError
from fittrack.server.ratelimit import Rate, parse_rate


def _rate(value: Any) -> Any:
    return parse_rate(value) if isinstance(value, str) else value


RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_rate)]


class Settings(BaseSettings):
    """What one server process runs with."""

    model_config = SettingsConfigDict(
        env_prefix="FITTRACK_",
        frozen=True,
        arbitrary_types_allowed=True,
        extra="ignore",
        populate_by_name=True,
    )

    database_url: str = ""
    """PostgreSQL or SQLite; empty: SQLite at ``$FITTRACK_HOME/server.db``."""
    redis_url: str | None = None
    rate: RateSetting = Field(default=Rate(120, 60.0), validation_alias="FITTRACK_RATE_LIMIT")
    anonymous_rate: RateSetting = Field(
        default=Rate(600, 60.0), validation_alias="FITTRACK_ANONYMOUS_RATE_LIMIT"
    )
    cache_last_n: int = Field(default=20, ge=1, le=1000)
    token_cache_s: float = Field(
        default=5.0, ge=0, le=3600, validation_alias="FITTRACK_TOKEN_CACHE_SECONDS"
    )
    redis_prefix: str = "fittrack:"
    workers: int = Field(default=1, ge=1, le=64)
    """How many worker processes serve (set by ``fittrack serve --workers``): the in-process
    cache is only right when there is one, or when Redis holds it."""
    max_body_bytes: int = 16 * 1024 * 1024
    redis_timeout_s: float = 0.25
    """How long a Redis command may take before the limiter lets the request through and the
    cache is read around (a Redis that accepts and never answers must not hang requests)."""
    database_timeout_s: float = 2.0
    """How long to wait for a database connection before answering 503."""

    @classmethod
    def from_env(cls) -> "Settings":
        """The settings of this environment; UsageError naming the first bad variable."""
        try:
            settings = cls()
        except ValidationError as exc:
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = field if field.startswith("FITTRACK_") else f"FITTRACK_{field.upper()}"
            message = str(error.get("ctx", {}).get("error", "")) or error["msg"]
            raise UsageError(f"{name}={error.get('input')!r}: {message}") from None
        from fittrack.server.db import default_url, dialect_of

        url = settings.database_url.strip() or default_url()
        dialect_of(url)
        return settings.model_copy(
            update={"database_url": url, "redis_url": (settings.redis_url or "").strip() or None}
        )
