"""storage.tracks and migration 0009's other columns, on real SQLite files."""

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fittrack.core.activity import ActivityRecord
from fittrack.core.profile import Profile
from fittrack.core.track import Track
from fittrack.errors import DataError
from fittrack.storage import activities, db, tracks
from fittrack.storage.profile import load_profile, save_profile, write_profile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TRACK = Track(
    start=NOW,
    time_s=(0.0, 1.0, 2.0),
    lat=(46.0, 46.00001, 46.00002),
    lon=(14.0, 14.0, 14.00001),
    heart_rate=(None, 130.0, 131.0),
)


@pytest.fixture
def conn(db_file: Path) -> sqlite3.Connection:
    return db.connect(db_file)


def _record(activity_id: str, **changes: object) -> ActivityRecord:
    start = NOW.astimezone(timezone(timedelta(hours=2)))
    values: dict[str, object] = {
        "id": activity_id,
        "type": "run",
        "start": start,
        "end": start + timedelta(minutes=30),
        "duration_s": 1800.0,
        "distance_m": 5000.0,
        "calories_kcal": 400.0,
        "calories_estimated": True,
        "workload": 300.0,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return ActivityRecord(**(values | changes))  # type: ignore[arg-type]


def test_save_load_replace_and_has_track(conn: sqlite3.Connection) -> None:
    assert tracks.load_track(conn, "a" * 8) is None
    with db.write(conn):
        tracks.save_track(conn, "a" * 8, TRACK, NOW, elevation_gain_m=12.5, figures_json="[]")
    assert tracks.load_track(conn, "a" * 8) == TRACK
    longer = Track(start=NOW, time_s=(0.0, 1.0, 2.0, 3.0))
    with db.write(conn):
        tracks.save_track(conn, "a" * 8, longer, NOW + timedelta(hours=1))
    row = conn.execute("SELECT * FROM activity_track").fetchone()
    # Figures computed by save_track: a track of times only has no gain and no efforts.
    assert (row["samples"], row["elevation_gain_m"], row["best_efforts"]) == (4, None, "[]")
    assert row["created_at"] < row["updated_at"]  # a replaced track keeps when it came
    assert tracks.load_track(conn, "a" * 8) == longer
    many = [f"{i:08d}" for i in range(1200)]  # more than one query's worth of ids
    assert tracks.has_track(conn, ["b" * 8, *many, "a" * 8]) == {"a" * 8}


def test_a_damaged_stored_track_is_a_data_error(conn: sqlite3.Connection) -> None:
    with db.write(conn):
        tracks.save_track(conn, "a" * 8, TRACK, NOW)
        conn.execute("UPDATE activity_track SET data = substr(data, 1, 10)")
    with pytest.raises(DataError, match="a stored track is damaged"):
        tracks.load_track(conn, "a" * 8)


def test_calories_method_is_stored_and_null_reads_as_none(conn: sqlite3.Connection) -> None:
    with db.write(conn):
        activities.insert(conn, [_record("11111111-0000-4000-8000-000000000001")])
        activities.insert(
            conn,
            [_record("11111111-0000-4000-8000-000000000002", calories_method="heart_rate")],
        )
    assert activities.find(conn, "11111111-0000-4000-8000-000000000001").calories_method is None
    found = activities.find(conn, "11111111-0000-4000-8000-000000000002")
    assert found.calories_method == "heart_rate"


def test_the_profile_keeps_the_body_and_a_pulled_profile_leaves_it(
    conn: sqlite3.Connection,
) -> None:
    mine = Profile(
        weight_kg=70.0,
        birth_date=date(1990, 2, 28),
        sex="female",
        height_cm=168.5,
        resting_hr=52,
        max_hr=188,
    )
    with db.write(conn):
        save_profile(conn, mine, NOW)
    assert load_profile(conn) == mine
    # Sync does not carry these yet: the server's profile must not wipe them.
    with db.write(conn):
        write_profile(conn, Profile(weight_kg=71.0), NOW, 7)
    assert load_profile(conn) == Profile(
        weight_kg=71.0,
        birth_date=date(1990, 2, 28),
        sex="female",
        height_cm=168.5,
        resting_hr=52,
        max_hr=188,
    )


def test_a_version_8_log_migrates_with_its_rows_and_no_tracks(db_file: Path) -> None:
    db_file.parent.mkdir(parents=True)
    db.migrate(db_file, "0008")
    conn = sqlite3.connect(db_file)
    conn.execute(
        "INSERT INTO activity (id, owner, created_at, updated_at, type, start_at, end_at, "
        "utc_offset_min, duration_s, distance_m, calories_kcal, calories_estimated, workload, "
        "note, source) VALUES ('22222222-0000-4000-8000-000000000001', '', "
        "'2026-01-01 10:00:00.000000', '2026-01-01 10:00:00.000000', 'run', "
        "'2026-01-01 09:00:00.000000', '2026-01-01 09:30:00.000000', 0, 1800, 5000, 300, 1, "
        "250, '', 'manual')"
    )
    conn.commit()
    conn.close()
    migrated = db.connect(db_file)
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    record = activities.find(migrated, "2222")
    assert record.calories_method is None and record.distance_m == 5000
    assert load_profile(migrated) == Profile()
    assert migrated.execute("SELECT COUNT(*) FROM activity_track").fetchone()[0] == 0
