"""The two hot reads answered in the Gate (``DirectReads``) answer exactly as FastAPI's routes do,
and every read sees the writes before it, however the progress of a goal was guessed."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.server.conftest import Api

from fittrack.server.ratelimit import Rate


def an_activity(minutes_ago: float = 1.0, km: float = 5.0) -> dict[str, Any]:
    """A 30-second run that started ``minutes_ago``: this week's, unless the week began within
    the last minute."""
    start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "type": "run",
        "start": start.isoformat(timespec="seconds"),
        "end": (start + timedelta(seconds=30)).isoformat(timespec="seconds"),
        "duration_s": 30,
        "distance_m": km * 1000,
    }


def weekly(**changes: Any) -> dict[str, Any]:
    return {
        "period": "week",
        "metric": "distance",
        "target": 20000,
        "start_date": "2026-01-01",
        **changes,
    }


def requests_to_compare(api: Api) -> list[tuple[str, dict[str, str]]]:
    """GETs of every kind: answered in the Gate, or passed on to FastAPI."""
    ana, ben = api.user("ana"), api.user("ben")
    client = api.client
    own = client.post("/v1/activities", json=an_activity(), headers=ana).json()["id"]
    gone = client.post("/v1/activities", json=an_activity(2), headers=ana).json()["id"]
    assert client.delete(f"/v1/activities/{gone}", headers=ana).status_code == 204
    goal = client.post("/v1/goals", json=weekly(), headers=ana).json()["id"]
    future = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    later = client.post("/v1/goals", json=weekly(start_date=future), headers=ana).json()["id"]
    missing = str(uuid.uuid4())
    bare = own.replace("-", "")
    return [
        (f"/v1/activities/{own}", ana),
        (f"/v1/activities/{own.upper()}", ana),
        # Other spellings uuid.UUID would read: FastAPI's parameter decides (200 or 422).
        (f"/v1/activities/{bare}", ana),
        (f"/v1/activities/{{{own}}}", ana),
        (f"/v1/activities/{{{bare}}}", ana),
        (f"/v1/activities/uuid:{own}", ana),
        (f"/v1/activities/urn:uuid:{bare}", ana),
        (f"/v1/activities/{own.replace('-', '', 1)}", ana),
        (f"/v1/activities/{own}", ben),  # another user's: 404
        (f"/v1/activities/{gone}", ana),  # a tombstone: 404
        (f"/v1/activities/{missing}", ana),
        ("/v1/activities/not-a-uuid", ana),  # FastAPI's 422
        (f"/v1/activities/{own}/", ana),
        (f"/v1/activities/{own}", {}),  # no token: FastAPI's 401
        (f"/v1/activities/{own}?extra=1", ana),
        (f"/v1/goals/{goal}/progress", ana),
        (f"/v1/goals/{goal.upper()}/progress", ana),
        (f"/v1/goals/{goal}/progress", ben),
        (f"/v1/goals/{missing}/progress", ana),
        (f"/v1/goals/{later}/progress", ana),  # not started yet: 422
        ("/v1/goals/nope/progress", ana),
        (f"/v1/goals/{goal}/progress?date=20261120", ana),
        (f"/v1/goals/{goal}/progress", {}),
    ]


def answer(api: Api, path: str, headers: dict[str, str]) -> tuple[int, str | None, Any]:
    response = api.client.get(path, headers=headers, follow_redirects=False)
    body = response.json() if response.content else None
    if isinstance(body, dict) and isinstance(body.get("as_of"), str):
        body["as_of"] = "<now>"  # a field that moves between two reads
    return response.status_code, response.headers.get("content-type"), body


def test_the_gate_answers_as_the_routes_do(make_api: Any) -> None:
    direct = make_api()
    routed = make_api(direct_reads=False)
    # One database, two apps: the second reads the same rows with the same users.
    routed.tokens = direct.tokens
    cases = requests_to_compare(direct)
    assert routed.state.direct is None
    served = direct.state.direct.served
    for path, headers in cases:
        got, want = answer(direct, path, headers), answer(routed, path, headers)
        if isinstance(got[2], dict) and isinstance(got[2].get("expected"), float):
            # Where a steady pace would be by now moves with the clock (by ~0.01 m in the
            # milliseconds between two reads of a weekly goal): equal within a metre.
            assert abs(got[2].pop("expected") - want[2].pop("expected")) < 1, path
        assert got == want, path
    # Answered in the Gate: a token, the id written 8-4-4-4-12 (any case), no query string, no
    # trailing slash: 10 of the 23. The rest went on to FastAPI.
    assert direct.state.direct.served - served == 10


def test_progress_sees_each_write_before_it(api: Api) -> None:
    """The progress of a goal is read together with the total its last-known row asks for; every
    change that changes that question must still show in the very next read."""
    headers = api.user()
    client = api.client
    goal_id = client.post("/v1/goals", json=weekly(), headers=headers).json()["id"]

    def progress() -> dict[str, Any]:
        response = client.get(f"/v1/goals/{goal_id}/progress", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    assert progress()["current"] == 0.0
    client.post("/v1/activities", json=an_activity(1, km=5), headers=headers)
    assert progress()["current"] == 5000.0  # a new activity
    assert progress()["current"] == 5000.0  # read again (the guess was right)
    edited = client.put(
        f"/v1/goals/{goal_id}", json=weekly(metric="count", target=3), headers=headers
    )
    assert edited.status_code == 200, edited.text
    after = progress()  # another metric: the guessed total (metres) must not be used
    assert (after["current"], after["goal"]["metric"], after["goal"]["target"]) == (1.0, "count", 3)
    client.put("/v1/profile", json={"timezone": "Pacific/Kiritimati"}, headers=headers)
    shifted = progress()  # another zone: other period bounds
    local_today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    monday = local_today - timedelta(days=local_today.weekday())
    assert shifted["period_start"] == monday.isoformat()
    client.delete(f"/v1/goals/{goal_id}", headers=headers)
    assert client.get(f"/v1/goals/{goal_id}/progress", headers=headers).status_code == 404


def test_a_guess_made_for_one_user_never_answers_another(api: Api) -> None:
    ana, ben = api.user("ana"), api.user("ben")
    goal_id = api.client.post("/v1/goals", json=weekly(), headers=ana).json()["id"]
    api.client.post("/v1/activities", json=an_activity(), headers=ben)
    assert api.client.get(f"/v1/goals/{goal_id}/progress", headers=ana).status_code == 200
    assert api.client.get(f"/v1/goals/{goal_id}/progress", headers=ben).status_code == 404
    assert api.client.get(f"/v1/goals/{goal_id}/progress", headers=ana).json()["current"] == 0.0


@pytest.mark.parametrize("day", [None, "20261120"])
def test_progress_of_a_goal_that_ended_says_so(api: Api, day: str | None) -> None:
    headers = api.user()
    body = weekly(start_date="2026-01-01", end_date="2026-01-31")
    goal_id = api.client.post("/v1/goals", json=body, headers=headers).json()["id"]
    query = "" if day is None else f"?date={day}"
    for _ in range(2):  # the second read has a guess to make from the first
        response = api.client.get(f"/v1/goals/{goal_id}/progress{query}", headers=headers)
        assert response.status_code == 422
        assert "runs from 2026-01-01 to 2026-01-31" in response.json()["detail"]


def test_a_client_over_its_limit_costs_no_reads(make_api: Any) -> None:
    """With Redis the read starts while the limiter is asked; but not for a client whose last
    request emptied its bucket, so requests over the limit never reach the database."""
    api = make_api(rate=Rate(3, 60.0))
    headers = api.user()
    activity_id = api.client.post("/v1/activities", json=an_activity(), headers=headers).json()
    path = f"/v1/activities/{activity_id['id']}"
    loads = api.state.reads.activities
    assert [api.client.get(path, headers=headers).status_code for _ in range(2)] == [200, 200]
    before = loads.loads
    refused = [api.client.get(path, headers=headers) for _ in range(5)]
    assert [r.status_code for r in refused] == [429] * 5
    assert "Retry-After" in refused[0].headers
    assert loads.loads == before


def test_a_burst_over_the_limit_costs_no_reads_either(make_api: Any) -> None:
    """Concurrent requests: with Redis, reads go ahead of the limiter's answer only while the
    tokens its last answer left outnumber the requests already waiting."""
    api = make_api(rate=Rate(3, 60.0))
    headers = api.user()
    activity_id = api.client.post("/v1/activities", json=an_activity(), headers=headers).json()
    path = f"/v1/activities/{activity_id['id']}"
    assert api.client.get(path, headers=headers).status_code == 200  # 1 token left
    lookups = api.state.reads.activities

    async def burst() -> tuple[list[int], int]:
        import asyncio

        import httpx

        before = lookups.loads
        transport = httpx.ASGITransport(app=api.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get(path, headers=headers) for _ in range(40)))
        return [r.status_code for r in answers], lookups.loads - before

    statuses, reads = api.client.portal.call(burst)  # on the app's own event loop
    assert sorted(statuses) == [200] + [429] * 39
    assert reads <= 2, f"{reads} reads for 1 allowed request"
