"""The server's JSON of a stored activity is the CLI's ACTIVITY, plus the seed's fields."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from fittrack.core.activity import ActivityRecord
from fittrack.server.data.activities import activity_json
from fittrack.server.data.common import utc
from fittrack.storage.rows import activity_to_row

moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
)


@given(
    start=moments,
    offset_min=st.integers(min_value=-14 * 60, max_value=14 * 60),
    duration_s=st.floats(min_value=1, max_value=86_400),
    distance_m=st.none() | st.floats(min_value=0, max_value=1e6),
    stamp=moments,
    deleted=st.booleans(),
)
def test_activity_json_is_the_clis_activity_json(
    start: datetime,
    offset_min: int,
    duration_s: float,
    distance_m: float | None,
    stamp: datetime,
    deleted: bool,
) -> None:
    zone = timezone(timedelta(minutes=offset_min))
    record = ActivityRecord(
        id="0b6a8f3e-4c1d-4e5f-9a7b-2c3d4e5f6a7b",
        type="run",
        start=start.astimezone(zone),
        end=(start + timedelta(seconds=duration_s)).astimezone(zone),
        duration_s=duration_s,
        distance_m=distance_m,
        calories_kcal=312.5,
        calories_estimated=True,
        workload=250.0,
        note='hills, "quoted" and ünïcode',
        source="gpx",
        created_at=stamp,
        updated_at=stamp,
        deleted_at=stamp if deleted else None,
    )
    # As the server writes it (aware UTC datetimes) and as SQLite reads it back (naive UTC).
    written = activity_to_row(record, time=utc)
    shown = activity_json(written)
    naive = {
        k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in written.items()
    }
    assert activity_json(naive) == shown
    expected = record.to_json()
    assert {k: shown[k] for k in expected} == expected
    assert shown["deleted_at"] == (expected["updated_at"] if deleted else None)
    assert shown["duration"] == round(duration_s / 60, 2)
    assert shown["calories"] == 312.5
