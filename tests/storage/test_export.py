"""The CSV export's query: every ACTIVITY key, formatted as to_json() formats it, in batches."""

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from tests.helpers import copy_migrated

from fittrack.core.activity import ACTIVITY_KEYS, ActivityRecord
from fittrack.storage import activities, export
from fittrack.storage.db import connect

CEST = timezone(timedelta(hours=2))
NEWFOUNDLAND = timezone(-timedelta(hours=3, minutes=30))


def record(n: int, zone: timezone = UTC, **values: object) -> ActivityRecord:
    start = datetime(2026, 5, 1, 7, 30, tzinfo=zone) + timedelta(days=n)
    fields: dict[str, object] = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "type": "run",
        "start": start,
        "end": start + timedelta(minutes=30),
        "duration_s": 1800.0,
        "distance_m": 5000.0,
        "calories_kcal": 350.5,
        "calories_estimated": True,
        "workload": 123.25,
        "note": "",
        "source": "manual",
        "created_at": datetime(2026, 5, 1, 5, 0, 0, 123456, tzinfo=UTC),
        "updated_at": datetime(2026, 5, 2, 5, 0, 0, 654321, tzinfo=UTC),
    }
    fields.update(values)
    return ActivityRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture
def conn(tmp_path: Path, migrated_template: Path) -> sqlite3.Connection:
    """An empty log at the newest schema (the session's migrated database, copied)."""
    return connect(copy_migrated(migrated_template, tmp_path))


def rows_of(
    conn: sqlite3.Connection, where: str = "1", params: list[object] | None = None
) -> list[tuple[object, ...]]:
    return [row for batch in export.csv_rows(conn, where, params or []) for row in batch]


def test_each_row_is_the_activity_keys_as_to_json_writes_them(conn: sqlite3.Connection) -> None:
    shown = [
        record(1, CEST, note='a "quoted", two\nlines'),
        record(2, NEWFOUNDLAND, distance_m=None, calories_estimated=False, source="gpx"),
    ]
    with conn:
        activities.insert(conn, shown)
    for row, activity in zip(rows_of(conn), shown, strict=True):
        assert len(row) == len(ACTIVITY_KEYS)
        expected = activity.to_json()
        assert dict(zip(ACTIVITY_KEYS, row, strict=True)) == {
            **expected,
            "calories_estimated": "true" if activity.calories_estimated else "false",
        }


def test_rows_come_oldest_first_in_batches(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    with conn:
        activities.insert(conn, [record(n) for n in (5, 1, 4, 2, 3, 7, 6)])
    monkeypatch.setattr(export, "BATCH", 3)
    batches = list(export.csv_rows(conn, "1", []))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [row[0][-1] for b in batches for row in b] == list("1234567")


def test_the_where_clause_chooses_the_rows(conn: sqlite3.Connection) -> None:
    with conn:
        activities.insert(conn, [record(n) for n in range(1, 6)])
        activities.tombstone(conn, record(2).id, datetime(2026, 6, 1, tzinfo=UTC))
    where, params = activities.window_clause(record(2).start, record(5).start)
    assert [row[0] for row in rows_of(conn, where, params)] == [record(3).id, record(4).id]
    assert "deleted_at IS NULL" in where


def test_an_empty_log_gives_no_batch(conn: sqlite3.Connection) -> None:
    assert list(export.csv_rows(conn, "1", [])) == []
