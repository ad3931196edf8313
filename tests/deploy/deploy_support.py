"""What the deployment scenarios share: many activities for a device to push, the rows each side
holds (read straight from the server's schema and the devices' files), and load: clients that
send requests through the proxy for a bounded time and keep what each one was answered."""

import contextlib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from tests.server.conftest import run_on_db
from tests.sync.sync_support import Device

Rows = dict[str, tuple[str, str | None]]
"""Activity id → (updated_at, deleted_at) as UTC ISO text to the millisecond."""


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def server_rows(database_url: str) -> tuple[Rows, int]:
    """Every activity row on the server's schema (one user's test), and how many rows there are
    (more than the ids if any were stored twice)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        found = conn.execute("SELECT id, updated_at, deleted_at FROM activity").fetchall()
    rows = {str(i): (str(_iso(u)), _iso(d)) for i, u, d in found}
    return rows, len(found)


def device_rows(db_file: Path) -> tuple[Rows, int]:
    with closing(sqlite3.connect(db_file)) as conn:
        found = conn.execute("SELECT id, updated_at, deleted_at FROM activity").fetchall()
    rows = {str(i): (str(_iso(u)), _iso(d)) for i, u, d in found}
    return rows, len(found)


@dataclass(frozen=True)
class Outcome:
    """One request a load client sent: its status (0: no answer) and the headers that matter."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    error: str = ""
    seconds: float = 0.0


@dataclass
class Load:
    """A thread per token, each calling ``step(load, client, index, n)`` with an httpx client of
    the proxy in a loop, until ``stop()``, ``limit_s`` seconds or ``steps`` steps, whichever
    comes first."""

    url: str
    tokens: list[str]
    step: Callable[["Load", httpx.Client, int, int], None]
    limit_s: float = 60.0
    steps: int | None = None
    resent: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "Load":
        for index, token in enumerate(self.tokens):
            thread = threading.Thread(target=self._run, args=(index, token), daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def _run(self, index: int, token: str) -> None:
        deadline = time.monotonic() + self.limit_s
        headers = {"Authorization": f"Bearer {token}"}
        # Plain HTTP on loopback: no TLS context to build (~45 ms of CPU per client).
        with httpx.Client(base_url=self.url, headers=headers, timeout=30, verify=False) as client:
            n = 0
            while not self._stop.is_set() and time.monotonic() < deadline:
                if self.steps is not None and n >= self.steps:
                    return
                self.step(self, client, index, n)
                n += 1

    def send(self, client: httpx.Client, method: str, path: str, **kwargs: Any) -> Outcome:
        """One request, kept among the outcomes (a transport error as status 0).

        An idempotent request whose connection was closed without any answer is sent once more,
        as HTTP lets a client do (RFC 9112 §9.3.1) and as the proxy expects (docs/deploy.md:
        an instance stopping closes its idle connections); ``resent`` counts them."""
        started = time.perf_counter()
        try:
            try:
                response = client.request(method, path, **kwargs)
            except httpx.RemoteProtocolError:
                if method not in ("GET", "PUT", "DELETE"):
                    raise
                with self._lock:
                    self.resent += 1
                response = client.request(method, path, **kwargs)
            outcome = Outcome(
                method,
                path,
                response.status_code,
                {k.lower(): v for k, v in response.headers.items()},
                seconds=time.perf_counter() - started,
            )
        except httpx.HTTPError as exc:
            outcome = Outcome(method, path, 0, {}, f"{type(exc).__name__}: {exc}")
        with self._lock:
            self.outcomes.append(outcome)
        return outcome

    def count(self) -> int:
        with self._lock:
            return len(self.outcomes)

    def join(self) -> list[Outcome]:
        """Wait for every client to finish its steps (or its time)."""
        for thread in self._threads:
            thread.join(timeout=self.limit_s + 60)
        return self.outcomes

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return self.outcomes


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds; AssertionError naming ``what`` past ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def report(scenario: str, availability: str) -> None:
    """The scenario's availability, printed (pytest -s shows it; docs/deploy.md records it)."""
    print(f"\navailability, {scenario}: {availability}")


def add_users(database_url: str, count: int) -> list[str]:
    """``count`` new users on the server's database, one token each (one engine for all)."""
    from fittrack.server import auth

    async def add(engine: Any) -> list[str]:
        return [
            await auth.add_user(engine, f"user{n}-{uuid.uuid4().hex[:8]}@example.org")
            for n in range(count)
        ]

    tokens: list[str] = run_on_db(database_url, add)
    return tokens


def on_every(
    devices: list[Device], *args: str, timeout: float = 180.0
) -> list[subprocess.CompletedProcess[str]]:
    """``fittrack ARGS`` on every device at once (``{name}`` in an argument: the device's name);
    their results, in the devices' order."""
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "fittrack", *(a.format(name=d.name) for a in args)],
            env=d.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for d in devices
    ]
    done = []
    for process in running:
        out, err = process.communicate(timeout=timeout)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


class CuttableLink:
    """A TCP forwarder from a loopback port of its own to ``host:port`` (PostgreSQL, between
    the instances and it): ``cut()`` closes every connection through it and refuses new ones,
    as a database that went away; ``restore()`` brings it back on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])

    def restore(self) -> "CuttableLink":
        """Listen (again) and forward every connection."""
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            listener.close()
        with self._lock:
            cut, self._open = self._open, set()
        for sock in cut:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
