"""Fixtures of the sync tests: server backends (SQLite always; PostgreSQL, with Redis, when
FITTRACK_TEST_DATABASE_URL says where one is), `fittrack serve` processes stopped after each test,
devices, and one server in this process (uvicorn in a thread) for the tests that drive devices
through CliRunner."""

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.sync.sync_support import (
    PG_ENV,
    PG_SKIP,
    Backend,
    Cli,
    Device,
    Server,
    backend_for,
    free_port,
)


@pytest.fixture(autouse=True)
def plain_http_clients(sync_tls_env: None) -> None:
    """The servers here are plain HTTP on loopback: no client needs certifi's whole bundle
    (tests/conftest.py ``one_ca_file``)."""


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path
) -> Iterator[Backend]:
    """A fresh server database of each kind (the SQLite one a copy of the session's template)."""
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    with backend_for(request.param, tmp_path, migrated_template) as made:
        yield made


@pytest.fixture
def sqlite_backend(tmp_path: Path, migrated_template: Path) -> Iterator[Backend]:
    with backend_for("sqlite", tmp_path, migrated_template) as made:
        yield made


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``make_server(backend, FITTRACK_RATE_LIMIT=…)``: a started `fittrack serve`; every one is
    stopped (or killed) after the test."""
    made: list[Server] = []

    def make(backend: Backend, **settings: str) -> Server:
        server = Server(backend, tmp_path, **settings)
        made.append(server)
        return server.start()

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def device(tmp_path: Path, migrated_template: Path) -> Callable[..., Device]:
    """``device("a")``: a FITTRACK_HOME of its own, driven by subprocesses, holding an empty log
    (a copy of the session's migrated template: a device's first use is not what sync tests
    test; tests/test_e2e.py and tests/cli/ do)."""

    def make(name: str, **env: str) -> Device:
        return Device(name, tmp_path / f"device-{name}", env, migrated_template)

    return make


@pytest.fixture
def cli_devices(tmp_path: Path, migrated_template: Path) -> Cli:
    """Devices driven in this process: ``cli_devices.ok("a", "log", …)``, each starting with an
    empty log (a copy of the session's migrated template)."""
    return Cli(tmp_path / "devices", migrated_template)


@dataclass
class Live:
    """The server running in this process: its address and its database."""

    url: str
    database_url: str


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app under uvicorn in a background thread, on SQLite, for the whole session; limits
    out of the way, and a revoked token refused at once. Each test makes its own users."""
    import uvicorn

    from fittrack.server.db import migrate
    from fittrack.server.main import create_app
    from fittrack.server.ratelimit import Rate
    from fittrack.server.settings import Settings

    database_url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'server.db'}"
    migrate(database_url)
    unlimited = Rate(10**9, 1.0)
    application = create_app(
        Settings(
            database_url=database_url,
            rate=unlimited,
            anonymous_rate=unlimited,
            token_cache_s=0.0,
        )
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", loop="asyncio", ws="none"
        )
    )
    thread = threading.Thread(target=server.run, name="fittrack-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the in-process server did not start"
        assert time.monotonic() < deadline, "the in-process server did not start in time"
        time.sleep(0.01)
    try:
        yield Live(f"http://127.0.0.1:{port}", database_url)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
