"""Schemathesis against the app's own OpenAPI document: every operation, valid and invalid input.

The app runs on SQLite with in-process limits and cache (the PostgreSQL and Redis backends are
test_api.py's business). Every case carries a real user's bearer token, and that user owns one
activity and one goal, so that some cases reach a stored row instead of a 404. Checked: no case
gets a 5xx, and every JSON response matches the schema the document gives for its status.
"""

import asyncio
import base64
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from tests.helpers import migrated_server_db

from fittrack.server.auth import add_user
from fittrack.server.data import activities, goals
from fittrack.server.db import open_engine
from fittrack.server.main import create_app
from fittrack.server.models import ActivityUpdate, GoalUpdate
from fittrack.server.ratelimit import Rate
from fittrack.server.settings import Settings

UNLIMITED = Rate(10**9, 1.0)
EMAIL = "schemathesis@example.org"

# The document of an app that is never started: building the app runs no query (its lifespan
# does), though it makes the SQLite file, so the file goes where no checkout sees it. The schema
# is loaded from it rather than through `schemathesis.pytest.from_fixture`, whose lazy loader
# sets `Node._nodeid`, an attribute pytest 9.2 no longer has; each case is sent to the test's
# own app instead (`app=` below).
_UNUSED_DB = Path(tempfile.mkdtemp(prefix="fittrack-schemathesis-")) / "never-opened.db"
DOCUMENT: dict[str, Any] = create_app(Settings(database_url=f"sqlite:///{_UNUSED_DB}")).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)
# The bearer token is the test's to send, on every case: Schemathesis must not drop or mangle the
# Authorization header (401 is test_api.py's business).
schema.config.generation.update(with_security_parameters=False)

REAL_IDS = ("activity_id", "goal_id")
"""Path parameters that, when the test draws so, name the seeded user's stored row."""


async def _seed(engine: AsyncEngine) -> dict[str, str]:
    """A user with one activity and one goal: their token and the two ids."""
    token = await add_user(engine, EMAIL)
    async with engine.connect() as conn:
        owner = str(await conn.scalar(text("SELECT id FROM app_user")))
    async with engine.connect() as conn:
        return await _seed_rows(conn, owner, token)


async def _seed_rows(conn: AsyncConnection, owner: str, token: str) -> dict[str, str]:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    activity_id, goal_id = str(uuid.uuid4()), str(uuid.uuid4())
    await activities.put(
        conn,
        owner,
        activity_id,
        ActivityUpdate(
            type="run",
            start=start,
            end=start + timedelta(minutes=30),
            duration_s=1800,
            distance_m=5000,
        ),
    )
    await goals.put(
        conn,
        owner,
        goal_id,
        GoalUpdate(period="week", metric="distance", target=20000, start_date=date(2025, 1, 6)),
    )
    return {"token": token, "activity_id": activity_id, "goal_id": goal_id}


@pytest.fixture
def seeded(tmp_path: Path, migrated_template: Path) -> dict[str, str]:
    """A migrated SQLite database (the session's template, copied) holding the seeded user: its
    URL, the token and the ids."""
    url = migrated_server_db(migrated_template, tmp_path / "server.db")

    async def run() -> dict[str, str]:
        engine = open_engine(url)
        try:
            return await _seed(engine)
        finally:
            await engine.dispose()

    return {"url": url, **asyncio.run(run())}


@pytest.fixture
def app(seeded: dict[str, str]) -> Iterator[Any]:
    """The app on the seeded database; Schemathesis starts its lifespan at the first case."""
    yield create_app(Settings(database_url=seeded["url"], rate=UNLIMITED, anonymous_rate=UNLIMITED))
    # Schemathesis keeps a started lifespan for the rest of the process: end it here, closing
    # the database, before the next test makes an app of its own.
    asgi.shutdown_lifespans()


@settings(
    max_examples=100,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    # The app and its database are meant to last across the examples of an operation, as a server
    # outlives its requests (function_scoped_fixture); a request is slower than a draw (too_slow).
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@schema.given(use_real_id=st.booleans())
@schema.parametrize()
def test_api_never_fails_and_answers_as_documented(
    case: Any, use_real_id: bool, seeded: dict[str, str], app: Any
) -> None:
    if use_real_id:
        for name in REAL_IDS:
            if name in case.path_parameters:
                case.path_parameters[name] = seeded[name]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {seeded['token']}"},
        checks=[not_a_server_error, response_schema_conformance],
        app=app,
    )


def _cursor(start: str) -> str:
    """A page cursor as the server encodes one (base64 of ``[start, id]``), for any start."""
    raw = json.dumps([start, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


RUN = {"type": "run", "duration_s": 1800, "distance_m": 5000}
YEAR_1 = {**RUN, "start": "0001-01-01T00:00:00+01:00", "end": "0001-01-01T00:30:00+01:00"}
YEAR_9999 = {**RUN, "start": "9999-12-31T23:00:00-01:00", "end": "9999-12-31T23:30:00-01:00"}
DAY_GOAL = {"period": "day", "metric": "count", "target": 1, "start_date": "2000-01-01"}
ANY_ID = "4f0c5a52-2b1e-4a4e-9d3c-7f1d2c3b4a59"

EDGES = [
    # Times that are valid ISO 8601 but leave datetime's range when moved to UTC.
    ("PUT", "/v1/profile", {}, {"updated_at": "0001-01-01T00:00:00+00:01"}),
    ("PUT", "/v1/profile", {}, {"updated_at": "9999-12-31T23:59:59-00:01"}),
    ("POST", "/v1/activities", {}, YEAR_1),
    ("POST", "/v1/activities", {}, YEAR_9999),
    ("PUT", "/v1/activities/{activity_id}", {}, YEAR_1),
    ("PUT", "/v1/activities/{activity_id}", {}, {**RUN, **YEAR_9999}),
    ("PUT", "/v1/goals/{goal_id}", {}, {**DAY_GOAL, "updated_at": "0001-01-01T00:00:00+00:01"}),
    ("PUT", "/v1/goals/{goal_id}", {}, {**DAY_GOAL, "created_at": "9999-12-31T23:59:59-00:01"}),
    ("POST", "/v1/batch", {}, {"activities": [{**YEAR_1, "id": ANY_ID}]}),
    (
        "POST",
        "/v1/batch",
        {},
        {"goals": [{**DAY_GOAL, "id": ANY_ID, "deleted_at": YEAR_1["start"]}]},
    ),
    ("GET", "/v1/activities", {"cursor": _cursor("0001-01-01T00:00:00+01:00")}, None),
    ("GET", "/v1/activities", {"cursor": _cursor("9999-12-31T23:59:59-01:00")}, None),
]


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    EDGES,
    ids=[f"{method} {path} {i}" for i, (method, path, _, _) in enumerate(EDGES)],
)
def test_edges_the_generator_reaches_only_by_luck(
    method: str,
    path: str,
    query: dict[str, str],
    body: dict[str, Any] | None,
    seeded: dict[str, str],
    app: Any,
) -> None:
    """Cases at the edge of the input space, sent every run with the same checks: the random run
    above reaches them only now and then (it found `PUT /v1/profile` with a year-1 time)."""
    operation = schema[path][method]
    path_parameters = {
        name: str(uuid.uuid4()) for name in ("activity_id", "goal_id") if f"{{{name}}}" in path
    }
    sent: dict[str, Any] = {} if body is None else {"body": body, "media_type": "application/json"}
    case = operation.Case(path_parameters=path_parameters, query=query, **sent)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {seeded['token']}"},
        checks=[not_a_server_error, response_schema_conformance],
        app=app,
    )
