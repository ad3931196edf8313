"""The FastAPI application: ``create_app()`` builds it from ``Settings`` (the environment).

Every request passes through ``Gate``, a plain ASGI middleware (cheaper than Starlette's
``BaseHTTPMiddleware``, which copies the response through a stream): it resolves the bearer
token to a user, applies the rate limit of that token (or of the client's address when there is
no valid token), refuses over-large bodies, adds the ``RateLimit-*`` headers and writes one log
line. The routes then only read the user it found; a route under ``/v1`` without one answers 401.

Handlers are ``async``: their database work is a round trip or two that psycopg's async driver
waits for without a thread (FastAPI runs plain ``def`` handlers in a 40-thread pool, whose
hand-offs cost more than the queries themselves; see docs/performance.md).
"""

import contextlib
import gc
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Coroutine, MutableMapping
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse as _StarletteJSON

from fittrack import __version__
from fittrack.errors import FittrackError, NotFound, UsageError
from fittrack.server import store
from fittrack.server.auth import TokenResolver
from fittrack.server.cache import Cache, MemoryCache, RedisCache
from fittrack.server.db import Database, migrate, open_database
from fittrack.server.logs import tune_records
from fittrack.server.models import (
    ActivityCreate,
    ActivityPage,
    ActivityPublic,
    ActivityUpdate,
    Batch,
    BatchResult,
    Changes,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    Me,
    ProfileBody,
    ProfilePublic,
    ProgressPublic,
)
from fittrack.server.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from fittrack.server.settings import Settings

log = logging.getLogger("fittrack.server")


class JSONResponse(_StarletteJSON):
    """Starlette's JSON response, encoded by orjson: the same compact UTF-8 bytes for the values
    the API answers with (finite floats, string keys), in a tenth of the time of ``json.dumps``
    (~1 µs against ~10 µs for a progress answer; docs/performance.md). Where ``json.dumps`` would
    refuse a NaN or an infinity, orjson writes null; no answer holds one (bodies refuse them, and
    what is stored came through bodies or the CLI's checks)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
"""Health checks come from the load balancer, often; they are never rate limited."""


class State:
    """What the routes share: the database, the token resolver, the limiter and the cache."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db: Database = open_database(settings.database_url)
        self.resolver = TokenResolver(self.db, settings.token_cache_s)
        self.redis: Any = None
        self.limiter: RateLimiter = MemoryRateLimiter()
        self.cache: Cache = MemoryCache(settings.cache_last_n)
        self.reads = store.Reads(self.db)
        self.direct = DirectReads(self.reads) if settings.direct_reads else None

    async def open(self) -> None:
        await self.db.open()
        if self.settings.redis_url:
            from redis.asyncio import BlockingConnectionPool, Redis

            # Blocking: the 101st concurrent request waits for a connection instead of failing
            # (redis-py's default pool raises once its connections are all in use).
            pool = BlockingConnectionPool.from_url(
                self.settings.redis_url, max_connections=64, timeout=5
            )
            self.redis = Redis.from_pool(pool)
            prefix = self.settings.redis_prefix
            self.limiter = RedisRateLimiter(self.redis, prefix + "rl:")
            self.cache = RedisCache(self.redis, prefix + "cache:", self.settings.cache_last_n)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.close()


def _header(scope: dict[str, Any], name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _bearer(scope: dict[str, Any]) -> str | None:
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class Gate:
    """Authentication, rate limits, body size and the request log, for every HTTP request."""

    def __init__(self, app: Any, state: State) -> None:
        self.app = app
        self.state = state
        self.direct = state.direct
        # For each client: the tokens its last answer left, and its requests still waiting for
        # the limiter with a read queued ahead (see ``_admit``).
        self._credit: dict[str, list[int]] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        extra: list[tuple[bytes, bytes]] = []

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if extra:
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            refusal, answer = await self._admit(scope, extra)
            if refusal is None and answer is None and _header(scope, b"content-length") is None:
                # A chunked body has no length to check up front: read it, up to the limit.
                receive, refusal = await self._bounded_body(receive)
            if refusal is not None:
                if answer is not None:
                    answer.close()  # a read queued while the limiter was asked; it is not needed
                await refusal(scope, receive, send_with_headers)
            elif answer is not None:
                response = await DirectReads.respond(answer)
                await response(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            # Method, path and outcome only: never a header, a query string or a body.
            log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )

    async def _bounded_body(self, receive: Any) -> tuple[Any, JSONResponse | None]:
        """The whole body of a request without a Content-Length, replayed to the app; or a 413
        once it passes the limit (what was read is dropped)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks.clear()
                break
            size += len(message.get("body", b""))
            if size > self.state.settings.max_body_bytes:
                return receive, JSONResponse({"detail": "request body too large"}, status_code=413)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return dict(await receive())
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay, None

    async def _admit(
        self, scope: dict[str, Any], extra: list[tuple[bytes, bytes]]
    ) -> tuple[JSONResponse | None, Coroutine[Any, Any, dict[str, Any]] | None]:
        """The response that refuses the request (None to let it through), and the answer to
        come when ``DirectReads`` answers it (None to pass it on)."""
        length = _header(scope, b"content-length")
        if length is not None and (
            not length.isdigit() or int(length) > self.state.settings.max_body_bytes
        ):
            return JSONResponse({"detail": "request body too large"}, status_code=413), None
        if scope["path"] in UNLIMITED_PATHS:
            return None, None
        settings = self.state.settings
        limiter = self.state.limiter
        token = _bearer(scope)
        user_id = None
        if token is not None:
            user_id, digest = await self.state.resolver.user_for(token)
        if user_id is not None:
            key, rate = "t:" + digest, settings.rate
        else:
            client = scope.get("client")
            key, rate = "a:" + (client[0] if client else "?"), settings.anonymous_rate
        scope["fittrack.user"] = user_id
        direct = self.direct
        answer = None
        ahead = False
        credit = self._credit.get(key)
        if direct is not None and limiter.round_trip and (credit is None or credit[0] > credit[1]):
            # The limiter asks Redis: the read's lookups go meanwhile (a read changes nothing,
            # so a refused request's is dropped), one round trip's wait instead of two. Only
            # while the tokens left at the client's last answer outnumber its requests still
            # waiting for theirs: a client over its limit, even in a burst, costs no reads.
            answer = direct.answer(scope)
            if credit is None:
                if len(self._credit) >= 100_000:
                    self._credit.clear()  # bounded; a forgotten client starts again at 1
                credit = self._credit[key] = [1, 0]
            credit[1] += 1
            ahead = True
        try:
            decision = await limiter.hit(key, rate)
        except Exception as exc:  # Redis away: serve rather than refuse everyone (logged)
            log.warning("rate limiter unavailable, request let through: %s", exc)
            if answer is None and direct is not None:
                answer = direct.answer(scope)
            return None, answer
        except BaseException:  # cancelled: the read queued ahead goes with the request
            if answer is not None:
                answer.close()
            raise
        finally:
            if ahead and credit is not None:
                credit[1] -= 1
        if credit is not None:
            credit[0] = decision.remaining
        headers = decision.headers()
        extra.extend((k.lower().encode(), v.encode()) for k, v in headers.items())
        if not decision.allowed:
            extra.clear()
            refusal = JSONResponse(
                {
                    "detail": f"too many requests: {decision.limit} allowed per "
                    f"{rate.period_s:g} s; try again in {decision.retry_after_s} s"
                },
                status_code=429,
                headers=headers,
            )
            return refusal, answer
        if answer is None and direct is not None:
            answer = direct.answer(scope)
        return None, answer


def error_answer(exc: FittrackError) -> JSONResponse:
    """The answer to a request the store refused: 404 for what the user has no such thing of,
    422 for input it cannot take, 400 for anything else it refused."""
    status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, UsageError) else 400
    return JSONResponse({"detail": str(exc)}, status_code=status)


class DirectReads:
    """``GET /v1/activities/{id}`` and ``GET /v1/goals/{id}/progress``, answered by the Gate.

    They are what clients ask for most, and FastAPI's layers around a route (the middleware stack,
    routing, the request object, parameter parsing) cost ~45 µs a request here: three times what a
    bare ASGI answer costs under the same uvicorn (docs/performance.md). So the form clients send
    (GET, a token the Gate accepted, a UUID as the id, no query string, no root path) is answered
    here, by the same ``store.Reads`` code, the same ``JSONResponse`` and the same error answers as
    the routes. Every other form (no token, a malformed id, ``?date=``, another method) goes on to
    FastAPI's route, which stays the one the OpenAPI document describes and answers it as before.
    tests/server/test_direct.py holds both ways to the same answers. ``served`` counts the
    requests taken here (with Redis, a request the limiter then refuses is counted too: its read
    went ahead, see ``Gate._admit``).
    """

    _ACTIVITY = "/v1/activities/"
    _GOAL = "/v1/goals/"
    _PROGRESS = "/progress"

    def __init__(self, reads: store.Reads) -> None:
        self.reads = reads
        self.served = 0

    def answer(self, scope: dict[str, Any]) -> Coroutine[Any, Any, dict[str, Any]] | None:
        """The read that answers this request, its lookups queued now, if it is one answered
        here (``respond`` turns it into the response; ``close()`` drops it); else None."""
        user: str | None = scope.get("fittrack.user")
        if (
            user is None
            or scope["method"] != "GET"
            or scope.get("query_string")
            or scope.get("root_path")
        ):
            return None
        path: str = scope["path"]
        if path.startswith(self._ACTIVITY):
            activity_id = _uuid(path[len(self._ACTIVITY) :])
            if activity_id is None:
                return None
            self.served += 1
            return self.reads.activity(user, activity_id)
        if path.startswith(self._GOAL) and path.endswith(self._PROGRESS):
            goal_id = _uuid(path[len(self._GOAL) : -len(self._PROGRESS)])
            if goal_id is None:
                return None
            self.served += 1
            return self.reads.progress(user, goal_id, None)
        return None

    @staticmethod
    async def respond(read: Awaitable[dict[str, Any]]) -> Response:
        """The response: the read's JSON, or the answer to what the store refused."""
        try:
            return JSONResponse(await read)
        except FittrackError as exc:
            return error_answer(exc)


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _uuid(text: str) -> str | None:
    """The id, lower case, when it is written as a UUID is written (8-4-4-4-12 hex digits); None
    for any other form, which FastAPI's path parameter then reads (and accepts or refuses) as
    it always did."""
    if len(text) != 36 or _CANONICAL_UUID.fullmatch(text) is None:
        return None
    return text.lower()


def _user(request: Request) -> str:
    """The user ``Gate`` found for the request's token (401 without a valid one).

    Read from the scope rather than through a FastAPI dependency: solving dependencies cost
    ~100 µs a request, more than the database lookup (docs/performance.md). The OpenAPI document
    still declares the bearer scheme on every /v1 route (``_openapi``)."""
    user_id: str | None = request.scope.get("fittrack.user")
    if user_id is None:
        raise HTTPException(
            status_code=401,
            detail="a valid token is required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user_id


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid bearer token"},
    404: {"description": "no such id (or another user's)"},
    422: {"description": "invalid input"},
    429: {"description": "rate limited: see Retry-After"},
}


async def _cached(cache: Cache, kind: Any, loader: Any, user_id: str) -> Any:
    """The user's cached goals or recent activities, read (and cached) on a miss.

    The fill token is taken before the database read: if a write invalidates the entry while the
    read is on its way, the read's (old) rows are not cached, so the next read sees the write.
    """
    getter = cache.get_goals if kind == "goals" else cache.get_recent
    setter = cache.set_goals if kind == "goals" else cache.set_recent
    try:
        value = await getter(user_id)
        token = None if value is not None else await cache.fill_token(kind, user_id)
    except Exception as exc:  # a cache that is down is a cache that misses
        log.warning("cache unavailable: %s", exc)
        return await loader()
    if value is None:
        value = await loader()
        with contextlib.suppress(Exception):
            await setter(user_id, value, token)
    return value


async def _invalidate(call: Any, user_id: str) -> None:
    try:
        await call(user_id)
    except Exception as exc:
        log.error("cache invalidation failed (entries expire on their own): %s", exc)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, for uvicorn (``--factory``) and for tests."""
    settings = settings or Settings.from_env()
    state = State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.database_url)
        await state.open()
        # The app's own objects (FastAPI's routes, pydantic's schemas, the imported modules) live
        # as long as the process: moved out of the collector's sight, a full collection no longer
        # walks ~125,000 of them (a ~60 ms pause once a second under load, the whole p99), and a
        # higher first threshold makes collections rarer (docs/performance.md).
        if settings.tune_process:
            tune_records()
            gc.collect()
            gc.freeze()
            gc.set_threshold(20_000, 20, 20)
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
    app.add_middleware(Gate, state=state)

    @app.exception_handler(RequestValidationError)
    async def _unreadable(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes each bad input back: a 10 MB string, or a NaN that no JSON
        # can carry (a 500). Where and what is enough to fix a request.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(FittrackError)
    async def _refused(_request: Request, exc: FittrackError) -> JSONResponse:
        return error_answer(exc)

    db = state.db

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "not ready"}})
    async def readyz() -> JSONResponse:
        """The database (and Redis, when used) answer."""
        try:
            await db.ping()
            if state.redis is not None:
                await state.redis.ping()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok"})

    # --- activities ---------------------------------------------------------------------------

    @app.put(
        "/v1/activities/{activity_id}",
        response_model=ActivityPublic,
        tags=["activities"],
        responses={201: {"description": "created", "model": ActivityPublic}, **_ERRORS},
    )
    async def put_activity(
        activity_id: uuid.UUID, body: ActivityUpdate, request: Request, response: Response
    ) -> dict[str, Any]:
        """Store an activity under the client's UUID (idempotent; a newer ``updated_at`` wins)."""
        user = _user(request)
        created, stored = await store.put_activity(db, user, str(activity_id), body)
        await _invalidate(state.cache.invalidate_activities, user)
        response.status_code = 201 if created else 200
        return stored

    @app.post(
        "/v1/activities",
        response_model=ActivityPublic,
        status_code=201,
        tags=["activities"],
        responses=_ERRORS,
    )
    async def post_activity(body: ActivityCreate, request: Request) -> dict[str, Any]:
        """Add an activity; calories and workload are estimated unless given."""
        user = _user(request)
        stored = await store.create_activity(db, user, body)
        await _invalidate(state.cache.invalidate_activities, user)
        return stored

    @app.get("/v1/activities", response_model=ActivityPage, tags=["activities"], responses=_ERRORS)
    async def list_activities(
        request: Request,
        from_date: Annotated[
            str | None, Query(alias="fromDate", max_length=10, description="YYYYMMDD")
        ] = None,
        to_date: Annotated[
            str | None, Query(alias="toDate", max_length=10, description="YYYYMMDD, inclusive")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=store.MAX_PAGE)] = 20,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        """Activities newest first, within days of the user's timezone; a page at a time."""
        user = _user(request)
        from_day = None if from_date is None else store.parse_api_day(from_date, "fromDate")
        to_day = None if to_date is None else store.parse_api_day(to_date, "toDate")
        if from_day is None and to_day is None and cursor is None and limit <= state.cache.last_n:
            # The newest page is the seed's "last N workouts": served from the cache, which keeps
            # one more than N so that it knows whether the page goes on.
            recent = await _cached(state.cache, "recent", lambda: _recent_rows(user), user)
            return JSONResponse(_page_from_recent(recent, limit))
        page = await store.list_activities(
            db, user, from_day=from_day, to_day=to_day, limit=limit, cursor=cursor
        )
        return JSONResponse(page)

    async def _recent_rows(user: str) -> list[dict[str, Any]]:
        return await store.recent_activities(db, user, state.cache.last_n + 1)

    @app.get(
        "/v1/activities/{activity_id}",
        response_model=ActivityPublic,
        tags=["activities"],
        responses=_ERRORS,
    )
    async def get_activity(activity_id: uuid.UUID, request: Request) -> Response:
        """One activity: every saved field, plus the seed's ``duration`` (minutes) and
        ``calories``."""
        user = _user(request)
        return JSONResponse(await state.reads.activity(user, str(activity_id)))

    @app.delete(
        "/v1/activities/{activity_id}", status_code=204, tags=["activities"], responses=_ERRORS
    )
    async def delete_activity(activity_id: uuid.UUID, request: Request) -> Response:
        """Delete an activity (a tombstone, which sync carries to other devices)."""
        user = _user(request)
        await store.delete_activity(db, user, str(activity_id))
        await _invalidate(state.cache.invalidate_activities, user)
        return Response(status_code=204)

    # --- goals --------------------------------------------------------------------------------

    @app.put(
        "/v1/goals/{goal_id}",
        response_model=GoalPublic,
        tags=["goals"],
        responses={201: {"description": "created", "model": GoalPublic}, **_ERRORS},
    )
    async def put_goal(
        goal_id: uuid.UUID, body: GoalUpdate, request: Request, response: Response
    ) -> dict[str, Any]:
        """Store a goal under the client's UUID (idempotent; a newer ``updated_at`` wins)."""
        user = _user(request)
        created, stored = await store.put_goal(db, user, str(goal_id), body)
        await _invalidate(state.cache.invalidate_goals, user)
        response.status_code = 201 if created else 200
        return stored

    @app.post(
        "/v1/goals", response_model=GoalPublic, status_code=201, tags=["goals"], responses=_ERRORS
    )
    async def post_goal(body: GoalCreate, request: Request) -> dict[str, Any]:
        """Add a goal."""
        user = _user(request)
        stored = await store.create_goal(db, user, body)
        await _invalidate(state.cache.invalidate_goals, user)
        return stored

    @app.get("/v1/goals", response_model=list[GoalPublic], tags=["goals"], responses=_ERRORS)
    async def list_goals(request: Request) -> Response:
        """The user's goals (from the cache when it has them)."""
        user = _user(request)
        goals = await _cached(state.cache, "goals", lambda: store.list_goals(db, user), user)
        return JSONResponse(goals)

    @app.delete("/v1/goals/{goal_id}", status_code=204, tags=["goals"], responses=_ERRORS)
    async def delete_goal(goal_id: uuid.UUID, request: Request) -> Response:
        """Delete a goal (a tombstone)."""
        user = _user(request)
        await store.delete_goal(db, user, str(goal_id))
        await _invalidate(state.cache.invalidate_goals, user)
        return Response(status_code=204)

    @app.get(
        "/v1/goals/{goal_id}/progress",
        response_model=ProgressPublic,
        tags=["goals"],
        responses=_ERRORS,
    )
    async def goal_progress(
        goal_id: uuid.UUID,
        request: Request,
        on: Annotated[
            str | None,
            Query(
                alias="date",
                max_length=10,
                description="YYYYMMDD: the period containing that day, as of its end",
            ),
        ] = None,
    ) -> Response:
        """The goal in its current period: ``currentValue``, ``status`` and the rest of the
        CLI's PROGRESS, in the user's timezone."""
        user = _user(request)
        day: date | None = None if on is None else store.parse_api_day(on, "date")
        return JSONResponse(await state.reads.progress(user, str(goal_id), day))

    # --- profile and changes ------------------------------------------------------------------

    @app.get("/v1/me", response_model=Me, tags=["profile"], responses=_ERRORS)
    async def me(request: Request) -> dict[str, Any]:
        """Who the token belongs to (``fittrack login`` checks a token with it)."""
        user = _user(request)
        return await store.get_user(db, user)

    @app.get("/v1/profile", response_model=ProfilePublic, tags=["profile"], responses=_ERRORS)
    async def get_profile(request: Request) -> dict[str, Any]:
        """The user's profile: the timezone and week start progress is computed in."""
        user = _user(request)
        return await store.get_profile(db, user)

    @app.put("/v1/profile", response_model=ProfilePublic, tags=["profile"], responses=_ERRORS)
    async def put_profile(body: ProfileBody, request: Request) -> dict[str, Any]:
        """Replace the user's profile."""
        user = _user(request)
        return await store.put_profile(db, user, body)

    @app.post("/v1/batch", response_model=BatchResult, tags=["sync"], responses=_ERRORS)
    async def batch(body: Batch, request: Request) -> dict[str, Any]:
        """Store many activities and goals under their clients' ids in one transaction, each by
        the rules of its PUT; one result per item."""
        user = _user(request)
        result = await store.apply_batch(
            db,
            user,
            [(str(item.id), item) for item in body.activities],
            [(str(item.id), item) for item in body.goals],
            body.since,
        )
        if body.activities:
            await _invalidate(state.cache.invalidate_activities, user)
        if body.goals:
            await _invalidate(state.cache.invalidate_goals, user)
        return result

    @app.get("/v1/changes", response_model=Changes, tags=["sync"], responses=_ERRORS)
    async def changes(
        request: Request,
        since: Annotated[
            int, Query(ge=0, le=2**62, description="a cursor from a previous call")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=store.MAX_PAGE)] = store.MAX_PAGE,
    ) -> Response:
        """Everything the user's devices wrote after ``since``, deletions included."""
        user = _user(request)
        return JSONResponse(await store.changes(db, user, since, limit))

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the bearer scheme on every /v1 operation (the routes read the
    user from the scope, so FastAPI cannot see that they need a token)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["HTTPBearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "a token from `fittrack server user add`",
        }
        for path, operations in document["paths"].items():
            if path.startswith("/v1/"):
                for operation in operations.values():
                    operation["security"] = [{"HTTPBearer": []}]
        app.openapi_schema = document
    return app.openapi_schema


def _page_from_recent(recent: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    from datetime import datetime

    items = recent[:limit]
    next_cursor = None
    if len(recent) > limit:
        last = items[-1]
        next_cursor = store.encode_cursor(datetime.fromisoformat(last["start"]), last["id"])
    return {"items": items, "next_cursor": next_cursor}
