"""What people read: whole output in a pipe, figures in each sport's terms, goal names that read
well, the weight hint once a day, and unsynced changes. (Tables on a narrow terminal: the tests of
``fittrack.cli.render`` under tests/cli/render/.)"""

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

LONG_NOTE = (
    "intervals on the track with the club, six by eight hundred metres, then a long cool down "
    "along the river with Anna"
)
LONG_NAME = "Get ready for the spring marathon by running a steady base every single week"


def _db(db_file: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_file)


# --- 1. piped output is whole ---------------------------------------------------------------


def test_piped_list_keeps_long_notes_whole_and_pads_nothing(cli: Invoke) -> None:
    assert cli("log", "run", "5k", "27:30", "--start", "2026-11-20 07:00").exit_code == 0
    logged = cli("log", "ride", "42km", "1h30m", "--start", "2026-11-21 09:00", "--note", LONG_NOTE)
    assert logged.exit_code == 0, logged.output
    result = cli("list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(LONG_NOTE in line for line in lines)  # on one line, not cut at 80 columns
    assert max(len(line) for line in lines) > 80
    assert all(line == line.rstrip() for line in lines), result.stdout
    assert lines[0].split() == [
        "id",
        "when",
        "type",
        "distance",
        "time",
        "pace/speed",
        "kcal",
        "note",
    ]


def test_piped_goal_list_keeps_long_names_whole_and_pads_nothing(cli: Invoke) -> None:
    assert cli("goal", "add", "20km", "--per", "week", "--name", LONG_NAME).exit_code == 0
    assert cli("goal", "add", "3x", "--per", "week").exit_code == 0
    result = cli("goal", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.endswith(LONG_NAME) for line in lines)
    assert all(line == line.rstrip() for line in lines), result.stdout
    for header in ("id", "target", "per", "type", "from", "state", "name"):
        assert header in lines[0].split()


def test_piped_summary_and_status_pad_nothing(cli: Invoke) -> None:
    assert cli("log", "swim", "1500m", "30:00", "--start", "2026-11-20 07:00").exit_code == 0
    assert cli("goal", "add", "20km", "--per", "week", "--name", LONG_NAME).exit_code == 0
    for args in (("summary", "--all"), ("status",), ("types",), ("progress",)):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert all(line == line.rstrip() for line in result.stdout.splitlines()), args


# --- 2. figures in the sport's own terms ----------------------------------------------------

FIGURE_CASES = [
    # type, quantities, units, distance shown, figure shown
    ("run", ("10k", "50:00"), "metric", "10.00 km", "5:00 /km"),
    ("run", ("10k", "50:00"), "imperial", "6.21 mi", "8:03 /mi"),
    ("walk", ("5k", "50:00"), "metric", "5.00 km", "10:00 /km"),
    ("hike", ("12k", "3h"), "imperial", "7.46 mi", "24:08 /mi"),
    ("ride", ("42km", "1h30m"), "metric", "42.00 km", "28.0 km/h"),
    ("ride", ("42km", "1h30m"), "imperial", "26.10 mi", "17.4 mph"),
    ("swim", ("1500m", "30:00"), "metric", "1500 m", "2:00 /100m"),
    ("swim", ("1500m", "30:00"), "imperial", "1640 yd", "1:50 /100yd"),
    ("row", ("5k", "21:00"), "metric", "5.00 km", "2:06 /500m"),
    ("row", ("5k", "21:00"), "imperial", "3.11 mi", "2:06 /500m"),
]


@pytest.mark.parametrize(("kind", "quantities", "units", "distance", "figure"), FIGURE_CASES)
def test_log_show_and_list_say_each_sport_in_its_terms(
    cli: Invoke,
    kind: str,
    quantities: tuple[str, str],
    units: str,
    distance: str,
    figure: str,
) -> None:
    assert cli("profile", "set", "--units", units, "--weight", "70kg").exit_code == 0
    logged = cli("log", kind, *quantities, "--start", "2026-11-20 07:00")
    assert logged.exit_code == 0, logged.output
    assert f"{distance} in " in logged.stdout
    assert f"({figure})" in logged.stdout
    prefix = logged.stdout.split("id ")[-1].strip()
    shown = cli("show", prefix)
    assert distance in shown.stdout
    assert figure in shown.stdout
    assert ("speed" if kind == "ride" else "pace") in shown.stdout.split()
    listed = cli("list")
    assert distance in listed.stdout
    assert figure in listed.stdout
    summary = cli("summary", "--all")
    assert distance in summary.stdout  # totals and the longest distance


def test_a_swim_stays_in_metres_or_yards_however_long(cli: Invoke) -> None:
    assert cli("log", "swim", "3.8km", "1h20m", "--start", "2026-11-20 07:00").exit_code == 0
    assert "3800 m" in cli("list").stdout
    summary = cli("summary", "--all").stdout
    assert "3800 m" in summary
    assert "3.80 km" not in summary
    assert cli("profile", "set", "--units", "imperial").exit_code == 0
    listed = cli("list").stdout
    assert "4156 yd" in listed
    assert " mi" not in listed


def test_summary_records_give_the_pace_of_the_fastest_runs(cli: Invoke) -> None:
    assert cli("log", "run", "10k", "50:00", "--start", "2026-11-20 07:00").exit_code == 0
    lines = cli("summary", "--all").stdout.splitlines()
    fastest = next(line for line in lines if line.startswith("fastest 5 km"))
    assert "25:00 (5:00 /km)" in fastest


def test_a_type_without_distance_shows_no_figure(cli: Invoke) -> None:
    logged = cli("log", "yoga", "45min", "--start", "2026-11-20 07:00")
    assert logged.exit_code == 0, logged.output
    assert "/km" not in logged.stdout and "(" not in logged.stdout.split("·")[1]
    listed = cli("list").stdout
    assert "pace/speed" not in listed  # no column of nothing


def test_a_custom_type_says_its_own_figure(cli: Invoke, db_file: Path) -> None:
    assert cli("types", "add", "skate", "--met", "7").exit_code == 0
    assert cli("log", "skate", "20km", "1h", "--start", "2026-11-20 07:00").exit_code == 0
    assert "3:00 /km" in cli("list").stdout  # pace, the default figure
    with _db(db_file) as conn:
        conn.execute("UPDATE activity_type SET figure = 'speed' WHERE slug = 'skate'")
    conn.close()
    listed = cli("list").stdout
    assert "20.0 km/h" in listed
    assert "/km" not in listed
    prefix = listed.splitlines()[1].split()[0]
    assert "20.0 km/h" in cli("show", prefix).stdout
    logged = cli("log", "skate", "10km", "30min", "--start", "2026-11-21 07:00")
    assert "(20.0 km/h)" in logged.stdout


# --- 3. goal names --------------------------------------------------------------------------

NAME_CASES = [
    (("20km", "--per", "week", "--type", "run"), "Run 20 km a week"),
    (("100mi", "--per", "month", "--type", "run"), "Run 100 mi a month"),
    (("1x", "--per", "day", "--type", "yoga"), "Yoga once a day"),
    (("3times", "--per", "week"), "3 workouts a week"),
    (("1x", "--per", "day"), "1 workout a day"),
    (("2x", "--per", "week", "--type", "swimming"), "Swim twice a week"),
    (("150min", "--per", "week"), "150 min a week"),
    (("3h", "--per", "week", "--type", "ride"), "Ride 3 h a week"),
    (("1h30m", "--per", "day"), "1 h 30 min a day"),
    (("2000m", "--per", "day", "--type", "swim"), "Swim 2000 m a day"),
    (("2000kcal", "--per", "month"), "2000 kcal a month"),
    (("half", "--per", "week", "--type", "run"), "Run 21.1 km a week"),
]


@pytest.mark.parametrize(("args", "name"), NAME_CASES)
def test_a_goal_without_a_name_is_named_in_the_unit_given(
    cli_json, args: tuple[str, ...], name: str
) -> None:
    goal = cli_json("goal", "add", *args)
    assert goal["name"] == name


def test_the_unit_given_wins_over_the_profiles(cli: Invoke, cli_json) -> None:
    assert cli("profile", "set", "--units", "imperial").exit_code == 0
    assert cli_json("goal", "add", "20km", "--per", "week")["name"] == "20 km a week"
    assert cli_json("goal", "add", "2:00:00", "--per", "week")["name"] == "2 h a week"


def test_a_generated_name_follows_an_edit_and_a_given_one_stays(cli_json) -> None:
    goal = cli_json("goal", "add", "100mi", "--per", "month", "--type", "run")
    edited = cli_json("goal", "edit", goal["id"][:8], "--target", "80mi")
    assert edited["name"] == "Run 80 mi a month"
    edited = cli_json("goal", "edit", goal["id"][:8], "--per", "year")
    assert edited["name"] == "Run 80 mi a year"
    own = cli_json("goal", "add", "20km", "--per", "week", "--name", "Base")
    assert cli_json("goal", "edit", own["id"][:8], "--target", "25km")["name"] == "Base"


@pytest.mark.fresh_home
def test_a_bad_target_names_nothing_and_writes_nothing(cli: Invoke, db_file: Path) -> None:
    result = cli("goal", "add", "20", "--per", "week")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: a target needs a unit")
    assert count_rows(db_file, "goal") == 0


# --- 3. the weight hint, once a day ---------------------------------------------------------

HINT = "Calories assume 70 kg"


def _hint_day(db_file: Path) -> str | None:
    with _db(db_file) as conn:
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'weight_hint_day'").fetchone()
    conn.close()
    return None if row is None else str(row[0])


def test_the_weight_hint_is_said_once_a_day(cli: Invoke, db_file: Path) -> None:
    first = cli("log", "run", "5k", "27:30", "--start", "2026-11-20 07:00")
    assert first.exit_code == 0
    assert HINT in first.stderr
    assert HINT not in first.stdout
    day = _hint_day(db_file)
    assert day is not None and date.fromisoformat(day)
    second = cli("log", "run", "5k", "27:30", "--start", "2026-11-21 07:00")
    assert second.exit_code == 0
    assert HINT not in second.stderr
    edited = cli("edit", second.stdout.split("id ")[-1].strip(), "--distance", "6k")
    assert edited.exit_code == 0, edited.output
    assert HINT not in edited.stderr
    # A new day: said again.
    with _db(db_file) as conn:
        conn.execute("UPDATE sync_state SET value = '2000-01-01' WHERE key = 'weight_hint_day'")
    conn.close()
    third = cli("log", "walk", "3k", "30:00", "--start", "2026-11-22 07:00")
    assert HINT in third.stderr
    assert _hint_day(db_file) == day


def test_the_weight_hint_is_never_said_with_json_and_json_does_not_use_up_the_day(
    cli: Invoke, db_file: Path
) -> None:
    result = cli("log", "run", "5k", "27:30", "--json")
    assert result.exit_code == 0
    json.loads(result.stdout)
    assert HINT not in result.stdout + result.stderr
    assert _hint_day(db_file) is None
    assert HINT in cli("log", "run", "5k", "27:30", "--start", "2026-11-20 07:00").stderr


def test_the_weight_hint_stops_once_a_weight_is_set(cli: Invoke, db_file: Path) -> None:
    assert cli("profile", "set", "--weight", "72kg").exit_code == 0
    result = cli("log", "run", "5k", "27:30")
    assert result.exit_code == 0
    assert HINT not in result.stderr
    assert _hint_day(db_file) is None


def test_a_refused_log_does_not_use_up_the_days_hint(cli: Invoke, db_file: Path) -> None:
    assert cli("log", "run", "5k", "27:30", "--start", "2026-11-20 07:00").exit_code == 0
    with _db(db_file) as conn:
        conn.execute("DELETE FROM sync_state WHERE key = 'weight_hint_day'")
    conn.close()
    refused = cli("log", "run", "5x", "27:30")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("Error: ")
    assert len(refused.stderr.splitlines()) == 1
    assert _hint_day(db_file) is None
    assert count_rows(db_file) == 1


# --- 3. unsynced changes in status ----------------------------------------------------------

UNSYNCED = "not yet synced — run `fittrack sync`"


def _configure_server(fittrack_home: Path) -> None:
    fittrack_home.mkdir(parents=True, exist_ok=True)
    (fittrack_home / "config.toml").write_text('server = "http://127.0.0.1:9"\ntoken = "x"\n')


def test_status_says_nothing_of_sync_without_a_server(cli: Invoke, cli_json) -> None:
    assert cli("log", "run", "5k", "27:30").exit_code == 0
    assert UNSYNCED not in cli("status").stdout
    assert cli_json("status")["unsynced"] is None


def test_status_counts_the_changes_a_sync_would_push(
    cli: Invoke, cli_json, fittrack_home: Path, db_file: Path
) -> None:
    _configure_server(fittrack_home)
    assert cli("log", "run", "5k", "27:30").exit_code == 0
    assert "1 change not yet synced — run `fittrack sync`." in cli("status").stdout
    assert cli("log", "ride", "20km", "1h").exit_code == 0
    assert cli("goal", "add", "20km", "--per", "week").exit_code == 0
    assert cli("profile", "set", "--weight", "72kg").exit_code == 0
    assert f"4 changes {UNSYNCED}" in cli("status").stdout
    doc = cli_json("status")
    assert doc["unsynced"] == 4
    assert list(doc)[:2] == ["date", "last_sync"]  # the documented keys stay
    assert {"goals", "summary"} <= set(doc)
    # What a sync does to pushed rows: they no longer count.
    with _db(db_file) as conn:
        for table in ("activity", "goal", "profile"):
            conn.execute(f"UPDATE {table} SET change_seq = 0")
    conn.close()
    assert UNSYNCED not in cli("status").stdout
    assert cli_json("status")["unsynced"] == 0
    # A deletion is a change too.
    prefix = cli_json("list")[0]["id"][:8]
    assert cli("delete", prefix, "--yes").exit_code == 0
    assert f"1 change {UNSYNCED}" in cli("status").stdout


def test_status_with_a_broken_config_still_answers(
    cli: Invoke, cli_json, fittrack_home: Path
) -> None:
    fittrack_home.mkdir(parents=True, exist_ok=True)
    (fittrack_home / "config.toml").write_text("server = [unclosed\n")
    assert cli("log", "run", "5k", "27:30").exit_code == 0
    result = cli("status")
    assert result.exit_code == 0, result.output
    assert UNSYNCED not in result.stdout
    assert cli_json("status")["unsynced"] is None
