"""The server takes an elevation goal and measures it from its owner's tracks (both backends)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from tests.server.conftest import Api, run_on_db

MONTHLY_CLIMB = {
    "period": "month",
    "metric": "elevation",
    "target": 2000,
    "start_date": "2026-01-01",
}


def _activity(api: Api, user: str, start: str) -> str:
    activity_id = str(uuid.uuid4())
    body = {
        "type": "ride",
        "start": start,
        "end": start.replace("T07:", "T09:"),
        "duration_s": 7200,
        "distance_m": 50000,
    }
    response = api.client.put(f"/v1/activities/{activity_id}", json=body, headers=api.user(user))
    assert response.status_code in (200, 201), response.text
    return activity_id


async def _add_track(engine: Any, activity_id: str, gain: float) -> None:
    """A track row as the server would keep a synced one: the figure is what the goal reads."""
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        owner = (
            await conn.execute(
                text("SELECT owner FROM activity WHERE id = :id"), {"id": activity_id}
            )
        ).scalar_one()
        await conn.execute(
            text(
                "INSERT INTO activity_track (activity_id, owner, samples, data, elevation_gain_m,"
                " created_at, updated_at) VALUES (:id, :owner, 1, :data, :gain, :now, :now)"
            ),
            {"id": activity_id, "owner": owner, "data": b"\x00", "gain": gain, "now": now},
        )


def test_an_elevation_goal_sums_the_owners_tracks_in_the_period(api: Api) -> None:
    headers = api.user()
    api.client.put("/v1/profile", json={"timezone": "Europe/Berlin"}, headers=headers)
    created = api.client.post("/v1/goals", json=MONTHLY_CLIMB, headers=headers)
    assert created.status_code == 201, created.text
    goal = created.json()
    assert goal["metric"] == "elevation"
    assert goal["name"] == "2000 m climbed a month"
    first = _activity(api, "ana", "2026-11-03T07:00:00+01:00")
    second = _activity(api, "ana", "2026-11-20T07:00:00+01:00")
    _activity(api, "ana", "2026-11-21T07:00:00+01:00")  # no track: adds nothing
    outside = _activity(api, "ana", "2026-10-20T07:00:00+02:00")
    others = _activity(api, "bob", "2026-11-04T07:00:00+01:00")
    for activity_id, gain in ((first, 450.5), (second, 820.0), (outside, 999.0), (others, 777.0)):
        run_on_db(api.settings.database_url, _add_track, activity_id, gain)
    response = api.client.get(f"/v1/goals/{goal['id']}/progress?date=20261125", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["period_start"], body["period_end"]) == ("2026-11-01", "2026-11-30")
    assert body["current"] == 1270.5
    assert body["status"] in ("behind", "on_track")


def test_an_elevation_target_beyond_anyones_is_refused(api: Api) -> None:
    body = {**MONTHLY_CLIMB, "target": 20_000_000}
    response = api.client.post("/v1/goals", json=body, headers=api.user())
    assert response.status_code == 422, response.text
