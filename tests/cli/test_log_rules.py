"""What ``log`` and ``edit`` accept and store: calories kept on edits that do not touch them, the
end of an activity logged without a start, no future, no doubles, no impossible speeds, and
messages that name the slip."""

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

START = "2026-11-16 07:00"


def _rows(db_file: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_file)
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def _local(delta: timedelta) -> str:
    """A moment ``delta`` from now, as a person types it (local time, to the minute)."""
    return (datetime.now().astimezone() + delta).strftime("%Y-%m-%d %H:%M")


# --- 1. an edit estimates calories again only when what they depend on changes -----------------


@pytest.mark.parametrize(
    ("args", "estimated_again"),
    [
        (["--note", "tempo"], False),
        (["--start", "2026-11-16 08:00"], False),
        (["--end", "2026-11-16 07:40"], True),  # the moving time follows the end: 40 min
        (["6k"], True),
        (["--distance", "6km"], True),
        (["30:00"], True),
        (["--type", "hike"], True),
    ],
)
def test_edit_estimates_calories_again_only_for_type_distance_or_time(
    cli: Invoke, cli_json, args: list[str], estimated_again: bool
) -> None:
    run = cli_json("log", "run", "5k", "27:30", "--start", START)["activity"]
    # A weight set after logging: an estimate made now would differ from the stored one.
    assert cli("profile", "set", "--weight", "90kg").exit_code == 0
    edited = cli_json("edit", run["id"], *args)["activity"]
    assert edited["calories_estimated"] is True
    if estimated_again:
        assert edited["calories_kcal"] != run["calories_kcal"]
    else:
        assert (edited["calories_kcal"], edited["workload"]) == (
            run["calories_kcal"],
            run["workload"],
        )


def test_edit_with_calories_given_uses_them_whatever_else(cli_json) -> None:
    run = cli_json("log", "run", "5k", "27:30", "--start", START)["activity"]
    edited = cli_json("edit", run["id"], "--note", "x", "--calories", "400")["activity"]
    assert (edited["calories_kcal"], edited["calories_estimated"]) == (400, False)


def test_edit_of_a_note_does_not_repeat_the_weight_hint(cli: Invoke, cli_json) -> None:
    run = cli_json("log", "run", "5k", "27:30", "--start", START)["activity"]
    assert "Calories assume 70 kg" in cli("edit", run["id"], "6k").stderr
    assert "Calories assume" not in cli("edit", run["id"], "--note", "x").stderr


# --- 2. fixing the duration of an activity logged without a start keeps its end -----------------


def test_duration_fix_of_an_activity_logged_without_start_keeps_its_end(cli_json) -> None:
    run = cli_json("log", "run", "5k", "25:00")["activity"]
    edited = cli_json("edit", run["id"][:8], "30:00")["activity"]
    assert edited["end"] == run["end"]
    start, end = datetime.fromisoformat(edited["start"]), datetime.fromisoformat(edited["end"])
    assert end - start == timedelta(minutes=30)
    assert edited["duration_s"] == 1800
    # Still recognised after the first fix: a second one keeps the same end.
    again = cli_json("edit", run["id"][:8], "--duration", "20:00")["activity"]
    assert again["end"] == run["end"]
    assert datetime.fromisoformat(again["start"]) == end - timedelta(minutes=20)


def test_duration_fix_of_an_activity_with_a_start_keeps_its_start(cli_json) -> None:
    run = cli_json("log", "run", "5k", "25:00", "--start", START)["activity"]
    edited = cli_json("edit", run["id"], "30:00")["activity"]
    assert edited["start"] == run["start"]
    assert edited["end"].startswith("2026-11-16T07:30:00")


def test_an_activity_moved_by_a_new_start_no_longer_keeps_its_end(cli_json) -> None:
    run = cli_json("log", "run", "5k", "25:00")["activity"]
    moved = cli_json("edit", run["id"], "--start", START)["activity"]
    edited = cli_json("edit", run["id"], "30:00")["activity"]
    assert edited["start"] == moved["start"]
    assert edited["end"].startswith("2026-11-16T07:30:00")


# --- 3. nothing in the future -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "which"),
    [
        (["5k", "25:00", "--start", "now"], "end"),
        (["5k", "30s", "--start", "now"], "end"),  # no slack: 30 s ahead is ahead
        (["5k", "25:00", "--start", "-10m"], "end"),
        (["5k", "--end", "+1h"], None),  # not a form of WHEN at all: refused as unreadable
        (["5k", "25:00", "--end", "FUTURE"], "start"),  # 25 min before two hours ahead
        (["5k", "25:00", "--end", "SOON"], "end"),
        (["5k", "25:00", "--start", "FUTURE"], "start"),
    ],
)
def test_log_refuses_a_start_or_end_in_the_future(
    cli: Invoke, db_file: Path, args: list[str], which: str | None
) -> None:
    moments = {"FUTURE": _local(timedelta(hours=2)), "SOON": _local(timedelta(minutes=10))}
    args = [moments.get(a, a) for a in args]
    result = cli("log", "run", *args)
    assert result.exit_code == 2, result.output
    if which is not None:
        assert f"that would {which} in the future" in result.stderr
    assert "Traceback" not in result.output
    assert count_rows(db_file) == 0


@pytest.mark.parametrize(
    ("args", "which"),
    [
        (["--start", "FUTURE"], "start"),
        (["--end", "FUTURE"], "end"),
        (["1:00:00"], "end"),  # started 30 min ago: an hour long would end in half an hour
    ],
)
def test_edit_refuses_a_start_or_end_in_the_future(
    cli: Invoke, cli_json, args: list[str], which: str
) -> None:
    run = cli_json("log", "run", "5k", "25:00", "--start", _local(-timedelta(minutes=30)))
    run = run["activity"]
    args = [_local(timedelta(hours=2)) if a == "FUTURE" else a for a in args]
    result = cli("edit", run["id"], *args)
    assert result.exit_code == 2, result.output
    assert f"that would {which} in the future" in result.stderr
    assert cli_json("show", run["id"]) == run | {"track": None}


# --- 4. no accidental doubles --------------------------------------------------------------------


def test_log_refuses_a_double_and_names_the_first(cli: Invoke, cli_json, db_file: Path) -> None:
    first = cli_json("log", "run", "5k", "25:00")["activity"]
    again = cli("log", "run", "5k", "25:00")
    assert again.exit_code == 2, again.output
    assert first["id"][:8] in again.stderr
    assert "--force" in again.stderr
    assert again.stderr.count("\n") == 1
    assert count_rows(db_file) == 1
    forced = cli("log", "run", "5k", "25:00", "--force")
    assert forced.exit_code == 0, forced.output
    assert count_rows(db_file) == 2


@pytest.mark.parametrize(
    ("second", "refused"),
    [
        (["run", "--start", "2026-11-20T07:00:59"], True),
        (["run", "--start", "2026-11-20T06:59:00"], True),
        (["run", "--start", "2026-11-20T07:01:01"], False),
        (["run", "--start", "2026-11-20T06:58:59"], False),
        (["ride", "--start", "2026-11-20T07:00"], False),  # another type
        (["running", "--start", "2026-11-20T07:00"], True),  # an alias is the same type
    ],
)
def test_a_double_is_the_same_type_within_a_minute(
    cli: Invoke, cli_json, db_file: Path, second: list[str], refused: bool
) -> None:
    cli_json("log", "run", "5k", "25:00", "--start", "2026-11-20T07:00")
    result = cli("log", second[0], "5k", "25:00", *second[1:])
    assert result.exit_code == (2 if refused else 0), result.output
    assert count_rows(db_file) == (1 if refused else 2)


def test_a_deleted_activity_is_no_double(cli: Invoke, cli_json, db_file: Path) -> None:
    first = cli_json("log", "run", "5k", "25:00", "--start", START)["activity"]
    assert cli("delete", first["id"], "--yes").exit_code == 0
    assert cli("log", "run", "5k", "25:00", "--start", START).exit_code == 0


# --- 5. no impossible workouts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "12k", "1:05"],
            "12.00 km in 1:05 is 665 km/h, faster than anyone runs — did you mean 1:05:00 "
            "(1 h 5 min)? Add --force if it is right.",
        ),
        (["run", "10k", "--duration", "2:00"], "did you mean 2:00:00 (2 h)?"),
        (["run", "10k", "50s"], "did you mean 50min?"),
        (["ride", "100km", "5m"], "faster than anyone rides — did you mean 5h?"),
        (["swim", "1500k", "30:00"], "faster than anyone swims — did you mean 1500m?"),
        (["row", "--distance", "2000k", "8:00"], "did you mean 2000m?"),
        (["ride", "50mi", "1:00:00"], "80.5 km/h, faster than anyone rides — did you mean 50km?"),
        (["walk", "10k", "20:00"], "30 km/h, faster than anyone walks — check the distance"),
        (["run", "5k", "3:00"], "check the distance and the duration, or add --force"),
    ],
)
def test_log_refuses_an_impossible_speed_with_the_likely_slip(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("log", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert count_rows(db_file) == 0
    forced = cli("log", *args, "--force")
    assert forced.exit_code == 0, forced.output
    assert count_rows(db_file) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["run", "5k", "15:00"],  # 20 km/h: a fast 5 k, not a slip
        ["ride", "40k", "1h"],
        ["swim", "100m", "1:00"],  # 6 km/h
        ["yoga", "1h"],
        ["strength", "45min"],
    ],
)
def test_log_takes_fast_but_possible_workouts(cli: Invoke, args: list[str]) -> None:
    result = cli("log", *args)
    assert result.exit_code == 0, result.output


def test_imperial_units_say_the_speed_in_mph(cli: Invoke) -> None:
    assert cli("profile", "set", "--units", "imperial").exit_code == 0
    result = cli("log", "run", "12k", "1:05")
    assert result.exit_code == 2
    assert "7.46 mi in 1:05 is 413 mph" in result.stderr


def test_edit_refuses_an_impossible_speed_unless_forced(cli: Invoke, cli_json) -> None:
    run = cli_json("log", "run", "12k", "1:05:00", "--start", START)["activity"]
    result = cli("edit", run["id"], "1:05")
    assert result.exit_code == 2
    assert "did you mean 1:05:00 (1 h 5 min)?" in result.stderr
    assert cli_json("show", run["id"]) == run | {"track": None}
    assert cli("edit", run["id"], "--type", "swim").exit_code == 2  # 11 km/h swimming
    forced = cli_json("edit", run["id"], "1:05", "--force")["activity"]
    assert forced["duration_s"] == 65
    # An edit that leaves type, distance and time alone does not judge them again.
    assert cli_json("edit", run["id"], "--note", "GPS glitch")["activity"]["note"] == "GPS glitch"


def test_a_custom_type_sets_its_own_top_speed_and_figure(cli: Invoke, db_file: Path) -> None:
    added = cli(
        "types", "add", "kayak", "--met", "5", "--max-speed", "20kmh", "--shown-as", "speed"
    )
    assert added.exit_code == 0, added.output
    assert _rows(db_file, "SELECT figure, max_speed_mps FROM activity_type") == [
        ("speed", pytest.approx(20 / 3.6))
    ]
    slow = cli("log", "kayak", "10k", "40:00")
    assert slow.exit_code == 0, slow.output
    fast = cli("log", "kayak", "10k", "20:00")
    assert fast.exit_code == 2
    assert "30 km/h, over the 20 km/h plausible for kayak" in fast.stderr


def test_a_custom_type_without_a_top_speed_has_none(cli: Invoke, db_file: Path) -> None:
    assert cli("types", "add", "climbing", "--met", "5.8").exit_code == 0
    assert _rows(db_file, "SELECT figure, max_speed_mps FROM activity_type") == [("pace", None)]
    assert cli("log", "climbing", "100k", "10:00").exit_code == 0


@pytest.mark.fresh_home
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-speed", "20"], "'20' has no unit — say 20kmh or 20mph"),
        (["--max-speed", "fast"], "can't read 'fast' as a speed"),
        (["--max-speed", "-5kmh"], "speed must be positive"),
        (["--max-speed", "2,5kmh"], "did you mean 2.5kmh?"),
        (["--shown-as", "fast"], "not one of pace, speed, pace100, pace500"),
    ],
)
def test_types_add_refuses_a_bad_top_speed_or_figure(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("types", "add", "kayak", "--met", "5", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert count_rows(db_file, "activity_type") == 0


# --- 6. messages that name the real cause ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["5k", "run", "25:00"],
            "'5k' is a distance, not an activity type — the type comes first: "
            "fittrack log run 5k 25:00",
        ),
        (["25:00", "5k", "ride"], "'25:00' is a duration, not an activity type"),
        (["25:00", "5k", "ride"], "fittrack log ride 25:00 5k"),
        (["45m", "walk"], "'45m' is a quantity, not an activity type"),
        (["5k", "25:00"], "the type comes first, e.g. fittrack log run 5k 25:00"),
        (["rnu", "5k"], "unknown activity type 'rnu' — did you mean 'run'?"),
        (["run", "1,5km", "10:00"], "'1,5km' has a decimal comma — did you mean 1.5km?"),
        (["run", "--distance", "1,5km", "10:00"], "did you mean 1.5km?"),
        (["yoga", "1,5h"], "did you mean 1.5h?"),
    ],
)
def test_log_errors_name_the_real_cause(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("log", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert count_rows(db_file) == 0
