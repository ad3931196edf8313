"""The API under test: one app per test, on SQLite with in-process limits and cache, and again on
the real PostgreSQL and Redis when FITTRACK_TEST_DATABASE_URL and FITTRACK_TEST_REDIS_URL say
where they are (CI sets both; without them those cases skip, saying so).

PostgreSQL cases share one schema per test session (made and dropped here); each test makes its
own users, so the walls between users are what keeps tests apart, as they keep people apart.
"""

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.helpers import migrated_server_db

from fittrack.server import auth
from fittrack.server.db import migrate, open_engine
from fittrack.server.ratelimit import Rate
from fittrack.server.settings import Settings

PG_ENV = "FITTRACK_TEST_DATABASE_URL"
REDIS_ENV = "FITTRACK_TEST_REDIS_URL"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the session."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL tests need a server")
    import psycopg

    schema = f"ft_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    migrate(url)
    try:
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@dataclass
class Api:
    """A running app, its settings, and a way to make users on it."""

    client: TestClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def user(self, name: str = "ana") -> dict[str, str]:
        """The Authorization header of a user made for this test (made on first use)."""
        if name not in self.tokens:
            email = f"{name}-{uuid.uuid4().hex[:8]}@example.org"
            self.tokens[name] = run_on_db(self.settings.database_url, auth.add_user, email)
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    @property
    def state(self) -> Any:
        return self.client.app.state.fittrack  # type: ignore[attr-defined]


def run_on_db(url: str, work: Callable[..., Any], *args: Any) -> Any:
    """Run ``await work(engine, *args)`` on an engine of its own (outside the app's event loop)."""

    async def run() -> Any:
        engine = open_engine(url)
        try:
            return await work(engine, *args)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path) -> Settings:
    """Settings for one backend: SQLite (a migrated file of its own, copied from the session's
    template) + in-process, or PostgreSQL + Redis."""
    generous = Rate(1_000_000, 60.0)
    if request.param == "sqlite":
        url = migrated_server_db(migrated_template, tmp_path / "server.db")
        return Settings(database_url=url, rate=generous, anonymous_rate=generous)
    url = request.getfixturevalue("pg_url")
    redis_url = os.environ.get(REDIS_ENV)
    if not redis_url:
        pytest.skip(f"{REDIS_ENV} is not set: the PostgreSQL+Redis tests need Redis")
    return Settings(
        database_url=url,
        redis_url=redis_url,
        rate=generous,
        anonymous_rate=generous,
        redis_prefix=f"fttest:{uuid.uuid4().hex}:",
    )


@pytest.fixture
def make_api(backend: Settings) -> Iterator[Callable[..., Api]]:
    """Start the app with the backend's settings, changed by keyword (``rate=…``)."""
    started: list[TestClient] = []

    def make(**changes: Any) -> Api:
        from fittrack.server.main import create_app

        settings = backend.model_copy(update=changes)
        client = TestClient(create_app(settings))
        client.__enter__()
        started.append(client)
        return Api(client, settings)

    yield make
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
