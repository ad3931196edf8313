"""``profile``, ``types``, ``status`` and the app's own flags."""

from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

from fittrack import __version__

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home


def test_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"fittrack {__version__}"


def test_profile_defaults_then_set(cli: Invoke, cli_json) -> None:
    shown = cli_json("profile", "show")
    assert shown["weight_kg"] is None
    assert (shown["units"], shown["week_start"]) == ("metric", "monday")
    result = cli(
        "profile",
        "set",
        "--weight",
        "160lb",
        "--timezone",
        "europe/berlin",
        "--units",
        "imperial",
        "--week-start",
        "Sunday",
    )
    assert result.exit_code == 0, result.output
    shown = cli_json("profile", "show")
    assert shown["weight_kg"] == pytest.approx(72.57, abs=0.01)
    assert (shown["timezone"], shown["units"], shown["week_start"]) == (
        "Europe/Berlin",
        "imperial",
        "sunday",
    )
    # Only what is given changes.
    assert cli("profile", "set", "--units", "metric").exit_code == 0
    assert cli_json("profile", "show")["timezone"] == "Europe/Berlin"


def test_imperial_display(cli: Invoke) -> None:
    cli("profile", "set", "--units", "imperial")
    result = cli("log", "run", "5k", "27:30")
    assert "3.11 mi" in result.stdout
    assert "/mi" in result.stdout
    assert "3.11 mi" in cli("list").stdout


@pytest.mark.fresh_home
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timezone", "Europe/Berln"], "did you mean 'Europe/Berlin'"),
        (["--weight", "72"], "72"),
        (["--weight", "-72kg"], "-72kg"),
        (["--units", "furlongs"], "furlongs"),
        (["--week-start", "friday"], "friday"),
        ([], "nothing to set"),
    ],
)
def test_profile_refuses_bad_values_and_writes_nothing(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("profile", "set", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert count_rows(db_file, "profile") == 0


def test_types_list_and_add(cli: Invoke, cli_json) -> None:
    slugs = {t["slug"] for t in cli_json("types", "list")}
    assert {
        "run",
        "walk",
        "hike",
        "ride",
        "swim",
        "row",
        "elliptical",
        "strength",
        "yoga",
        "hiit",
    } <= slugs
    assert "run" in cli("types", "list").stdout
    added = cli("types", "add", "Climbing", "--met", "5.8", "--alias", "bouldering")
    assert added.exit_code == 0, added.output
    climbing = next(t for t in cli_json("types", "list") if t["slug"] == "climbing")
    assert (climbing["met"], climbing["aliases"], climbing["builtin"]) == (
        5.8,
        ["bouldering"],
        False,
    )
    logged = cli_json("log", "bouldering", "1h")["activity"]
    assert logged["type"] == "climbing"
    assert logged["calories_kcal"] == pytest.approx(5.8 * 70, abs=0.1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["running", "--met", "9"], "running"),
        (["padel", "--met", "0.2"], "MET"),
        (["padel", "--met", "40"], "MET"),
        (["Bad Name!", "--met", "5"], "'bad name!' is not allowed"),
        (["padel", "--met", "5", "--alias", "bike"], "bike"),
    ],
)
def test_types_add_refuses_bad_input(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("types", "add", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert count_rows(db_file, "activity_type") == 0


def test_status_without_goals_shows_the_week(cli: Invoke, cli_json) -> None:
    cli("log", "run", "5k", "27:30", "--start", "2025-11-25 07:00")
    cli("log", "run", "10k", "55:00", "--start", "2025-11-27 07:00")
    cli("log", "ride", "20k", "45:00", "--start", "2025-11-30 07:00")
    cli("log", "ride", "20k", "45:00", "--start", "2025-12-01 07:00")  # the next week
    doc = cli_json("status", "--date", "2025-11-27")
    assert doc["date"] == "2025-11-27"
    assert doc["goals"] == []
    summary = doc["summary"]
    assert (summary["period_start"], summary["period_end"]) == ("2025-11-24", "2025-11-30")
    by_type = {t["type"]: t for t in summary["types"]}
    assert by_type["run"]["count"] == 2
    assert by_type["run"]["distance_m"] == 15000
    assert "ride" not in by_type  # Sunday's ride comes after the end of --date's day
    sunday = cli_json("status", "--date", "2025-11-30")["summary"]["types"]
    assert {t["type"]: t["count"] for t in sunday} == {"run": 2, "ride": 1}
    human = cli("status", "--date", "2025-11-27")
    assert "No goals yet" in human.stdout
    assert "15.00 km" in human.stdout


def test_status_week_can_start_on_sunday(cli: Invoke, cli_json) -> None:
    cli("profile", "set", "--week-start", "sunday")
    summary = cli_json("status", "--date", "2025-11-27")["summary"]
    assert (summary["period_start"], summary["period_end"]) == ("2025-11-23", "2025-11-29")


def test_status_refuses_a_bad_date(cli: Invoke) -> None:
    result = cli("status", "--date", "2026-02-30")
    assert result.exit_code == 2
    assert "2026-02-30" in result.stderr


@pytest.mark.fresh_home
def test_corrupt_database_is_named_and_left_alone(cli: Invoke, db_file: Path) -> None:
    db_file.parent.mkdir(parents=True)
    db_file.write_bytes(b"garbage" * 100)
    result = cli("list")
    assert result.exit_code == 1
    assert str(db_file) in result.stderr
    assert "Traceback" not in result.output
    assert db_file.read_bytes() == b"garbage" * 100


def test_status_names_the_week_it_shows(cli: Invoke) -> None:
    today = cli("status")
    assert today.exit_code == 0
    assert "This week (" in today.stdout
    assert "nothing logged yet. Try: fittrack log run 5k 27:30" in today.stdout
    assert cli("log", "run", "5k", "27:30", "--start", "2019-02-20 07:00").exit_code == 0
    past = cli("status", "--date", "2019-02-20")
    assert "The week of Mon 18 Feb – Sun 24 Feb 2019" in past.stdout
    assert "This week" not in past.stdout
    assert "5.00 km" in past.stdout
    empty = cli("status", "--date", "2019-03-20")
    assert "The week of Mon 18 Mar – Sun 24 Mar 2019: nothing logged\n" in empty.stdout
    assert "Try:" not in empty.stdout  # a week gone by is not where to start logging
