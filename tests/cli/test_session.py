"""A command's session: the moment it reads once, and the zone it passes on."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.helpers import Invoke

from fittrack.cli import common

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

# Friday 2026-11-20, 06:30 UTC: 07:30 in Berlin.
FIXED = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "read_clock", lambda tz: FIXED.astimezone(tz))


@pytest.mark.usefixtures("fixed_clock")
def test_a_command_runs_at_the_moment_the_session_read(cli_json: Callable[..., Any]) -> None:
    assert cli_json("profile", "set", "--timezone", "Europe/Berlin")["timezone"] == "Europe/Berlin"
    logged = cli_json("log", "run", "5k", "27:30")["activity"]
    assert logged["end"] == "2026-11-20T07:30:00+01:00"
    assert logged["start"] == "2026-11-20T07:02:30+01:00"
    assert logged["created_at"] == logged["updated_at"] == "2026-11-20T06:30:00.000000+00:00"
    earlier = cli_json("log", "ride", "20k", "1h", "--start", "yesterday 18:00")["activity"]
    assert earlier["start"] == "2026-11-19T18:00:00+01:00"
    assert [a["id"] for a in cli_json("list", "--from", "today")] == [logged["id"]]


@pytest.mark.usefixtures("fixed_clock")
def test_without_a_profile_zone_the_systems_is_used(
    cli_json: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert cli_json("profile", "show")["timezone"] == "Asia/Kolkata"
    logged = cli_json("log", "run", "5k", "27:30")["activity"]
    assert logged["end"] == "2026-11-20T12:00:00+05:30"


def test_a_zone_this_system_does_not_know_falls_back_to_the_systems(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("profile", "set", "--timezone", "Europe/Berlin").exit_code == 0
    conn = common.open_session().conn
    with conn:
        conn.execute("UPDATE profile SET timezone = 'Mars/Olympus_Mons'")
    common.close_sessions()
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    session = common.open_session()
    common.close_sessions()
    assert str(session.tz) == "Asia/Kolkata"
    assert session.now.utcoffset() == session.tz.utcoffset(session.now)
