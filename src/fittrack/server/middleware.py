"""The cross-cutting work every request goes through, as small ASGI middleware (cheaper than
Starlette's ``BaseHTTPMiddleware``, which copies each response through a stream):

- ``RequestLog``: one line a request, ``GET /v1/activities 200 1.2ms``: method, path, status and
  time only, never a header (so never a token), a query string or a body;
- ``Gate``: the bearer token and the rate limit. A ``/v1`` request without a valid token is
  refused (401) before its body is read; a token this worker does not know yet is counted against
  its address's bucket before it is looked up, so throttled garbage costs the database nothing;
- ``BodyLimit``: a body over ``max_body_bytes`` is refused (413), by its Content-Length before
  anything is read, or as a chunked body passes the limit.
"""

import logging
import time
from collections.abc import MutableMapping
from typing import Any

from starlette.responses import JSONResponse

from fittrack.server.auth import TokenResolver, hash_token
from fittrack.server.db import is_unavailable
from fittrack.server.ratelimit import Decision, Rate, RateLimiter

log = logging.getLogger("fittrack.server")

Scope = MutableMapping[str, Any]
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
"""Health checks come from the load balancer, often; they are never rate limited."""
RETRY_AFTER_S = 2
"""What a 503 tells a client to wait: about the time a database restart takes."""


def unavailable() -> JSONResponse:
    """The answer while the database cannot be reached: 503, try again shortly."""
    return JSONResponse(
        {"detail": "the database is unavailable; try again shortly"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestLog:
    """One log line per request, written when the response is done."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed_ms)


class BodyLimit:
    """413 for a body over ``max_bytes``, read no further than the limit. Behind the ``Gate``:
    a request it refuses is never read at all."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = JSONResponse({"detail": "request body too large"}, status_code=413)
        length = _header(scope, b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await too_large(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        # A chunked body has no length to check up front: read it, up to the limit, and replay
        # it to the app (FastAPI would turn an error raised while it reads into a 400).
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks.clear()
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class Gate:
    """Who is asking (the bearer token), and whether they may now (the rate limit)."""

    def __init__(
        self,
        app: Any,
        resolver: TokenResolver,
        limiter: Any,
        rate: Rate,
        anonymous_rate: Rate,
    ) -> None:
        self.app = app
        self.resolver = resolver
        self.limiter = limiter
        self.rate = rate
        self.anonymous_rate = anonymous_rate

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            user, decision = await self._admit(scope)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log.warning("database unavailable while checking a token: %s", exc)
            await unavailable()(scope, receive, send)
            return
        headers = {} if decision is None else decision.headers()
        if decision is not None and not decision.allowed:
            period = self.rate.period_s if user else self.anonymous_rate.period_s
            refusal = JSONResponse(
                {
                    "detail": f"too many requests: {decision.limit} allowed per {period:g} s; "
                    f"try again in {decision.retry_after_s} s"
                },
                status_code=429,
                headers=headers,
            )
            await refusal(scope, receive, send)
            return
        if user is None and scope["path"].startswith("/v1/"):
            refusal = JSONResponse(
                {"detail": "a valid token is required: send 'Authorization: Bearer <token>'"},
                status_code=401,
                headers={**headers, "WWW-Authenticate": "Bearer"},
            )
            await refusal(scope, receive, send)
            return
        scope["fittrack.user"] = user
        extra = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start" and extra:
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _admit(self, scope: Scope) -> tuple[str | None, Decision | None]:
        """The user the token names (None: no valid token), and the limiter's decision (None when
        the limiter could not be asked: the request goes through)."""
        client = scope.get("client")
        address = "a:" + (client[0] if client else "?")
        token = _bearer(scope)
        if token is None:
            return None, await self._hit(address, self.anonymous_rate)
        digest = hash_token(token)
        remembered, user = self.resolver.known(digest)
        if remembered and user is not None:
            return user, await self._hit("t:" + digest, self.rate)
        decision = await self._hit(address, self.anonymous_rate)
        if remembered or (decision is not None and not decision.allowed):
            return None, decision
        user, _ = await self.resolver.user_for(token)
        if user is None:
            return None, decision
        return user, await self._hit("t:" + digest, self.rate)

    async def _hit(self, key: str, rate: Rate) -> Decision | None:
        limiter: RateLimiter = self.limiter
        try:
            return await limiter.hit(key, rate)
        except Exception as exc:  # Redis away or hanging: serve rather than refuse everyone
            log.warning("rate limiter unavailable, request let through: %s", exc)
            return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
