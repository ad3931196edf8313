"""Goals, status, progress and summary through the CLI, at fixed --dates."""

import json
import sqlite3
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

GOAL_KEYS = [
    "id",
    "name",
    "period",
    "metric",
    "target",
    "activity_type",
    "start_date",
    "end_date",
    "paused",
    "created_at",
    "updated_at",
]
PROGRESS_KEYS = [
    "goal",
    "period_start",
    "period_end",
    "current",
    "target",
    "percent",
    "expected",
    "remaining",
    "needed_per_day",
    "days_left",
    "status",
]


@pytest.fixture
def weekly_run(cli_json) -> dict:
    """20 km of running a week, from Monday 2 November 2026."""
    return cli_json(
        "goal", "add", "20km", "--per", "week", "--type", "running", "--start", "2025-11-03"
    )


def log(cli_json, *args: str) -> dict:
    return cli_json("log", *args)


def test_goal_add_json_shape_and_units(cli_json, weekly_run: dict) -> None:
    assert list(weekly_run) == GOAL_KEYS
    assert (weekly_run["period"], weekly_run["metric"], weekly_run["target"]) == (
        "week",
        "distance",
        20000,
    )
    assert weekly_run["activity_type"] == "run"
    assert weekly_run["start_date"] == "2025-11-03"
    assert weekly_run["end_date"] is None
    assert weekly_run["paused"] is False
    assert weekly_run["name"]
    cases = {
        "150min": ("duration", 9000),
        "3h": ("duration", 10800),
        "3times": ("count", 3),
        "3x": ("count", 3),
        "2000kcal": ("calories", 2000),
        "10mi": ("distance", pytest.approx(16093.44)),
    }
    for target, (metric, amount) in cases.items():
        goal = cli_json("goal", "add", target, "--per", "month")
        assert (goal["metric"], goal["target"]) == (metric, amount), target
        assert goal["activity_type"] is None


@pytest.mark.fresh_home
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["20", "--per", "week"], 2, "unit"),
        (["20km", "--per", "fortnight"], 2, "fortnight"),
        (["-5km", "--per", "week"], 2, "-5km"),
        (["0km", "--per", "week"], 2, "0km"),
        (["20km", "--per", "week", "--type", "rnu"], 2, "did you mean 'run'"),
        (["20km", "--per", "week", "--start", "2025-11-11", "--end", "2025-11-02"], 2, "before"),
        (["20km", "--per", "week", "--start", "2026-02-30"], 2, "2026-02-30"),
        (["20km"], 2, "--per"),
    ],
)
def test_goal_add_refuses_bad_input_and_writes_nothing(
    cli: Invoke, db_file: Path, args: list[str], code: int, message: str
) -> None:
    result = cli("goal", "add", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert count_rows(db_file, "goal") == 0


@pytest.mark.parametrize("command", ["edit", "pause", "resume", "delete"])
def test_unknown_goal_id_is_not_found(cli: Invoke, weekly_run: dict, command: str) -> None:
    extra = ["--name", "x"] if command == "edit" else ["--yes"] if command == "delete" else []
    result = cli("goal", command, "ffffffff", *extra)
    assert result.exit_code == 1
    assert "no goal" in result.stderr


def test_goal_list_edit_pause_resume_delete(cli: Invoke, cli_json, weekly_run: dict) -> None:
    ended = cli_json(
        "goal", "add", "3x", "--per", "week", "--start", "2025-01-06", "--end", "2025-02-02"
    )
    assert [g["id"] for g in cli_json("goal", "list")] == [weekly_run["id"]]
    assert [g["id"] for g in cli_json("goal", "list", "--all")] == [weekly_run["id"], ended["id"]]
    edited = cli_json("goal", "edit", weekly_run["id"][:6], "--target", "25km")
    assert edited["target"] == 25000
    assert "25" in edited["name"]  # a generated name follows the change
    assert edited["updated_at"] > weekly_run["updated_at"]
    assert cli_json("goal", "pause", weekly_run["id"])["paused"] is True
    assert cli_json("goal", "resume", weekly_run["id"])["paused"] is False
    bad = cli("goal", "edit", weekly_run["id"], "--target", "lots")
    assert bad.exit_code == 2
    assert cli_json("goal", "list")[0]["target"] == 25000
    assert cli("goal", "delete", weekly_run["id"], "--yes").exit_code == 0
    assert cli_json("goal", "list") == []
    assert cli("goal", "edit", weekly_run["id"], "--name", "x").exit_code == 1


def test_status_on_track_with_expected_days_left_and_needed(
    cli: Invoke, cli_json, weekly_run: dict
) -> None:
    log(cli_json, "run", "5k", "25:00", "--start", "2025-11-24 07:00")
    log(cli_json, "run", "5k", "25:00", "--start", "2025-11-25 07:00")
    log(cli_json, "ride", "40k", "1h30m", "--start", "2025-11-25 17:00")  # not a run
    doc = cli_json("status", "--date", "2025-11-26")
    assert doc["date"] == "2025-11-26"
    (p,) = doc["goals"]
    assert list(p) == PROGRESS_KEYS
    assert p["goal"]["id"] == weekly_run["id"]
    assert (p["period_start"], p["period_end"]) == ("2025-11-24", "2025-11-30")
    assert p["current"] == 10000
    assert p["expected"] == pytest.approx(20000 * 3 / 7, abs=0.01)
    assert p["remaining"] == 10000
    assert p["days_left"] == 4
    assert p["needed_per_day"] == 2500
    assert p["percent"] == 50
    assert p["status"] == "on_track"
    human = cli("status", "--date", "2025-11-26")
    assert "on track" in human.stdout
    assert "2.50 km a day for the 4 days left" in human.stdout
    assert "│" in human.stdout  # the pace marker


def test_status_new_behind_success_across_a_week(cli_json, weekly_run: dict) -> None:
    def state(day: str) -> str:
        return cli_json("status", "--date", day)["goals"][0]["status"]

    assert state("2025-11-24") == "new"
    log(cli_json, "run", "3k", "15:00", "--start", "2025-11-25 07:00")
    assert state("2025-11-26") == "behind"
    log(cli_json, "run", "18k", "1h40m", "--start", "2025-11-27 07:00")
    assert state("2025-11-27") == "success"
    assert state("2025-11-30") == "success"


def test_status_without_goals_says_so(cli: Invoke) -> None:
    result = cli("status")
    assert "No goals yet" in result.stdout
    assert "fittrack goal add" in result.stdout


def test_log_reports_the_goal_it_completes(cli: Invoke, cli_json, weekly_run: dict) -> None:
    first = log(cli_json, "run", "15k", "1h20m", "--start", "2025-11-24 07:00")
    assert first["completed_goals"] == []
    second = log(cli_json, "run", "6k", "30:00", "--start", "2025-11-26 07:00")
    assert [g["id"] for g in second["completed_goals"]] == [weekly_run["id"]]
    third = cli("log", "run", "5k", "25:00", "--start", "2025-11-27 07:00")
    assert "Goal reached" not in third.stdout  # already reached: no second cheer
    other_week = cli("log", "run", "21k", "2h", "--start", "2025-12-01 07:00")
    assert "Goal reached" in other_week.stdout


def test_progress_history_and_streaks(
    cli: Invoke, cli_json, weekly_run: dict, db_file: Path
) -> None:
    for day, km in [("2025-11-03", 21), ("2025-11-10", 5), ("2025-11-17", 20), ("2025-11-24", 22)]:
        log(cli_json, "run", f"{km}k", f"{km * 6}min", "--start", f"{day} 07:00")
    doc = cli_json("progress", "--date", "2025-11-26")
    (entry,) = doc["goals"]
    assert entry["goal"]["id"] == weekly_run["id"]
    assert [(p["period_start"], p["status"]) for p in entry["periods"]] == [
        ("2025-11-03", "success"),
        ("2025-11-10", "due"),
        ("2025-11-17", "success"),
        ("2025-11-24", "success"),
    ]
    assert list(entry["periods"][0]) == [
        "period_start",
        "period_end",
        "current",
        "target",
        "status",
    ]
    assert (entry["current_streak"], entry["longest_streak"]) == (2, 2)
    # The goal was paused the week it fell short: that week neither breaks nor extends the streak.
    conn = sqlite3.connect(db_file)
    conn.execute(
        "UPDATE goal SET pauses = ? WHERE id = ?",
        (json.dumps([["2025-11-10", "2025-11-16"]]), weekly_run["id"]),
    )
    conn.commit()
    entry = cli_json("progress", weekly_run["id"][:6], "--date", "2025-11-26")["goals"][0]
    assert entry["periods"][1]["status"] == "paused"
    assert (entry["current_streak"], entry["longest_streak"]) == (3, 3)
    shown = cli_json("progress", "--date", "2025-11-26", "--periods", "2")["goals"][0]
    assert [p["period_start"] for p in shown["periods"]] == ["2025-11-17", "2025-11-24"]
    chart = cli("progress", "--date", "2025-11-26", "--chart")
    assert chart.exit_code == 0
    assert "█" in chart.stdout
    table = cli("progress", "--date", "2025-11-26")
    assert "missed" not in table.stdout and "paused" in table.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [(["ffffffff"], 1), (["--periods", "0"], 2), (["--date", "soon"], 2), (["abc"], 2)],
)
def test_progress_refuses_bad_input(
    cli: Invoke, weekly_run: dict, args: list[str], code: int
) -> None:
    result = cli("progress", *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def test_summary_totals_records_and_best_week(cli: Invoke, cli_json) -> None:
    log(cli_json, "run", "5k", "25:00", "--start", "2025-11-04 07:00")
    log(cli_json, "run", "10k", "55:00", "--start", "2025-11-06 07:00")
    log(cli_json, "run", "21.1k", "1h50m", "--start", "2025-11-13 07:00")
    log(cli_json, "ride", "60k", "2h", "--start", "2025-11-15 09:00")
    log(cli_json, "run", "5k", "20:00", "--start", "2025-10-31 07:00")  # the month before
    doc = cli_json("summary", "--month", "--date", "2025-11-26")
    assert (doc["period_start"], doc["period_end"]) == ("2025-11-01", "2025-11-30")
    totals = {t["type"]: t for t in doc["types"]}
    assert totals["run"]["count"] == 3
    assert totals["run"]["distance_m"] == pytest.approx(36100)
    records = {(r["record"], r["type"]): r for r in doc["records"]}
    assert records[("longest distance", "run")]["value"] == 21100
    assert records[("longest time", "ride")]["value"] == 7200
    # 5 km at 5:00 /km is the best pace among runs of at least 5 km in November.
    assert records[("fastest 5 km", "run")]["value"] == 1500
    assert records[("fastest half marathon", "run")]["value"] == pytest.approx(
        6600 / 21100 * 21097.5, abs=0.1
    )
    assert ("fastest marathon", "run") not in records
    assert doc["most_active_week"]["week_start"] == "2025-11-10"
    year = cli_json("summary", "--year", "--date", "2025-11-26")
    assert {t["type"]: t["count"] for t in year["types"]}["run"] == 4
    assert "Records" in cli("summary", "--date", "2025-11-26").stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--week", "--month"],
        ["--to", "2025-11-02"],
        ["--from", "2025-11-11", "--to", "2025-11-02"],
        ["--from", "nonsense"],
    ],
)
def test_summary_refuses_bad_input(cli: Invoke, args: list[str]) -> None:
    result = cli("summary", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error:")
