"""The FastAPI application: ``create_app()`` builds it from ``Settings`` (the environment), for
uvicorn (``--factory``) and for tests.

The routes (``api/routes/``) declare their ``response_model`` and return what the data modules
(``data/``) build; the token check, the rate limit, the body size and the request log are ASGI
middleware (``middleware``). Errors are answered in one place each: 404/422/400 for what the
data modules refuse, a 422 that says where and what without echoing the input, and 503 with
``Retry-After`` while the database cannot be reached (never a 500 with a traceback).
"""

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse as _StarletteJSON
from sqlalchemy.exc import DBAPIError

from fittrack import __version__
from fittrack.errors import FittrackError, NotFound, UsageError
from fittrack.server.api.routes import activities, goals, health, profile, sync, tracks
from fittrack.server.auth import TokenResolver
from fittrack.server.cache import Cache, MemoryCache, NoCache, RedisCache
from fittrack.server.db import UNAVAILABLE_ERRORS, is_unavailable, migrate, open_engine
from fittrack.server.middleware import BodyLimit, Gate, RequestLog, unavailable
from fittrack.server.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from fittrack.server.settings import Settings

log = logging.getLogger("fittrack.server")


class JSONResponse(_StarletteJSON):
    """Starlette's JSON response, encoded by orjson (the same compact UTF-8, ~10× faster)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class State:
    """What the routes and middleware share: the engine, the token resolver, the limiter, the
    cache and Redis (when used)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.log = log
        self.engine = open_engine(settings.database_url, timeout_s=settings.database_timeout_s)
        self.resolver = TokenResolver(self.engine, settings.token_cache_s)
        self.redis: Any = None
        self.limiter: RateLimiter = MemoryRateLimiter()
        self.cache: Cache = cache_for(settings)
        if settings.redis_url:
            from redis.asyncio import BlockingConnectionPool, Redis

            # Bounded everywhere: a Redis that accepts and never answers costs a request
            # ``redis_timeout_s``, then the limiter lets it through and the cache is read around.
            timeout = settings.redis_timeout_s
            pool = BlockingConnectionPool.from_url(
                settings.redis_url,
                max_connections=64,
                timeout=timeout,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
            )
            self.redis = Redis.from_pool(pool)
            self.limiter = RedisRateLimiter(self.redis, settings.redis_prefix + "rl:")
            self.cache = RedisCache(
                self.redis, settings.redis_prefix + "cache:", settings.cache_last_n
            )

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def cache_for(settings: Settings) -> Cache:
    """The in-process cache, or none when several workers would each keep their own (one
    worker's cache would not see another's writes)."""
    if settings.workers > 1 and not settings.redis_url:
        return NoCache(settings.cache_last_n)
    return MemoryCache(settings.cache_last_n)


def error_answer(exc: FittrackError) -> JSONResponse:
    """404 for what the user has no such thing of, 422 for input the server cannot take, 400 for
    anything else it refused."""
    status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, UsageError) else 400
    return JSONResponse({"detail": str(exc)}, status_code=status)


def _printable(value: Any) -> Any:
    # A location may hold a key the client sent, lone surrogates and all.
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application."""
    settings = settings or Settings.from_env()
    state = State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.database_url)
        if isinstance(state.cache, NoCache):
            log.warning(
                "%d workers without FITTRACK_REDIS_URL: the cache is off (each worker's own "
                "would not see the others' writes)",
                settings.workers,
            )
        try:
            yield
        finally:
            await state.close()

    app = FastAPI(
        default_response_class=JSONResponse,
        title="fittrack",
        version=__version__,
        summary="The fittrack sync server: activities, goals and progress for each user.",
        lifespan=lifespan,
    )
    app.state.fittrack = state
    # Added innermost first: the log sees every answer; the Gate refuses a request without a
    # valid token before anything (the body limit included) reads its body.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        Gate,
        resolver=state.resolver,
        limiter=state.limiter,
        rate=settings.rate,
        anonymous_rate=settings.anonymous_rate,
    )
    app.add_middleware(RequestLog)
    for module in (health, activities, goals, sync, profile, tracks):
        app.include_router(module.router)

    @app.exception_handler(RequestValidationError)
    async def _unreadable(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes each bad input back: a 10 MB string, or a NaN that no JSON
        # can carry. Where and what is enough to fix a request.
        errors = [
            {
                "loc": [_printable(part) for part in e.get("loc", ())],
                "msg": _printable(str(e.get("msg", ""))),
                "type": e.get("type"),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(FittrackError)
    async def _refused(_request: Request, exc: FittrackError) -> JSONResponse:
        return error_answer(exc)

    async def _database_away(_request: Request, exc: Exception) -> Any:
        if not is_unavailable(exc):
            raise exc
        log.warning("database unavailable: %s", exc)
        return unavailable()

    unavailable_errors: tuple[type[Exception], ...] = (DBAPIError, *UNAVAILABLE_ERRORS)
    for error in unavailable_errors:
        app.add_exception_handler(error, _database_away)
    return app
