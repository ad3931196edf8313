"""The behaviours issue 13 added or fixed (1 and 3–10; 2, ids per owner, is in test_api.py), on
every backend of ``conftest.backend`` where they apply."""

import json
import logging
import os
import socket
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from tests.server.conftest import Api

from fittrack.core.quantities import MAX_NAME_CHARS, MAX_NOTE_CHARS
from fittrack.server.cache import NoCache
from fittrack.server.data import common
from fittrack.server.ratelimit import Rate

START = "2026-11-20T07:00:00+01:00"
END = "2026-11-20T07:30:00+01:00"
WEEKLY = {"period": "week", "metric": "count", "target": 3, "start_date": "2026-01-01"}


def minimal(**changes: Any) -> dict[str, Any]:
    return {"type": "run", "start": START, "end": END, "distance_m": 5000, **changes}


# --- 1. the seed's minimal activity ------------------------------------------------------------


def test_the_seeds_minimal_activity_moves_for_its_whole_span(api: Api) -> None:
    headers = api.user()
    put = api.client.put(f"/v1/activities/{uuid.uuid4()}", json=minimal(), headers=headers)
    assert put.status_code == 201, put.text
    assert put.json()["duration_s"] == 1800
    assert put.json()["duration"] == 30
    posted = api.client.post("/v1/activities", json=minimal(), headers=headers)
    assert posted.status_code == 201, posted.text
    assert posted.json()["duration_s"] == 1800
    assert posted.json()["calories_kcal"] > 0


# --- 3. refused before the body is read; throttled garbage costs no lookup ----------------------


def _call(
    portal: Any, app: Any, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, bool]:
    """Send one PUT straight to the ASGI app: its status, and whether its body was read."""
    read = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": f"/v1/activities/{uuid.uuid4()}",
        "raw_path": b"",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"),
            *headers,
        ],
        "client": ("203.0.113.9", 1234),
        "server": ("testserver", 80),
    }
    portal.call(app, scope, receive, send)  # on the app's own event loop
    return status, read


def test_a_request_without_a_valid_token_is_refused_before_its_body_is_read(api: Api) -> None:
    body = json.dumps(minimal(note="x" * 100_000)).encode()
    app, portal = api.client.app, api.client.portal
    assert _call(portal, app, [], body) == (401, False)
    assert _call(portal, app, [(b"authorization", b"Bearer ft_made-up")], body) == (401, False)
    token = api.user()["Authorization"].encode()
    assert _call(portal, app, [(b"authorization", token)], body) == (201, True)


def test_unknown_tokens_are_counted_against_their_address_before_they_are_looked_up(
    make_api: Any,
) -> None:
    api = make_api(anonymous_rate=Rate(2, 60.0))
    resolver = api.state.resolver
    real = resolver.user_for
    lookups: list[str] = []

    async def counted(token: str) -> Any:
        lookups.append(token)
        return await real(token)

    resolver.user_for = counted
    answers = [
        api.client.get("/v1/goals", headers={"Authorization": f"Bearer ft_guess-{n}"}).status_code
        for n in range(5)
    ]
    assert answers == [401, 401, 429, 429, 429]
    assert len(lookups) == 2  # the throttled guesses cost the database nothing


# --- 4. bounded answers ------------------------------------------------------------------------


def test_pages_are_cut_by_bytes_as_well_as_by_count(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = api.user()
    ids = set()
    for day in range(10, 16):
        body = minimal(
            start=f"2026-11-{day}T07:00:00+00:00",
            end=f"2026-11-{day}T07:30:00+00:00",
            note="n" * 900,
        )
        activity_id = str(uuid.uuid4())
        ids.add(activity_id)
        assert api.client.put(
            f"/v1/activities/{activity_id}", json=body, headers=headers
        ).is_success
    monkeypatch.setattr(common, "MAX_PAGE_BYTES", 2500)  # two activities of ~1.3 kB each
    seen: list[str] = []
    cursor = None
    while True:
        query = "?fromDate=20260101&limit=50" + (f"&cursor={cursor}" if cursor else "")
        page = api.client.get(f"/v1/activities{query}", headers=headers).json()
        assert 1 <= len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    since, pulled, pages = 0, [], 0
    while True:
        changes = api.client.get(f"/v1/changes?since={since}", headers=headers).json()
        pages += 1
        pulled += [a["id"] for a in changes["activities"]]
        since = changes["cursor"]
        if not changes["more"]:
            break
    assert sorted(pulled) == sorted(ids) and pages >= 3


def test_a_note_and_a_goal_name_have_the_clis_maximum_length(api: Api) -> None:
    headers = api.user()
    too_long = minimal(note="n" * (MAX_NOTE_CHARS + 1))
    assert api.client.post("/v1/activities", json=too_long, headers=headers).status_code == 422
    longest = minimal(note="n" * MAX_NOTE_CHARS)
    assert api.client.post("/v1/activities", json=longest, headers=headers).status_code == 201
    named = {**WEEKLY, "name": "g" * (MAX_NAME_CHARS + 1)}
    assert api.client.post("/v1/goals", json=named, headers=headers).status_code == 422


# --- 5. lone surrogates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/v1/activities", '{"type": "run", "start": "%s", "end": "%s", "note": "a\\ud800b"}'),
        ("/v1/activities", '{"type": "run", "start": "%s", "end": "%s", "\\udc00": 1}'),
        (
            "/v1/goals",
            '{"period": "week", "metric": "count", "target": 3, '
            '"start_date": "2026-01-01", "name": "\\udfff"}',
        ),
        (
            "/v1/batch",
            '{"activities": [{"id": "%s", "type": "run", "start": "%s", "end": "%s", '
            '"note": "\\ud83d"}]}',
        ),
    ],
)
def test_lone_surrogates_answer_422(api: Api, path: str, text: str) -> None:
    values = (str(uuid.uuid4()), START, END) if path == "/v1/batch" else (START, END)
    body = text % values if "%s" in text else text
    headers = {**api.user(), "Content-Type": "application/json"}
    response = api.client.post(path, content=body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    profile = b'{"timezone": "Europe/\\ud800"}'
    assert api.client.put("/v1/profile", content=profile, headers=headers).status_code == 422


# --- 6. the database going away ----------------------------------------------------------------


def _down_engine(api: Api, tmp_path: Path) -> Any:
    if api.settings.database_url.startswith("sqlite"):
        return create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/server.db")
    return create_async_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/x", connect_args={"connect_timeout": 1}
    )


def test_while_the_database_is_down_answers_are_503_with_retry_after(
    api: Api, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    headers = api.user()
    assert api.client.get("/v1/goals", headers=headers).status_code == 200  # token remembered
    state = api.state
    up, resolver_up = state.engine, state.resolver.engine
    state.engine = state.resolver.engine = _down_engine(api, tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="fittrack.server"):
            for method, path, body in [
                ("GET", f"/v1/activities/{uuid.uuid4()}", None),
                ("PUT", f"/v1/activities/{uuid.uuid4()}", minimal()),
                ("GET", "/v1/changes", None),
            ]:
                response = api.client.request(method, path, json=body, headers=headers)
                assert response.status_code == 503, (path, response.text)
                assert response.headers["Retry-After"] == "2"
                assert "Traceback" not in response.text
            stranger = {"Authorization": "Bearer ft_not-known-yet"}  # its lookup fails too
            assert api.client.get("/v1/goals", headers=stranger).status_code == 503
            assert api.client.get("/readyz").status_code == 503
    finally:
        state.engine, state.resolver.engine = up, resolver_up
    assert api.client.get("/v1/changes", headers=headers).status_code == 200
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


def test_connections_broken_by_a_restart_are_replaced_before_use(make_api: Any) -> None:
    api = make_api()
    if not api.settings.database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL restart drops the pool's connections; SQLite has no server")
    import psycopg

    headers = api.user()
    for _ in range(3):
        assert api.client.get("/v1/changes", headers=headers).status_code == 200
    base = os.environ["FITTRACK_TEST_DATABASE_URL"]
    with psycopg.connect(base, autocommit=True) as conn:  # what a restart does to the pool
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query NOT ILIKE '%pg_stat_activity%' "
            "AND application_name = '' AND datname = current_database() AND state = 'idle'"
        )
    for _ in range(3):
        assert api.client.get("/v1/changes", headers=headers).status_code == 200


# --- 7. a Redis that hangs ---------------------------------------------------------------------


@pytest.fixture
def hanging_redis() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


def test_a_redis_that_hangs_lets_requests_through_around_the_cache(
    make_api: Any, hanging_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api(redis_url=hanging_redis, redis_timeout_s=0.05)
    headers = api.user()
    with caplog.at_level(logging.WARNING, logger="fittrack.server"):
        assert api.client.post("/v1/goals", json=WEEKLY, headers=headers).status_code == 201
        assert len(api.client.get("/v1/goals", headers=headers).json()) == 1
        assert api.client.get("/readyz").status_code == 503
    said = [r.getMessage() for r in caplog.records]
    assert any("rate limiter unavailable" in line for line in said)
    assert any("cache unavailable" in line for line in said)
    assert any("not ready" in line for line in said)


# --- 8. several workers without Redis ----------------------------------------------------------


def test_several_workers_without_redis_run_without_a_cache(
    make_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fittrack.server"):
        api = make_api(workers=2, redis_url=None)
    assert isinstance(api.state.cache, NoCache)
    assert any("the cache is off" in r.getMessage() for r in caplog.records)
    headers = api.user()
    assert api.client.get("/v1/goals", headers=headers).json() == []
    api.client.post("/v1/goals", json=WEEKLY, headers=headers)
    assert len(api.client.get("/v1/goals", headers=headers).json()) == 1
    assert api.state.cache.hits == 0
    assert not isinstance(make_api(workers=1, redis_url=None).state.cache, NoCache)


# --- 9. /readyz says ready or not, the reason goes to the log ----------------------------------


def test_readyz_tells_only_ready_or_not(
    api: Api, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert api.client.get("/readyz").json() == {"status": "ok"}
    state = api.state
    up = state.engine
    state.engine = _down_engine(api, tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="fittrack.server"):
            response = api.client.get("/readyz")
    finally:
        state.engine = up
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert any(r.getMessage().startswith("not ready: ") for r in caplog.records)


# --- 10. the SQLite file is its owner's only ---------------------------------------------------


def test_server_db_and_its_wal_are_readable_by_their_owner_only(
    make_api: Any, tmp_path: Path
) -> None:
    path = tmp_path / "own" / "server.db"
    previous = os.umask(0o022)
    try:
        api = make_api(database_url=f"sqlite:///{path}", redis_url=None)
        headers = api.user()
        assert api.client.post("/v1/goals", json=WEEKLY, headers=headers).status_code == 201
    finally:
        os.umask(previous)
    wal = path.with_name("server.db-wal")
    assert wal.exists()
    for made in (path, wal):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600, made


# --- the request log ---------------------------------------------------------------------------


def test_the_request_log_names_method_path_status_and_time_only(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="fittrack.server"):
        api.client.get("/v1/activities?fromDate=20260101", headers=api.user())
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("GET ")]
    assert len(lines) == 1
    method, path, status, elapsed = lines[0].split(" ")
    assert (method, path, status) == ("GET", "/v1/activities", "200")
    assert elapsed.endswith("ms")
