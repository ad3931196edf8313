"""The HTTP API, through FastAPI's TestClient, on every backend of ``conftest.backend``."""

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.server.conftest import Api

from fittrack.server.models import ActivityUpdate, GoalCreate
from fittrack.server.ratelimit import Rate

START = "2026-11-20T07:00:00+01:00"
END = "2026-11-20T07:30:00+01:00"


def run(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "run",
        "start": START,
        "end": END,
        "duration_s": 1650,
        "distance_m": 5000,
    }
    body.update(changes)
    return body


def put(api: Api, body: dict[str, Any], user: str = "ana", activity_id: str | None = None) -> Any:
    return api.client.put(
        f"/v1/activities/{activity_id or uuid.uuid4()}", json=body, headers=api.user(user)
    )


def stamp(days_ago: float = 0.0) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


# --- tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer ft_not-a-real-token"},
        {"Authorization": "Basic YW5hOnNlY3JldA=="},
        {"Authorization": "ft_no-scheme"},
    ],
)
def test_every_v1_route_needs_a_valid_token(api: Api, headers: dict[str, str]) -> None:
    some_id = uuid.uuid4()
    for method, path in [
        ("GET", "/v1/activities"),
        ("GET", f"/v1/activities/{some_id}"),
        ("PUT", f"/v1/activities/{some_id}"),
        ("DELETE", f"/v1/activities/{some_id}"),
        ("GET", "/v1/goals"),
        ("GET", f"/v1/goals/{some_id}/progress"),
        ("GET", "/v1/changes"),
        ("GET", "/v1/profile"),
    ]:
        body = run() if method == "PUT" else None
        response = api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused(make_api: Any) -> None:
    from tests.server.conftest import run_on_db

    from fittrack.server import auth

    api = make_api(token_cache_s=0)
    headers = api.user()
    assert api.client.get("/v1/goals", headers=headers).status_code == 200
    run_on_db(api.settings.database_url, auth.revoke_token, api.tokens["ana"])
    assert api.client.get("/v1/goals", headers=headers).status_code == 401


def test_a_tokens_use_is_recorded_at_most_once_a_minute(make_api: Any) -> None:
    from tests.server.conftest import run_on_db

    from fittrack.server import auth

    api = make_api(token_cache_s=0)  # every request looks the token up
    headers = api.user()
    prefix = api.tokens["ana"][:10]
    url = api.settings.database_url

    def last_used() -> str | None:
        rows = [r for r in run_on_db(url, auth.list_tokens) if r["prefix"] == prefix]
        assert len(rows) == 1
        return rows[0]["last_used_at"]

    assert last_used() is None
    assert api.client.get("/v1/goals", headers=headers).status_code == 200
    first = last_used()
    assert first is not None
    for _ in range(3):
        assert api.client.get("/v1/goals", headers=headers).status_code == 200
    assert last_used() == first  # within the minute: not written again

    async def age(engine: Any) -> None:
        async with engine.begin() as conn:
            await conn.execute(
                auth.TOKENS.update()
                .where(auth.TOKENS.c.prefix == prefix)
                .values(last_used_at=datetime.now(UTC) - timedelta(minutes=2))
            )

    run_on_db(url, age)
    aged = last_used()
    assert aged is not None and aged < first
    assert api.client.get("/v1/goals", headers=headers).status_code == 200
    latest = last_used()
    assert latest is not None and latest >= first


def test_a_failed_record_of_use_never_refuses_the_request(
    make_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api(token_cache_s=0)
    headers = api.user()
    resolver = api.state.resolver
    real = resolver.engine

    class ReadOnly:
        """The server's database, refusing every write."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def begin(self) -> Any:
            raise RuntimeError("the database is read-only")

    resolver.engine = ReadOnly()
    with caplog.at_level(logging.WARNING, logger="fittrack.server"):
        assert api.client.get("/v1/goals", headers=headers).status_code == 200
    assert any("could not record the use of token" in r.getMessage() for r in caplog.records)


def test_an_unknown_token_records_nothing(make_api: Any) -> None:
    from tests.server.conftest import run_on_db

    from fittrack.server import auth

    api = make_api(token_cache_s=0)
    api.user()
    bad = {"Authorization": "Bearer ft_not-a-real-token"}
    assert api.client.get("/v1/goals", headers=bad).status_code == 401
    mine = [
        r
        for r in run_on_db(api.settings.database_url, auth.list_tokens)
        if r["prefix"] == api.tokens["ana"][:10]
    ]
    assert [r["last_used_at"] for r in mine] == [None]


# --- activities --------------------------------------------------------------------------------


def test_put_creates_then_repeating_it_changes_nothing(api: Api) -> None:
    activity_id = str(uuid.uuid4())
    first = put(api, run(note="cold"), activity_id=activity_id)
    assert first.status_code == 201
    again = put(api, run(note="cold"), activity_id=activity_id)
    assert again.status_code == 200
    assert again.json() == first.json()  # same stamps: nothing was written
    changes = api.client.get("/v1/changes", headers=api.user()).json()
    assert [a["id"] for a in changes["activities"]] == [activity_id]


def test_get_shows_every_saved_field_and_the_seed_fields(api: Api) -> None:
    activity_id = str(uuid.uuid4())
    put(api, run(note="hills", calories_kcal=400, workload=300), activity_id=activity_id)
    shown = api.client.get(f"/v1/activities/{activity_id}", headers=api.user()).json()
    assert shown["id"] == activity_id
    assert (shown["start"], shown["end"]) == (START, END)
    assert shown["duration_s"] == 1650.0
    assert shown["duration"] == 27.5  # minutes
    assert shown["distance_m"] == 5000.0
    assert shown["calories"] == shown["calories_kcal"] == 400.0
    assert shown["calories_estimated"] is False
    assert shown["workload"] == 300.0
    assert shown["note"] == "hills"
    assert shown["deleted_at"] is None


@pytest.mark.parametrize(
    "changes",
    [
        {"duration_s": 4000},  # longer than the 30 minutes between start and end
        {"duration_s": 0},
        {"start": stamp(-1), "end": stamp(-1.01), "duration_s": 600},  # tomorrow
    ],
)
def test_a_new_activity_follows_the_rules_of_logging_one(api: Api, changes: dict[str, Any]) -> None:
    response = api.client.post("/v1/activities", json=run(**changes), headers=api.user())
    assert response.status_code == 422, response.text
    assert api.client.get("/v1/activities", headers=api.user()).json()["items"] == []


def test_post_estimates_calories_like_the_cli(api: Api) -> None:
    response = api.client.post("/v1/activities", json=run(), headers=api.user())
    assert response.status_code == 201
    body = response.json()
    uuid.UUID(body["id"])
    # 5 km in 27:30 is 10.9 km/h: MET 10.5 from the run bands × 70 kg (no profile) × 0.458 h.
    assert body["calories_estimated"] is True
    assert body["calories_kcal"] == pytest.approx(10.5 * 70 * 1650 / 3600, abs=0.1)


def test_a_type_the_server_has_no_met_for_needs_calories(api: Api) -> None:
    refused = api.client.post("/v1/activities", json=run(type="climbing"), headers=api.user())
    assert refused.status_code == 422
    assert "calories_kcal" in refused.json()["detail"]
    with_energy = run(type="climbing", calories_kcal=300, workload=200)
    assert put(api, with_energy).status_code == 201


def test_the_newer_write_wins_and_an_older_one_is_ignored(api: Api) -> None:
    activity_id = str(uuid.uuid4())
    put(api, run(note="v2", updated_at=stamp(1)), activity_id=activity_id)
    older = put(api, run(note="v1", updated_at=stamp(2)), activity_id=activity_id)
    assert older.status_code == 200
    assert older.json()["note"] == "v2"
    newer = put(api, run(note="v3", updated_at=stamp(0)), activity_id=activity_id)
    assert newer.json()["note"] == "v3"


def test_a_deletion_stays_deleted(api: Api) -> None:
    headers = api.user()
    activity_id = str(uuid.uuid4())
    put(api, run(), activity_id=activity_id)
    assert api.client.delete(f"/v1/activities/{activity_id}", headers=headers).status_code == 204
    assert api.client.get(f"/v1/activities/{activity_id}", headers=headers).status_code == 404
    assert api.client.delete(f"/v1/activities/{activity_id}", headers=headers).status_code == 404
    assert api.client.get("/v1/activities", headers=headers).json()["items"] == []
    # An edit made elsewhere, even a later one, does not bring it back.
    late_edit = put(api, run(note="edited", updated_at=stamp(-0.0001)), activity_id=activity_id)
    assert late_edit.json()["deleted_at"] is not None
    assert api.client.get(f"/v1/activities/{activity_id}", headers=headers).status_code == 404
    changes = api.client.get("/v1/changes", headers=headers).json()["activities"]
    assert [(c["id"], c["deleted_at"] is not None) for c in changes] == [(activity_id, True)]


def test_a_deletion_sent_by_put_is_a_tombstone(api: Api) -> None:
    activity_id = str(uuid.uuid4())
    put(api, run(updated_at=stamp(1)), activity_id=activity_id)
    gone = put(api, run(updated_at=stamp(0), deleted_at=stamp(0)), activity_id=activity_id)
    assert gone.json()["deleted_at"] is not None
    assert api.client.get(f"/v1/activities/{activity_id}", headers=api.user()).status_code == 404


# --- walls between users -----------------------------------------------------------------------


def test_another_users_ids_are_not_found_and_never_changed(api: Api) -> None:
    activity_id = str(uuid.uuid4())
    put(api, run(note="ana's"), activity_id=activity_id)
    goal = api.client.post(
        "/v1/goals",
        json={"period": "week", "metric": "count", "target": 3, "start_date": "2026-01-01"},
        headers=api.user(),
    ).json()
    bob = api.user("bob")
    assert api.client.get(f"/v1/activities/{activity_id}", headers=bob).status_code == 404
    assert api.client.delete(f"/v1/activities/{activity_id}", headers=bob).status_code == 404
    assert api.client.get(f"/v1/goals/{goal['id']}/progress", headers=bob).status_code == 404
    assert api.client.delete(f"/v1/goals/{goal['id']}", headers=bob).status_code == 404
    assert api.client.get("/v1/activities", headers=bob).json()["items"] == []
    assert api.client.get("/v1/goals", headers=bob).json() == []
    assert api.client.get("/v1/changes", headers=bob).json()["activities"] == []


def test_two_accounts_may_hold_the_same_ids(api: Api) -> None:
    """Behaviour 2: the key is (owner, id). An activity exported from Ana's account and imported
    into Bob's keeps its UUID; both sync, and neither answer says the other's exists."""
    activity_id = str(uuid.uuid4())
    goal_id = str(uuid.uuid4())
    goal_body = {"period": "week", "metric": "count", "target": 3, "start_date": "2026-01-01"}
    ana, bob = api.user(), api.user("bob")
    assert put(api, run(note="ana's", updated_at=stamp(1)), "ana", activity_id).status_code == 201
    assert api.client.put(f"/v1/goals/{goal_id}", json=goal_body, headers=ana).status_code == 201
    # Bob's PUT of the same ids creates his own rows, exactly as for an id nobody holds.
    assert put(api, run(note="bob's", updated_at=stamp(0)), "bob", activity_id).status_code == 201
    bob_goal = {**goal_body, "target": 5}
    assert api.client.put(f"/v1/goals/{goal_id}", json=bob_goal, headers=bob).status_code == 201
    # Ana's sync goes on as before: her rows are hers, and are as she left them.
    again = {"activities": [{**run(note="ana's", updated_at=stamp(1)), "id": activity_id}]}
    assert api.client.post("/v1/batch", json=again, headers=ana).status_code == 200
    assert api.client.get(f"/v1/activities/{activity_id}", headers=ana).json()["note"] == "ana's"
    assert api.client.get(f"/v1/activities/{activity_id}", headers=bob).json()["note"] == "bob's"
    assert api.client.get("/v1/goals", headers=ana).json()[0]["target"] == 3
    assert api.client.get("/v1/goals", headers=bob).json()[0]["target"] == 5
    # Bob deleting his copy leaves Ana's.
    assert api.client.delete(f"/v1/activities/{activity_id}", headers=bob).status_code == 204
    assert api.client.get(f"/v1/activities/{activity_id}", headers=ana).status_code == 200
    changes = api.client.get("/v1/changes", headers=ana).json()["activities"]
    assert [(c["id"], c["note"], c["deleted_at"]) for c in changes] == [
        (activity_id, "ana's", None)
    ]


# --- lists and pages ---------------------------------------------------------------------------


def test_dates_are_days_of_the_users_timezone(api: Api) -> None:
    headers = api.user()
    api.client.put("/v1/profile", json={"timezone": "Pacific/Auckland"}, headers=headers)
    # 00:30 on 1 November in Auckland is still 31 October in UTC.
    start = "2026-11-01T00:30:00+13:00"
    activity_id = str(uuid.uuid4())
    put(api, run(start=start, end="2026-11-01T01:00:00+13:00"), activity_id=activity_id)

    def ids(query: str) -> list[str]:
        response = api.client.get(f"/v1/activities?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert ids("fromDate=20261101&toDate=20261101") == [activity_id]
    assert ids("fromDate=20261031&toDate=20261031") == []
    assert ids("fromDate=2026-11-01") == [activity_id]
    assert ids("toDate=20261031") == []


def test_pages_cover_every_activity_once(api: Api) -> None:
    headers = api.user()
    made = set()
    for day in range(1, 8):
        for hour in (6, 18):
            activity_id = str(uuid.uuid4())
            start = f"2026-10-{day:02d}T{hour:02d}:00:00+00:00"
            end = f"2026-10-{day:02d}T{hour:02d}:30:00+00:00"
            put(api, run(start=start, end=end), activity_id=activity_id)
            made.add(activity_id)
    seen: list[str] = []
    starts: list[str] = []
    cursor = None
    for _ in range(10):
        query = "fromDate=20261001&toDate=20261031&limit=4" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = api.client.get(f"/v1/activities?{query}", headers=headers).json()
        seen += [a["id"] for a in page["items"]]
        starts += [a["start"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    assert starts == sorted(starts, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        "fromDate=junk",
        "fromDate=20261301",
        "fromDate=2026-02-30",
        "toDate=99999999",
        "fromDate=18000101",
        "fromDate=20261110&toDate=20261101",
        "fromDate=" + "1" * 500,
        "limit=0",
        "limit=501",
        "limit=ten",
        "cursor=junk",
        "cursor=" + "A" * 150,
        "cursor=WyIyMDI2LTExLTIwVDA3OjAwOjAwIiwgIngiXQ",  # a well-formed cursor of a bad id
        # [ "0001-01-01T00:00:00+01:00", a uuid ]: before the first instant Python has
        "cursor=WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwgIjc5MjIyMWFkLTViNDYtNDE3ZS1hZTdiLWNjYWEzOWVhNjllZCJd",
    ],
)
def test_bad_list_parameters_answer_422(api: Api, query: str) -> None:
    response = api.client.get(f"/v1/activities?{query}", headers=api.user())
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


# --- bad bodies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"end": "2026-11-20T06:00:00+01:00"}, "end before start"),
        ({"duration_s": "fast"}, "wrong type"),
        ({"distance_m": -5}, "negative distance"),
        ({"distance_m": 1e12}, "impossible distance"),
        ({"type": "Run!"}, "not a slug"),
        ({"type": "x" * 40}, "type too long"),
        ({"start": "2026-11-20T07:00:00"}, "no UTC offset"),
        ({"start": "yesterday"}, "not a time"),
        ({"start": "1800-01-01T00:00:00+00:00", "end": "1800-01-01T01:00:00+00:00"}, "1800"),
        ({"start": "2999-01-01T00:00:00+00:00", "end": "2999-01-01T01:00:00+00:00"}, "2999"),
        ({"note": "x" * 1_000_001}, "huge note"),
        ({"pace": "5:30"}, "unknown field"),
        ({"source": "carrier-pigeon"}, "unknown source"),
        ({"updated_at": "1700-01-01T00:00:00+00:00"}, "stamp out of range"),
        ({"start": "0001-01-01T00:00:00+01:00"}, "before the first instant"),
        ({"updated_at": "9999-12-31T23:59:59-00:01"}, "after the last instant"),
        ({"note": "a\u0000b"}, "NUL in a note"),
    ],
)
def test_bad_activities_answer_422_and_store_nothing(
    api: Api, changes: dict[str, Any], reason: str
) -> None:
    activity_id = str(uuid.uuid4())
    response = put(api, run(**changes), activity_id=activity_id)
    assert response.status_code == 422, (reason, response.text)
    assert api.client.get(f"/v1/activities/{activity_id}", headers=api.user()).status_code == 404
    assert api.client.get("/v1/changes", headers=api.user()).json()["activities"] == []


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b"[]", b"null", b'{"type": "run"', b'{"duration_s": NaN}', b"\xff\xfe"],
)
def test_malformed_json_answers_422(api: Api, raw: bytes) -> None:
    headers = {**api.user(), "Content-Type": "application/json"}
    response = api.client.put(f"/v1/activities/{uuid.uuid4()}", content=raw, headers=headers)
    assert response.status_code == 422, response.text


def test_non_finite_numbers_are_refused(api: Api) -> None:
    headers = {**api.user(), "Content-Type": "application/json"}
    raw = (
        b'{"type": "run", "start": "2026-11-20T07:00:00+01:00", "end": "2026-11-20T07:30:00+01:00",'
        b' "duration_s": 1650, "distance_m": Infinity}'
    )
    response = api.client.put(f"/v1/activities/{uuid.uuid4()}", content=raw, headers=headers)
    assert response.status_code == 422


def test_an_id_that_is_not_a_uuid_answers_422(api: Api) -> None:
    response = api.client.get("/v1/activities/not-a-uuid", headers=api.user())
    assert response.status_code == 422


def test_a_huge_body_is_refused_before_it_is_read(api: Api) -> None:
    headers = {**api.user(), "Content-Type": "application/json"}
    huge = b'{"note": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    response = api.client.put(f"/v1/activities/{uuid.uuid4()}", content=huge, headers=headers)
    assert response.status_code == 413


# --- goals and progress ------------------------------------------------------------------------

WEEKLY_20K = {"period": "week", "metric": "distance", "target": 20000, "start_date": "2026-01-01"}


def test_goal_progress_is_the_clis_progress(api: Api) -> None:
    headers = api.user()
    api.client.put("/v1/profile", json={"timezone": "Europe/Berlin"}, headers=headers)
    goal = api.client.post("/v1/goals", json={**WEEKLY_20K, "name": "20k"}, headers=headers)
    assert goal.status_code == 201
    goal_id = goal.json()["id"]
    put(api, run())  # 5 km on Friday 20 November 2026
    progress = api.client.get(f"/v1/goals/{goal_id}/progress?date=20261120", headers=headers)
    assert progress.status_code == 200
    body = progress.json()
    assert body["goal"]["id"] == goal_id
    assert (body["period_start"], body["period_end"]) == ("2026-11-16", "2026-11-22")
    assert body["currentValue"] == body["current"] == 5000.0
    assert body["percent"] == 25.0
    assert body["expected"] == pytest.approx(20000 * 5 / 7, abs=0.01)  # Monday–Friday of 7 days
    assert body["days_left"] == 2
    assert body["needed_per_day"] == 7500.0
    assert body["status"] == "behind"
    # The week before: nothing counted, and the period is over.
    before = api.client.get(f"/v1/goals/{goal_id}/progress?date=20261115", headers=headers).json()
    assert (before["current"], before["status"]) == (0.0, "due")


def test_progress_counts_in_the_users_timezone(api: Api) -> None:
    headers = api.user()
    api.client.put("/v1/profile", json={"timezone": "Pacific/Auckland"}, headers=headers)
    goal_id = api.client.post(
        "/v1/goals", json={**WEEKLY_20K, "metric": "count", "target": 1}, headers=headers
    ).json()["id"]
    # Monday 23 November 00:30 in Auckland is Sunday 22 November in UTC.
    put(api, run(start="2026-11-23T00:30:00+13:00", end="2026-11-23T01:00:00+13:00"))
    week = api.client.get(f"/v1/goals/{goal_id}/progress?date=20261123", headers=headers).json()
    assert (week["period_start"], week["current"], week["status"]) == ("2026-11-23", 1.0, "success")
    before = api.client.get(f"/v1/goals/{goal_id}/progress?date=20261122", headers=headers).json()
    assert before["current"] == 0.0


def test_goal_put_is_idempotent_and_newer_wins(api: Api) -> None:
    headers = api.user()
    goal_id = str(uuid.uuid4())
    body = {**WEEKLY_20K, "updated_at": stamp(1)}
    assert api.client.put(f"/v1/goals/{goal_id}", json=body, headers=headers).status_code == 201
    assert api.client.put(f"/v1/goals/{goal_id}", json=body, headers=headers).status_code == 200
    older = {**WEEKLY_20K, "target": 1000, "updated_at": stamp(2)}
    assert (
        api.client.put(f"/v1/goals/{goal_id}", json=older, headers=headers).json()["target"]
        == 20000
    )
    newer = {**WEEKLY_20K, "target": 30000, "pauses": [["2026-02-01", "2026-02-07"]]}
    stored = api.client.put(f"/v1/goals/{goal_id}", json=newer, headers=headers).json()
    assert (stored["target"], stored["pauses"]) == (30000, [["2026-02-01", "2026-02-07"]])
    assert api.client.delete(f"/v1/goals/{goal_id}", headers=headers).status_code == 204
    assert api.client.get("/v1/goals", headers=headers).json() == []
    assert api.client.get(f"/v1/goals/{goal_id}/progress", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"period": "fortnight"},
        {"metric": "steps"},
        {"target": 0},
        {"target": -5},
        {"target": "lots"},
        {"start_date": "2026-13-01"},
        {"start_date": "1066-10-14"},
        {"start_date": "1728000"},
        {"start_date": 1728000},
        {"start_date": "20261101"},
        {"end_date": "2025-01-01"},
        {"activity_type": "RUN NOW"},
        {"name": "x" * 10_001},
        {"metric": "count", "target": 100_001},
        {"metric": "calories", "target": 2e7},
        {"colour": "red"},
        {"pauses": [["2026-02-07", "2026-02-01"]]},
        {"pauses": "all of them"},
        {"pauses": [[None, "2026-02-01"]]},
        {"pauses": [["2026-02-01"]]},
        {"name": "a\u0000"},
        {"updated_at": "0001-01-01T00:00:00+00:01"},
    ],
)
def test_bad_goals_answer_422(api: Api, changes: dict[str, Any]) -> None:
    headers = api.user()
    response = api.client.put(
        f"/v1/goals/{uuid.uuid4()}", json={**WEEKLY_20K, **changes}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert api.client.get("/v1/goals", headers=headers).json() == []


def test_progress_refuses_a_junk_date(api: Api) -> None:
    headers = api.user()
    goal_id = api.client.post("/v1/goals", json=WEEKLY_20K, headers=headers).json()["id"]
    for junk in ("tomorrow", "20261340", "1"):
        response = api.client.get(f"/v1/goals/{goal_id}/progress?date={junk}", headers=headers)
        assert response.status_code == 422


def test_a_bad_profile_is_refused(api: Api) -> None:
    headers = api.user()
    for body in (
        {"timezone": "Mars/Olympus"},
        {"units": "cubits"},
        {"weight_kg": -3},
        {"timezone": "Europe/Berlin\u0000"},
        {"updated_at": "0001-01-01T00:00:00+00:01"},
    ):
        assert api.client.put("/v1/profile", json=body, headers=headers).status_code == 422
    assert api.client.get("/v1/profile", headers=headers).json()["timezone"] is None


# --- changes -----------------------------------------------------------------------------------


def test_changes_after_a_cursor_are_only_the_later_ones(api: Api) -> None:
    headers = api.user()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    put(api, run(), activity_id=first)
    cursor = api.client.get("/v1/changes", headers=headers).json()["cursor"]
    put(api, run(note="second"), activity_id=second)
    goal = api.client.post("/v1/goals", json=WEEKLY_20K, headers=headers).json()
    later = api.client.get(f"/v1/changes?since={cursor}", headers=headers).json()
    assert [a["id"] for a in later["activities"]] == [second]
    assert [g["id"] for g in later["goals"]] == [goal["id"]]
    assert later["cursor"] > cursor
    assert later["more"] is False
    nothing = api.client.get(f"/v1/changes?since={later['cursor']}", headers=headers).json()
    assert (nothing["activities"], nothing["goals"], nothing["cursor"]) == ([], [], later["cursor"])


def test_changes_come_in_pages(api: Api) -> None:
    headers = api.user()
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for activity_id in ids:
        put(api, run(), activity_id=activity_id)
    seen: list[str] = []
    cursor = 0
    while True:
        page = api.client.get(f"/v1/changes?since={cursor}&limit=2", headers=headers).json()
        seen += [a["id"] for a in page["activities"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == ids


@pytest.mark.parametrize("since", ["-1", "junk", "1.5", "9" * 30, ""])
def test_a_junk_cursor_answers_422(api: Api, since: str) -> None:
    assert api.client.get(f"/v1/changes?since={since}", headers=api.user()).status_code == 422


# --- rate limits -------------------------------------------------------------------------------


def test_a_burst_over_the_limit_gets_429_and_other_users_do_not(make_api: Any) -> None:
    api = make_api(rate=Rate(3, 60.0))
    ana, bob = api.user("ana"), api.user("bob")
    answers = [api.client.get("/v1/goals", headers=ana) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    refused = api.client.get("/v1/goals", headers=ana)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert "try again" in refused.json()["detail"]
    assert api.client.get("/v1/goals", headers=bob).status_code == 200


def test_requests_without_a_valid_token_share_their_address_limit(make_api: Any) -> None:
    api = make_api(anonymous_rate=Rate(2, 60.0))
    bad = {"Authorization": "Bearer ft_guess"}
    assert [api.client.get("/v1/goals", headers=bad).status_code for _ in range(2)] == [401, 401]
    assert api.client.get("/v1/goals").status_code == 429
    assert api.client.get("/openapi.json").status_code == 429
    assert api.client.get("/healthz").status_code == 200  # the load balancer is never refused
    # A token this worker does not know yet counts against the address before it is looked up:
    # throttled, it costs the database nothing (behaviour 3); a known one has its own bucket.
    assert api.client.get("/v1/goals", headers=api.user()).status_code == 429


# --- the cache ---------------------------------------------------------------------------------


def test_goals_are_served_from_the_cache_until_a_goal_is_written(api: Api) -> None:
    headers = api.user()
    cache = api.state.cache
    assert api.client.get("/v1/goals", headers=headers).json() == []
    hits = cache.hits
    assert api.client.get("/v1/goals", headers=headers).json() == []
    assert cache.hits == hits + 1
    api.client.post("/v1/goals", json=WEEKLY_20K, headers=headers)
    assert len(api.client.get("/v1/goals", headers=headers).json()) == 1  # the very next read
    assert cache.hits == hits + 1
    api.client.get("/v1/goals", headers=headers)
    assert cache.hits == hits + 2


def test_the_last_activities_are_served_from_the_cache_until_one_is_written(api: Api) -> None:
    headers = api.user()
    cache = api.state.cache
    first = str(uuid.uuid4())
    put(api, run(), activity_id=first)
    assert [a["id"] for a in api.client.get("/v1/activities", headers=headers).json()["items"]] == [
        first
    ]
    hits = cache.hits
    api.client.get("/v1/activities?limit=5", headers=headers)
    assert cache.hits == hits + 1
    second = str(uuid.uuid4())
    put(
        api,
        run(start="2026-11-21T07:00:00+01:00", end="2026-11-21T07:30:00+01:00"),
        activity_id=second,
    )
    items = api.client.get("/v1/activities", headers=headers).json()["items"]
    assert [a["id"] for a in items] == [second, first]
    api.client.delete(f"/v1/activities/{second}", headers=headers)
    items = api.client.get("/v1/activities", headers=headers).json()["items"]
    assert [a["id"] for a in items] == [first]


def test_the_cached_page_knows_when_there_are_more(make_api: Any) -> None:
    api = make_api(cache_last_n=3)
    headers = api.user()
    for day in range(1, 6):
        put(api, run(start=f"2026-10-0{day}T07:00:00+00:00", end=f"2026-10-0{day}T07:30:00+00:00"))
    cached = api.client.get("/v1/activities?limit=3", headers=headers).json()
    assert api.client.get("/v1/activities?limit=3", headers=headers).json() == cached
    assert len(cached["items"]) == 3 and cached["next_cursor"] is not None
    rest = api.client.get(f"/v1/activities?limit=3&cursor={cached['next_cursor']}", headers=headers)
    assert [a["start"][:10] for a in rest.json()["items"]] == ["2026-10-02", "2026-10-01"]


# --- operations --------------------------------------------------------------------------------


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ok"}


def test_one_log_line_per_request_and_never_a_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    headers = api.user()
    token = api.tokens["ana"]
    with caplog.at_level(logging.INFO, logger="fittrack.server"):
        api.client.get("/v1/activities?fromDate=20261101", headers=headers)
        api.client.get("/v1/goals", headers={"Authorization": "Bearer ft_wrong"})
    lines = [r.getMessage() for r in caplog.records if r.name == "fittrack.server"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /v1/activities 200 ")
    assert lines[0].endswith("ms")
    assert lines[1].startswith("GET /v1/goals 401 ")
    assert not any(token in line or "ft_wrong" in line or "fromDate" in line for line in lines)


def test_the_openapi_document_describes_the_api(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/v1/activities",
        "/v1/activities/{activity_id}",
        "/v1/goals",
        "/v1/goals/{goal_id}",
        "/v1/goals/{goal_id}/progress",
        "/v1/changes",
        "/healthz",
        "/readyz",
    ):
        assert path in paths
    assert set(paths["/v1/activities/{activity_id}"]) == {"get", "put", "delete"}
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert api.client.get("/docs").status_code == 200


# --- the batch (what sync pushes) --------------------------------------------------------------


def test_a_batch_applies_each_write_by_the_rules_of_its_put(api: Api) -> None:
    headers = api.user()
    theirs = str(uuid.uuid4())
    put(api, run(), "bob", activity_id=theirs)
    newer_on_server = str(uuid.uuid4())
    put(api, run(note="server", updated_at=stamp(0)), activity_id=newer_on_server)
    fresh = [str(uuid.uuid4()) for _ in range(3)]
    goal_id = str(uuid.uuid4())
    body = {
        "activities": [{**run(updated_at=stamp(1)), "id": i} for i in fresh]
        + [
            {**run(note="device", updated_at=stamp(1)), "id": newer_on_server},
            {**run(updated_at=stamp(1)), "id": theirs},
        ],
        "goals": [{**WEEKLY_20K, "id": goal_id, "updated_at": stamp(1)}],
    }
    response = api.client.post("/v1/batch", json=body, headers=headers)
    assert response.status_code == 200, response.text
    results = response.json()
    # Bob's id is another row: Ana gets her own (the key is owner and id).
    assert [r["result"] for r in results["activities"]] == ["created"] * 3 + ["kept", "created"]
    assert results["goals"] == [{"id": goal_id, "result": "created", "stored": None}]
    assert results["activities"][3]["stored"]["note"] == "server"  # what won, to apply locally
    # Sent again (a lost answer), nothing changes and nothing is reported lost.
    again = api.client.post("/v1/batch", json=body, headers=headers).json()
    assert [r["result"] for r in again["activities"]] == ["unchanged"] * 3 + ["kept", "unchanged"]
    assert again["goals"][0]["result"] == "unchanged"
    shown = api.client.get(f"/v1/activities/{newer_on_server}", headers=headers).json()
    assert shown["note"] == "server"
    assert api.client.get(f"/v1/activities/{theirs}", headers=api.user("bob")).status_code == 200
    # Each row has a change number of its own: a page of two never splits the batch.
    seen, cursor = [], 0
    while True:
        page = api.client.get(f"/v1/changes?since={cursor}&limit=2", headers=headers).json()
        seen += [a["id"] for a in page["activities"]] + [g["id"] for g in page["goals"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert sorted(seen) == sorted([newer_on_server, *fresh, theirs, goal_id])


@pytest.mark.parametrize(
    "body",
    [
        {"activities": "many"},
        {"activities": [{**run()}]},  # no id
        {"activities": [{**run(), "id": "not-a-uuid"}]},
        {"activities": [{**run(duration_s=-1), "id": str(uuid.uuid4())}]},
        {"activities": [{**run(), "id": str(uuid.uuid4())}] * 1001},
        {"goals": [{**WEEKLY_20K, "id": str(uuid.uuid4()), "period": "decade"}]},
        {"everything": []},
    ],
)
def test_a_bad_batch_answers_422_and_stores_nothing(api: Api, body: dict[str, Any]) -> None:
    headers = api.user()
    good = {**run(), "id": str(uuid.uuid4())}
    if isinstance(body.get("activities"), list) and len(body["activities"]) < 1000:
        body = {**body, "activities": [good, *body["activities"]]}
    response = api.client.post("/v1/batch", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert api.client.get("/v1/changes", headers=headers).json()["activities"] == []


def test_a_batch_naming_one_id_twice_is_refused(api: Api) -> None:
    same = str(uuid.uuid4())
    body = {"activities": [{**run(), "id": same}, {**run(note="b"), "id": same}]}
    response = api.client.post("/v1/batch", json=body, headers=api.user())
    assert response.status_code == 422
    assert "twice" in response.json()["detail"]


def test_a_deletion_wins_over_a_later_edit(api: Api) -> None:
    headers = api.user()
    activity_id = str(uuid.uuid4())
    put(api, run(note="edited later", updated_at=stamp(0)), activity_id=activity_id)
    deletion = {**run(updated_at=stamp(1), deleted_at=stamp(1)), "id": activity_id}
    result = api.client.post("/v1/batch", json={"activities": [deletion]}, headers=headers)
    assert result.json()["activities"][0]["result"] == "updated"
    assert api.client.get(f"/v1/activities/{activity_id}", headers=headers).status_code == 404


def test_a_write_over_a_change_the_client_never_saw_is_reported(api: Api) -> None:
    headers = api.user()
    activity_id = str(uuid.uuid4())
    put(api, run(note="v1", updated_at=stamp(3)), activity_id=activity_id)
    seen = api.client.get("/v1/changes", headers=headers).json()["cursor"]
    put(api, run(note="other device", updated_at=stamp(2)), activity_id=activity_id)
    mine = {**run(note="this device", updated_at=stamp(1)), "id": activity_id}
    body = {"since": seen, "activities": [mine]}
    result = api.client.post("/v1/batch", json=body, headers=headers).json()
    assert result["activities"][0]["result"] == "replaced"
    shown = api.client.get(f"/v1/activities/{activity_id}", headers=headers).json()
    assert shown["note"] == "this device"
    later = api.client.get("/v1/changes", headers=headers).json()["cursor"]
    mine = {**run(note="again", updated_at=stamp(0)), "id": activity_id}
    body = {"since": later, "activities": [mine]}
    assert (
        api.client.post("/v1/batch", json=body, headers=headers).json()["activities"][0]["result"]
        == "updated"
    )


def test_me_names_the_tokens_user(api: Api) -> None:
    me = api.client.get("/v1/me", headers=api.user("ana")).json()
    assert me["email"].startswith("ana-")
    uuid.UUID(me["id"])


def test_a_batch_says_which_cursors_it_spans(api: Api) -> None:
    headers = api.user()
    put(api, run())
    before = api.client.get("/v1/changes", headers=headers).json()["cursor"]
    items = [{**run(updated_at=stamp(1)), "id": str(uuid.uuid4())} for _ in range(3)]
    result = api.client.post("/v1/batch", json={"activities": items}, headers=headers).json()
    assert result["cursor_before"] == before
    after = api.client.get("/v1/changes", headers=headers).json()["cursor"]
    assert result["cursor_after"] == after
    since = api.client.get(f"/v1/changes?since={before}", headers=headers).json()
    assert sorted(a["id"] for a in since["activities"]) == sorted(i["id"] for i in items)


def test_progress_is_asked_within_the_goals_days(api: Api) -> None:
    headers = api.user()
    body = {**WEEKLY_20K, "start_date": "2026-11-01", "end_date": "2026-11-10"}
    goal_id = api.client.post("/v1/goals", json=body, headers=headers).json()["id"]
    for day in ("20261020", "20261120"):
        response = api.client.get(f"/v1/goals/{goal_id}/progress?date={day}", headers=headers)
        assert response.status_code == 422
        assert "runs from 2026-11-01 to 2026-11-10" in response.json()["detail"]
    inside = api.client.get(f"/v1/goals/{goal_id}/progress?date=20261105", headers=headers)
    assert inside.status_code == 200


def test_a_goal_given_no_name_is_named_as_the_cli_names_it(api: Api) -> None:
    goal = api.client.post("/v1/goals", json=WEEKLY_20K, headers=api.user()).json()
    assert goal["name"] == "20 km a week"


def test_a_chunked_body_over_the_limit_is_refused(make_api: Any) -> None:
    api = make_api(max_body_bytes=1000)
    headers = {**api.user(), "Content-Type": "application/json"}

    def chunks() -> Any:
        yield b'{"note": "'
        for _ in range(30):
            yield b"x" * 100
        yield b'"}'

    response = api.client.put(f"/v1/activities/{uuid.uuid4()}", content=chunks(), headers=headers)
    assert response.status_code == 413
    small = api.client.put(
        f"/v1/activities/{uuid.uuid4()}",
        content=iter([json.dumps(run()).encode()]),
        headers=headers,
    )
    assert small.status_code == 201, small.text


def test_a_cursor_holding_a_number_for_an_id_answers_422(api: Api) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00", 5]').decode().rstrip("=")
    response = api.client.get(f"/v1/activities?cursor={cursor}", headers=api.user())
    assert response.status_code == 422


def test_a_page_of_changes_never_skips_a_row_written_while_it_is_read(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker tries to commit an activity and a goal between the page's reads of the two
    tables: the page must not hand out a cursor past the activity it did not hold."""
    import asyncio
    import sqlite3

    from tests.server.conftest import run_on_db

    from fittrack.server import auth, db
    from fittrack.server.data import activities, goals, sync

    url = f"sqlite:///{tmp_path / 'server.db'}"
    db.migrate(url)
    token = run_on_db(url, auth.add_user, "ana@example.org")
    other_worker = sqlite3.connect(tmp_path / "server.db", isolation_level=None, timeout=0)
    (owner,) = other_worker.execute("SELECT id FROM app_user").fetchone()
    real_select = sync.select
    calls = 0
    refused: list[str] = []

    def select_then_a_write_elsewhere(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:  # between the activity and the goal reads
            try:
                other_worker.execute("BEGIN IMMEDIATE")
                other_worker.execute("UPDATE app_user SET change_seq = 2")
                for table, seq in (("activity", 1), ("goal", 2)):
                    other_worker.execute(
                        f"UPDATE {table} SET change_seq = ? WHERE owner = ?", (seq, owner)
                    )
                other_worker.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # the page holds the file: writers wait
                refused.append(str(exc))
        return real_select(*args)

    async def on_engine(work: Any) -> Any:
        engine = db.open_engine(url)
        try:
            async with engine.connect() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    async def seed(conn: Any) -> None:
        await activities.put(conn, owner, str(uuid.uuid4()), ActivityUpdate(**run()))
        await goals.create(conn, owner, GoalCreate(**WEEKLY_20K))
        async with conn.begin():
            for table in (sync.ACTIVITY, sync.GOAL):
                await conn.execute(table.update().values(change_seq=0))

    asyncio.run(on_engine(seed))
    assert token
    monkeypatch.setattr(sync, "select", select_then_a_write_elsewhere)
    first = asyncio.run(on_engine(lambda conn: sync.changes(conn, owner, 0, 500)))
    other_worker.close()
    # Either both rows are on this page, or neither is and the cursor stays where it was.
    seen = len(first["activities"]) + len(first["goals"])
    assert (seen, first["cursor"]) in ((0, 0), (2, 2)), (first, refused)
