"""Each local day's workload: the profile's zone decides the day, in one indexed range."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.helpers import Invoke

from fittrack.storage import db
from fittrack.storage.load import daily_workload, daily_workload_sql, offset_spans

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

BERLIN = ZoneInfo("Europe/Berlin")


def test_offset_spans_find_the_transitions_to_the_second() -> None:
    spans = offset_spans(BERLIN, date(2026, 3, 1), date(2026, 11, 30))
    assert spans == [
        (None, 3600),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 3600),
    ]
    assert offset_spans(UTC, date(2026, 1, 1), date(2026, 12, 31)) == [(None, 0)]


def _log(cli: Invoke, start: str, distance: str = "5k") -> float:
    result = cli("log", "run", distance, "30:00", "--start", start, "--json")
    assert result.exit_code == 0, result.stderr
    return float(json.loads(result.stdout)["activity"]["workload"])


def test_the_profiles_zone_decides_the_day_not_the_stored_offset(
    cli: Invoke, db_file: Path
) -> None:
    assert cli("profile", "set", "--timezone", "Europe/Berlin").exit_code == 0
    # 23:30 in New York on 20 November is 05:30 on the 21st in Berlin.
    late = _log(cli, "2026-11-20T23:30:00-05:00")
    # The night DST ends in Berlin: 23:30 CET on 25 October is 22:30 UTC, after the change; the
    # summer offset would put it on the 26th.
    autumn = _log(cli, "2026-10-25T23:30:00+01:00", "6k")
    # The night DST starts: 00:30 CET on 29 March (23:30 UTC on the 28th).
    spring = _log(cli, "2026-03-29T00:30:00+01:00", "7k")
    conn = db.connect(db_file)
    loads = daily_workload(conn, date(2026, 1, 1), date(2026, 12, 31), BERLIN)
    assert loads == {
        date(2026, 11, 21): pytest.approx(late),
        date(2026, 10, 25): pytest.approx(autumn),
        date(2026, 3, 29): pytest.approx(spring),
    }
    # Days outside the window are not read.
    assert daily_workload(conn, date(2026, 11, 22), date(2026, 12, 31), BERLIN) == {}
    assert daily_workload(conn, date(2026, 12, 31), date(2026, 1, 1), BERLIN) == {}
    # A deleted activity is not counted.
    listed = cli("list", "--json", "--from", "2026-11-21", "--to", "2026-11-21")
    assert cli("delete", json.loads(listed.stdout)[0]["id"], "--yes").exit_code == 0
    assert date(2026, 11, 21) not in daily_workload(
        conn, date(2026, 1, 1), date(2026, 12, 31), BERLIN
    )


def test_several_activities_a_day_add_up(cli: Invoke, db_file: Path) -> None:
    assert cli("profile", "set", "--timezone", "UTC").exit_code == 0
    a = _log(cli, "2026-11-20T07:00:00Z")
    b = _log(cli, "2026-11-20T18:00:00Z", "8k")
    c = _log(cli, "2026-11-21T07:00:00Z")
    conn = db.connect(db_file)
    loads = daily_workload(conn, date(2026, 11, 1), date(2026, 11, 30), UTC)
    assert loads == {date(2026, 11, 20): pytest.approx(a + b), date(2026, 11, 21): pytest.approx(c)}


@pytest.mark.parametrize("transitions", [0, 2])
def test_the_daily_workload_is_one_range_over_the_start_index(
    db_file: Path, transitions: int
) -> None:
    conn = db.connect(db_file)
    params: dict[str, object] = {
        "start": "2026-01-01 00:00:00.000000",
        "end": "2026-12-01 00:00:00.000000",
    }
    for i in range(transitions + 1):
        params[f"o{i}"] = "+3600 seconds"
        if i:
            params[f"t{i}"] = f"2026-0{i * 3}-01 00:00:00.000000"
    sql = daily_workload_sql(transitions)
    plan = " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert (
        "SEARCH activity USING COVERING INDEX ix_activity_start_at (start_at>? AND start_at<?)"
        in plan
    )
    assert "SCAN activity" not in plan, plan
