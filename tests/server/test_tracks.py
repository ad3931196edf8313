"""``PUT``/``GET /v1/activities/{id}/track`` on every backend of ``conftest.backend``: the bytes
come back as sent, a body that is not a track is refused (422) and one too large too (413), and
a user reaches only the tracks of their own live activities."""

import uuid
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.server.conftest import Api
from tests.server.test_api import put, run

from fittrack.core.track import Track
from fittrack.server.data.tracks import MAX_TRACK_BYTES, TRACK
from fittrack.storage import trackcodec

OCTETS = {"Content-Type": "application/octet-stream"}


def encoded(samples: int = 60) -> bytes:
    return trackcodec.encode(
        Track(
            start=datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
            time_s=[float(i) for i in range(samples)],
            lat=[52.5 + i * 1e-5 for i in range(samples)],
            lon=[13.4 + i * 1e-5 for i in range(samples)],
            heart_rate=[120.0 + i % 30 for i in range(samples)],
        )
    )


def an_activity(api: Api, user: str = "ana") -> str:
    activity_id = str(uuid.uuid4())
    assert put(api, run(), user, activity_id).status_code == 201
    return activity_id


def put_track(api: Api, activity_id: str, data: bytes, user: str = "ana") -> Any:
    return api.client.put(
        f"/v1/activities/{activity_id}/track", content=data, headers=api.user(user) | OCTETS
    )


def get_track(api: Api, activity_id: str, user: str = "ana") -> Any:
    return api.client.get(f"/v1/activities/{activity_id}/track", headers=api.user(user))


def test_a_track_comes_back_as_it_was_sent(api: Api) -> None:
    activity_id = an_activity(api)
    data = encoded()
    assert get_track(api, activity_id).status_code == 404
    assert put_track(api, activity_id, data).status_code == 204
    answer = get_track(api, activity_id)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.content == data
    assert trackcodec.decode(answer.content) == trackcodec.decode(data)


def _seq(api: Api, activity_id: str) -> tuple[int, Any]:
    from sqlalchemy import create_engine, select

    url = api.settings.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(TRACK.c.change_seq, TRACK.c.updated_at).where(
                    TRACK.c.activity_id == activity_id
                )
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), row[1]


def test_the_same_track_again_changes_nothing_and_another_replaces_it(api: Api) -> None:
    activity_id = an_activity(api)
    assert put_track(api, activity_id, encoded()).status_code == 204
    first = _seq(api, activity_id)
    assert put_track(api, activity_id, encoded()).status_code == 204
    assert _seq(api, activity_id) == first
    other = encoded(90)
    assert put_track(api, activity_id, other).status_code == 204
    assert _seq(api, activity_id)[0] > first[0]
    assert get_track(api, activity_id).content == other


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not a track at all", id="text"),
        pytest.param(bytes([1]) + zlib.compress(b"\xff" * 40), id="a-damaged-body"),
        pytest.param(encoded()[:-7], id="cut-short"),
        pytest.param(bytes([9]) + encoded()[1:], id="an-unknown-version"),
    ],
)
def test_a_body_that_is_not_a_track_is_refused_in_one_line(api: Api, body: bytes) -> None:
    activity_id = an_activity(api)
    answer = put_track(api, activity_id, body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and "track" in detail
    assert get_track(api, activity_id).status_code == 404


def test_a_body_that_inflates_past_the_bound_is_refused_unread(api: Api) -> None:
    """64 MB of zeros compress to 64 kB: the server stops inflating at its bound."""
    activity_id = an_activity(api)
    answer = put_track(api, activity_id, bytes([1]) + zlib.compress(bytes(64 * 2**20), 9))
    assert answer.status_code == 422
    assert "once inflated" in answer.json()["detail"]


def test_a_track_over_the_limit_is_refused_with_413(api: Api) -> None:
    activity_id = an_activity(api)
    answer = put_track(api, activity_id, b"\x01" + b"\x00" * MAX_TRACK_BYTES)
    assert answer.status_code == 413
    assert get_track(api, activity_id).status_code == 404


def test_only_the_owner_of_a_live_activity_reaches_its_track(api: Api) -> None:
    mine = an_activity(api, "ana")
    assert put_track(api, mine, encoded(), "bob").status_code == 404
    assert put_track(api, mine, encoded(), "ana").status_code == 204
    assert get_track(api, mine, "bob").status_code == 404
    assert put_track(api, str(uuid.uuid4()), encoded()).status_code == 404
    # A deleted activity's track is gone with it.
    assert api.client.delete(f"/v1/activities/{mine}", headers=api.user()).status_code == 204
    assert get_track(api, mine).status_code == 404
    assert put_track(api, mine, encoded()).status_code == 404


def test_a_track_needs_a_token(api: Api) -> None:
    activity_id = an_activity(api)
    answer = api.client.put(f"/v1/activities/{activity_id}/track", content=encoded())
    assert answer.status_code == 401
    assert api.client.get(f"/v1/activities/{activity_id}/track").status_code == 401
