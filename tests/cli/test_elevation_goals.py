"""Elevation goals: metres climbed, from the tracks of the activities in each period."""

import sqlite3
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows
from tests.storage.track_files import DATA

from fittrack.core.goals import format_amount, parse_target, target_unit
from fittrack.errors import UsageError
from fittrack.storage import db
from fittrack.storage.aggregates import period_total_sql

GPX = DATA / "gpx"
KORITA = GPX / "gpxpy__korita-zbevnica.gpx"  # a run on Sunday 3 October 2010, 871 points
SHORT = GPX / "gpxgo__file.gpx"  # a walk on 17 March 2012, ascent 5.863 m

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = [
    pytest.mark.migrated_home,
    pytest.mark.skipif(not KORITA.exists(), reason="the shared GPX files are not here"),
]


# --- reading a target -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("2000m", 2000.0),
        ("500m", 500.0),
        ("1.5km", 1500.0),
        ("6500ft", 1981.2),
        ("2,000 m", 2000.0),
    ],
)
def test_an_elevation_target_is_a_height(text: str, metres: float) -> None:
    assert parse_target(text, "elevation") == ("elevation", pytest.approx(metres))


def test_without_a_metric_2000m_stays_a_distance_and_a_metric_settles_nm() -> None:
    assert parse_target("2000m") == ("distance", 2000.0)
    assert parse_target("800m", "distance") == ("distance", 800.0)
    assert parse_target("800m", "duration") == ("duration", 48000.0)
    with pytest.raises(UsageError, match="could be minutes or metres"):
        parse_target("800m")


@pytest.mark.parametrize(
    ("text", "metric", "message"),
    [
        ("3h", "elevation", "an elevation target is like 2000m"),
        ("3times", "elevation", "an elevation target"),
        ("2000kcal", "elevation", "an elevation target"),
        ("0m", "elevation", "more than zero"),
        ("-200m", "elevation", "more than zero"),
        ("20000km", "elevation", "over 10000000 m"),
        ("2000m", "count", "a count target is like 3times"),
        ("2000m", "speed", "one of distance, duration, count, calories, elevation"),
    ],
)
def test_a_target_of_the_wrong_kind_is_refused(text: str, metric: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_target(text, metric)


def test_elevation_is_shown_in_whole_metres_or_feet() -> None:
    assert format_amount("elevation", 1240.4, "metric") == "1,240 m"
    assert format_amount("elevation", 1981.2, "imperial") == "6,500 ft"
    assert target_unit("6500ft", "elevation") == "ft"
    assert target_unit("2000m", "elevation") == "m"


# --- through the CLI, on imported GPX tracks ---------------------------------------------------


def _gain(db_file: Path) -> float:
    conn = sqlite3.connect(db_file)
    try:
        (gain,) = conn.execute(
            "SELECT elevation_gain_m FROM activity_track JOIN activity ON activity.id = "
            "activity_track.activity_id WHERE activity.start_at < '2011-01-01'"
        ).fetchone()
    finally:
        conn.close()
    return float(gain)


@pytest.fixture
def climbs(cli: Invoke, db_file: Path) -> float:
    """The two GPX files imported (as runs, in UTC); the October 2010 run's elevation gain."""
    assert cli("profile", "set", "--timezone", "UTC").exit_code == 0
    result = cli("import", str(KORITA), str(SHORT), "--type", "run")
    assert result.exit_code == 0, result.stderr
    gain = _gain(db_file)
    assert 100 < gain < 2000  # a hilly 15 km, smoothed
    return gain


def test_an_elevation_goal_counts_the_tracks_of_its_period(
    cli: Invoke, cli_json, climbs: float
) -> None:
    goal = cli_json(
        "goal", "add", "2000m", "--per", "month", "--type", "run", "--metric", "elevation",
        "--start", "2010-10-01",
    )  # fmt: skip
    assert (goal["metric"], goal["target"]) == ("elevation", 2000.0)
    assert goal["name"] == "Run 2000 m climbed a month"
    status = cli_json("status", "--date", "2010-10-05")
    (progress,) = status["goals"]
    assert progress["current"] == pytest.approx(climbs, abs=0.01)
    assert progress["goal"]["metric"] == "elevation"
    # An activity without a track adds nothing to an elevation goal.
    assert cli("log", "run", "5k", "30:00", "--start", "2010-10-04 07:00").exit_code == 0
    again = cli_json("status", "--date", "2010-10-05")["goals"][0]
    assert again["current"] == pytest.approx(climbs, abs=0.01)
    shown = cli("status", "--date", "2010-10-05")
    assert f"{round(climbs):,} m / 2,000 m climbed" in shown.stdout
    history = cli_json("progress", goal["id"], "--date", "2010-11-05", "--periods", "2")
    periods = history["goals"][0]["periods"]
    assert [p["current"] for p in periods] == [pytest.approx(climbs, abs=0.01), 0.0]


def test_the_short_walk_counts_in_its_own_month(cli_json, climbs: float) -> None:
    cli_json(
        "goal", "add", "5m", "--per", "month", "--metric", "elevation", "--start", "2012-03-01"
    )
    (progress,) = cli_json("status", "--date", "2012-03-20")["goals"]
    assert progress["current"] == pytest.approx(5.863, abs=1.0)  # the manifest's ascent
    assert progress["status"] == "success"


def test_editing_a_climbing_goals_target_keeps_it_a_height(cli: Invoke, cli_json) -> None:
    goal = cli_json("goal", "add", "2000m", "--per", "month", "--metric", "elevation")
    edited = cli_json("goal", "edit", goal["id"][:8], "--target", "800m")
    assert (edited["metric"], edited["target"]) == ("elevation", 800.0)
    assert edited["name"] == "800 m climbed a month"
    back = cli_json("goal", "edit", goal["id"][:8], "--target", "3h")
    assert back["metric"] == "duration"


@pytest.mark.fresh_home
@pytest.mark.parametrize(
    "args",
    [
        ["3h", "--per", "week", "--metric", "elevation"],
        ["2000m", "--per", "week", "--metric", "height"],
        ["3times", "--per", "week", "--metric", "elevation"],
    ],
)
def test_a_target_the_metric_cannot_be_is_refused_in_one_line(
    cli: Invoke, db_file: Path, args: list[str]
) -> None:
    result = cli("goal", "add", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert count_rows(db_file, "goal") == 0


def test_without_a_metric_2000m_is_a_distance_goal(cli_json) -> None:
    goal = cli_json("goal", "add", "2000m", "--per", "month")
    assert goal["metric"] == "distance"


@pytest.mark.parametrize("typed", [False, True])
@pytest.mark.parametrize("owned", [False, True])
def test_the_elevation_total_is_one_index_range(db_file: Path, typed: bool, owned: bool) -> None:
    conn = db.connect(db_file)
    params = {
        "start": "2026-11-23 00:00:00.000000",
        "end": "2026-11-30 00:00:00.000000",
        "type": "run",
        "owner": "someone",
    }
    sql = period_total_sql("elevation", typed=typed, owned=owned)
    plan = " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    if owned:
        index = "ix_activity_owner_start_at"
    else:
        index = "ix_activity_type_start_at" if typed else "ix_activity_start_at"
    assert f"SEARCH activity USING INDEX {index}" in plan, plan
    assert "start_at>? AND start_at<?" in plan, plan
    # Each activity's track is one primary-key lookup, never a scan of the tracks.
    assert "SEARCH activity_track USING INDEX sqlite_autoindex_activity_track_1" in plan, plan
    assert "SCAN" not in plan, plan
