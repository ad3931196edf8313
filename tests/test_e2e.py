"""A few paths through real processes, as a person runs them."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest


def run(home: Path, *args: str, script: bool = False) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("fittrack", path=str(Path(sys.executable).parent))
    cmd = [exe] if script and exe else [sys.executable, "-m", "fittrack"]
    env = {**os.environ, "FITTRACK_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, check=False)


def test_readme_main_job_through_the_console_script(fittrack_home: Path) -> None:
    if not shutil.which("fittrack", path=str(Path(sys.executable).parent)):
        pytest.skip("the fittrack console script is not installed next to this Python")
    logged = run(fittrack_home, "log", "run", "5k", "27:30", script=True)
    assert logged.returncode == 0, logged.stderr
    assert "Logged run" in logged.stdout
    status = run(fittrack_home, "status", script=True)
    assert status.returncode == 0, status.stderr
    assert "No goals yet" in status.stdout
    now = datetime.now().astimezone()
    started_last_week = now.weekday() == 0 and now - timedelta(minutes=28) < now.replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    if not started_last_week:  # a run that ended just now started this week, except at 00:xx Mon
        assert "5.00 km" in status.stdout
    assert "\x1b[" not in status.stdout  # NO_COLOR and a pipe: plain text


def test_log_list_show_delete_round_trip(fittrack_home: Path) -> None:
    activity = json.loads(run(fittrack_home, "log", "swim", "1500m", "32:00", "--json").stdout)[
        "activity"
    ]
    listed = json.loads(run(fittrack_home, "list", "--json").stdout)
    assert [a["id"] for a in listed] == [activity["id"]]
    shown = json.loads(run(fittrack_home, "show", activity["id"][:5], "--json").stdout)
    assert shown == activity | {"track": None}
    assert run(fittrack_home, "delete", activity["id"][:5], "--yes").returncode == 0
    assert json.loads(run(fittrack_home, "list", "--json").stdout) == []


def test_a_user_mistake_is_one_line_without_traceback(fittrack_home: Path) -> None:
    result = run(fittrack_home, "log", "rnu", "5k", "27:30")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "Error: unknown activity type 'rnu' — did you mean 'run'?\n"


def test_delete_without_a_terminal_and_without_yes_deletes_nothing(fittrack_home: Path) -> None:
    activity = json.loads(run(fittrack_home, "log", "run", "5k", "27:30", "--json").stdout)
    result = run(fittrack_home, "delete", activity["activity"]["id"])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(json.loads(run(fittrack_home, "list", "--json").stdout)) == 1


def test_python_dash_m_version(fittrack_home: Path) -> None:
    result = run(fittrack_home, "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("fittrack ")
