"""The API's profile carries the body figures, and every activity its ``calories_method``
(SQLite, and PostgreSQL when FITTRACK_TEST_DATABASE_URL names one)."""

import uuid
from typing import Any

import pytest
from tests.server.conftest import Api
from tests.server.test_api import put, run

BODY = {"birth_date": "1990-05-01", "sex": "female", "height_cm": 168.0}


def test_the_profile_keeps_its_body_figures(api: Api) -> None:
    headers = api.user()
    assert api.client.get("/v1/profile", headers=headers).json()["sex"] is None
    sent = {"weight_kg": 60, **BODY, "resting_hr": 50, "max_hr": 190}
    stored = api.client.put("/v1/profile", json=sent, headers=headers).json()
    assert {key: stored[key] for key in sent} == {**sent, "weight_kg": 60.0}
    # A client that sends no body figure (one from before them) leaves them as they are.
    again = api.client.put("/v1/profile", json={"weight_kg": 61}, headers=headers).json()
    assert (again["weight_kg"], again["sex"], again["max_hr"]) == (61.0, "female", 190)


@pytest.mark.parametrize(
    "changes",
    [
        {"sex": "x"},
        {"height_cm": 20},
        {"birth_date": "1990-02-30"},
        {"birth_date": "1728000"},
        {"resting_hr": 10},
        {"max_hr": 52.5},
        {"resting_hr": 190, "max_hr": 180},
    ],
)
def test_a_bad_body_figure_is_refused(api: Api, changes: dict[str, Any]) -> None:
    headers = api.user()
    response = api.client.put("/v1/profile", json=changes, headers=headers)
    assert response.status_code in (400, 422), response.text
    assert api.client.get("/v1/profile", headers=headers).json()["updated_at"] is None


def test_an_estimate_says_its_method(api: Api) -> None:
    headers = api.user()
    plain = put(api, run()).json()
    assert (plain["calories_kcal"], plain["calories_method"]) == (336.9, "met")
    api.client.put("/v1/profile", json={"weight_kg": 60, **BODY}, headers=headers)
    corrected = put(api, run()).json()
    assert (corrected["calories_kcal"], corrected["calories_method"]) == (274.1, "met_corrected")
    given = put(api, run(calories_kcal=300, workload=200)).json()
    assert given["calories_method"] == "given"


def test_a_sent_method_is_kept_and_an_unknown_one_refused(api: Api) -> None:
    sent = run(calories_kcal=250.0, workload=288.8, calories_estimated=True)
    stored = put(api, {**sent, "calories_method": "heart_rate"}).json()
    assert stored["calories_method"] == "heart_rate"
    old_client = put(api, sent).json()  # no method sent: read by the flag
    assert old_client["calories_method"] == "met"
    refused = put(api, {**sent, "calories_method": "guess"}, activity_id=str(uuid.uuid4()))
    assert refused.status_code == 422
