"""What the routes depend on: a database connection (``SessionDep``), the user their bearer
token names (``CurrentUser``) and the app's shared objects (``StateDep``)."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection

bearer = HTTPBearer(auto_error=False, description="a token from `fittrack server user add`")


def get_state(request: Request) -> Any:
    """The app's ``State`` (engine, cache, limiter)."""
    return request.app.state.fittrack


StateDep = Annotated[Any, Depends(get_state)]


async def get_session(request: Request) -> AsyncIterator[AsyncConnection]:
    """One connection of the pool for the request, reading in autocommit (a lone SELECT needs
    no BEGIN and ROLLBACK); data functions open their write transactions on it
    (``data.common.transaction``)."""
    async with request.app.state.fittrack.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


SessionDep = Annotated[AsyncConnection, Depends(get_session)]


async def current_user(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The user the ``Gate`` middleware found for the bearer token (declared through
    ``HTTPBearer`` for the OpenAPI document; the Gate already refused a request without one,
    before its body was read)."""
    user: str | None = request.scope.get("fittrack.user")
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="a valid token is required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[str, Depends(current_user)]

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid bearer token"},
    404: {"description": "no such id"},
    422: {"description": "invalid input"},
    429: {"description": "rate limited: see Retry-After"},
    503: {"description": "the database is unavailable: see Retry-After"},
}
"""The error answers every /v1 route may give."""


async def cached(state: Any, kind: str, loader: Any, user: str) -> Any:
    """The user's cached goals or recent activities, read (and cached) on a miss.

    The fill token is taken before the database read: if a write invalidates the entry while the
    read is on its way, the read's (old) rows are not cached. A cache that fails (Redis away or
    hanging) is read around, and logged."""
    cache = state.cache
    getter = cache.get_goals if kind == "goals" else cache.get_recent
    setter = cache.set_goals if kind == "goals" else cache.set_recent
    try:
        value = await getter(user)
        token = None if value is not None else await cache.fill_token(kind, user)
    except Exception as exc:
        state.log.warning("cache unavailable, read from the database: %s", exc)
        return await loader()
    if value is None:
        value = await loader()
        try:
            await setter(user, value, token)
        except Exception as exc:
            state.log.warning("cache unavailable, not filled: %s", exc)
    return value


async def invalidate(state: Any, kind: str, user: str) -> None:
    """Drop the user's cached goals or recent activities, after the write committed."""
    cache = state.cache
    call = cache.invalidate_goals if kind == "goals" else cache.invalidate_activities
    try:
        await call(user)
    except Exception as exc:
        state.log.error("cache invalidation failed (entries expire on their own): %s", exc)
