"""A connection closed with no answer (a server behind the proxy stopping for a restart closes
its idle connections): ``fittrack sync`` sends that request once more on a new connection, as
HTTP allows for idempotent requests, and a second close in a row stops it with one line."""

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.sync.conftest import Live
from tests.sync.sync_support import Cli, add_user

from fittrack.sync.http import ServerClient, Unreachable


class ClosingServer:
    """An HTTP server on loopback that reads each request's head and closes the first
    ``closes`` connections without a byte of answer, then answers ``{"ok": true}``."""

    def __init__(self, closes: int) -> None:
        self.closes = closes
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(10)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    head += chunk
                self.requests.append(head.split(b"\r\n", 1)[0])
                if self.closes > 0:
                    self.closes -= 1
                    continue  # closed with no answer
                body = json.dumps({"ok": True}).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def closing() -> Iterator[Any]:
    servers: list[ClosingServer] = []

    def make(closes: int) -> ClosingServer:
        servers.append(ClosingServer(closes))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def test_a_close_without_an_answer_is_sent_again_once(closing: Any) -> None:
    server = closing(1)
    with ServerClient(server.url, "t", timeout_s=10) as client:
        assert client.get("/v1/me") == {"ok": True}
    assert server.requests == [b"GET /v1/me HTTP/1.1"] * 2


def test_two_closes_in_a_row_stop_with_one_line(closing: Any) -> None:
    server = closing(2)
    with (
        ServerClient(server.url, "t", timeout_s=10) as client,
        pytest.raises(Unreachable) as raised,
    ):
        client.send("POST", "/v1/batch", {"since": 0, "activities": []})
    assert len(server.requests) == 2
    message = str(raised.value)
    assert "\n" not in message
    assert f"cannot reach the server at {server.url}" in message
    assert "run `fittrack sync` again" in message


def test_a_sync_whose_push_met_a_close_completes(
    live: Live, cli_devices: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    real = httpx.Client.request
    dropped: list[str] = []

    def request(self: httpx.Client, method: str, url: Any, **kwargs: Any) -> httpx.Response:
        # The push is delivered, and its answer lost on the way back: the resend must not make
        # the activity twice.
        response = real(self, method, url, **kwargs)
        if str(url).endswith("/v1/batch") and not dropped:
            dropped.append(method)
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return response

    monkeypatch.setattr(httpx.Client, "request", request)
    report = cli_devices.sync("a")
    assert dropped == ["POST"]
    # The first delivery stored it; the second changed nothing ("unchanged"), and the device
    # knows it is on the server: the next sync has nothing to push.
    assert report["pushed"]["activities"] == 0
    assert not report["failed"]
    assert cli_devices.sync("a")["pushed"]["activities"] == 0
    cli_devices.ok("b", "login", "--server", live.url, "--token", ana.token)
    cli_devices.sync("b")
    listed = cli_devices.json("b", "list")
    assert len(listed) == 1
