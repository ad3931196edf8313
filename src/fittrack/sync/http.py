"""The sync server, as the client sees it: a few JSON requests, every failure a ``SyncError``.

httpx is imported here and only here, so only the commands that talk to a server pay for it.
A 429 (rate limited) or a 503 (the server's database is away for a moment) is waited out when
its ``Retry-After`` fits in what is left of ``max_wait_s``; beyond that the sync stops, saying
when to try again. A 503 then is ``Unreachable``: "try later", with nothing lost (what was not
confirmed is sent again by the next sync). A request whose connection closed with no answer at
all is sent once more on a new connection: every request of the sync protocol is idempotent.
"""

import time
from typing import Any

from fittrack import __version__
from fittrack.errors import SyncError


class Rejected(SyncError):
    """The server refused a request as invalid (422): the detail says what."""


class TokenRefused(SyncError):
    """The server answered 401: the token is wrong or revoked."""


class RateLimited(SyncError):
    """The server kept limiting this token's requests for longer than the client waits."""


class Unreachable(SyncError):
    """No answer: the server is down, the address is wrong, or the network is away."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ServerClient:
    """One server and token."""

    def __init__(
        self, url: str, token: str, *, timeout_s: float = 30.0, max_wait_s: float = 60.0
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.max_wait_s = max_wait_s
        self._waited = 0.0
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": f"fittrack/{__version__}"},
            timeout=timeout_s,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "ServerClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params or None)

    def send(self, method: str, path: str, body: Any) -> Any:
        return self.request(method, path, json=body)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of one request, after waiting out rate limits within the bound."""
        return _answer(self.url, self._response(method, path, **kwargs))

    def put_bytes(self, path: str, data: bytes) -> None:
        """PUT ``data`` as ``application/octet-stream`` (an encoded track)."""
        headers = {"Content-Type": "application/octet-stream"}
        _answer(self.url, self._response("PUT", path, content=data, headers=headers))

    def get_bytes(self, path: str) -> bytes | None:
        """The body of a GET, as bytes; None when the server has no such thing (404)."""
        response = self._response("GET", path)
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            _answer(self.url, response)  # raises the error that status means
        return bytes(response.content)

    def _response(self, method: str, path: str, **kwargs: Any) -> Any:
        """The answer to one request, after waiting out rate limits within the bound."""
        import httpx

        resent = False
        while True:
            try:
                response = self._client.request(method, path, **kwargs)
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # The connection closed with no answer: a server behind a proxy stopping for a
                # restart closes its idle connections, and one may be taken just then. Every
                # request of the sync protocol is idempotent (a batch carries ids and update
                # times, so the merge makes a second delivery change nothing), so HTTP lets it be
                # sent again (RFC 9112 §9.3.1): once, on a new connection.
                if resent:
                    raise Unreachable(*_unreachable(self.url, exc)) from None
                resent = True
                continue
            except httpx.TimeoutException:
                raise SyncError(
                    f"the server at {self.url} did not answer in time; what was not confirmed "
                    "will be sent again by the next sync"
                ) from None
            except httpx.HTTPError as exc:
                raise Unreachable(*_unreachable(self.url, exc)) from None
            if response.status_code not in (429, 503):
                break
            retry = _retry_after(response.headers.get("Retry-After"))
            if self._waited + retry > self.max_wait_s:
                if response.status_code == 503:
                    reason = f"the server at {self.url} is unavailable for now (503)"
                    raise Unreachable(
                        f"{reason}; your log is saved here — run `fittrack sync` again in a "
                        "little while",
                        reason,
                    )
                raise RateLimited(
                    f"the server is limiting this token's requests; try again in {retry:.0f} s "
                    "(what was sent so far is kept)"
                )
            time.sleep(retry)
            self._waited += retry
        return response


def _unreachable(url: str, exc: Exception) -> tuple[str, str]:
    """``Unreachable``'s message and reason for a request that got no answer."""
    reason = f"cannot reach the server at {url} ({_reason(exc)})"
    message = f"{reason}; your log is saved here — run `fittrack sync` again when it is reachable"
    return message, reason


def _reason(exc: Exception) -> str:
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]
    if "WRONG_VERSION_NUMBER" in text:
        return "it does not speak https here; is the address http://…?"
    return text


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def _answer(url: str, response: Any) -> Any:
    status = response.status_code
    if status == 401:
        raise TokenRefused(
            f"the server at {url} refused the token; log in again: fittrack login --server {url}"
        )
    if status == 422:
        raise Rejected(f"the server refused the data as invalid: {_detail(response)}")
    if status == 404 and response.request.url.path.endswith("/v1/me"):
        raise SyncError(
            f"{url} does not look like a fittrack server (no /v1/me); give the server's root "
            "address, without /v1"
        )
    if status >= 400:
        raise SyncError(f"the server at {url} answered {status}: {_detail(response)}")
    try:
        return response.json() if status != 204 else None
    except ValueError:
        raise SyncError(f"the server at {url} answered with something that is not JSON") from None


def _detail(response: Any) -> str:
    try:
        detail = response.json().get("detail", "")
    except (ValueError, AttributeError):
        return str(response.reason_phrase)  # an HTML error page says nothing a line can
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
            for item in detail[:3]
            if isinstance(item, dict)
        )
    return str(detail)[:300]
