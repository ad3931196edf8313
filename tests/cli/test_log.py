"""``fittrack log``: quantities by form, spans, calories, and refusals that write nothing."""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home


def test_log_run_prints_one_line_with_calories_and_id(cli: Invoke) -> None:
    result = cli("log", "run", "5k", "27:30")
    assert result.exit_code == 0, result.output
    assert "Logged run" in result.stdout
    assert "5.00 km in 27:30" in result.stdout
    assert "kcal" in result.stdout
    assert "Calories assume 70 kg" in result.stderr


def test_log_json_shape(cli_json) -> None:
    doc = cli_json("log", "run", "5k", "27:30", "--start", "2026-11-20 07:00")
    assert doc["completed_goals"] == []
    activity = doc["activity"]
    assert list(activity) == [
        "id",
        "type",
        "start",
        "end",
        "duration_s",
        "distance_m",
        "calories_kcal",
        "calories_estimated",
        "calories_method",
        "workload",
        "note",
        "source",
        "created_at",
        "updated_at",
    ]
    assert activity["type"] == "run"
    assert activity["duration_s"] == 1650
    assert activity["distance_m"] == 5000
    assert activity["source"] == "manual"
    assert activity["calories_estimated"] is True
    # 5 km in 27:30 is 10.9 km/h, the 6.7 mph band of the 2024 Compendium (10.5 MET), at 70 kg.
    assert activity["calories_kcal"] == pytest.approx(10.5 * 70 * 1650 / 3600, abs=0.1)
    assert activity["workload"] == pytest.approx(10.5 * 27.5, abs=0.1)
    start = datetime.fromisoformat(activity["start"])
    assert start.utcoffset() is not None
    assert datetime.fromisoformat(activity["end"]) - start == timedelta(seconds=1650)


def test_log_with_profile_weight_and_given_calories(cli: Invoke, cli_json) -> None:
    assert cli("profile", "set", "--weight", "80kg").exit_code == 0
    doc = cli_json("log", "ride", "--duration", "1h", "--distance", "21km")
    # 21 km/h: the 12-13.9 mph band, 8.0 MET; 80 kg for one hour (MET.md's test vector).
    assert doc["activity"]["calories_kcal"] == 640.0
    given = cli_json("log", "yoga", "45min", "--calories", "150kcal")["activity"]
    assert given["calories_kcal"] == 150
    assert given["calories_estimated"] is False


def test_log_without_start_ends_now(cli_json) -> None:
    before = datetime.now().astimezone()
    activity = cli_json("log", "walk", "45m")["activity"]
    end = datetime.fromisoformat(activity["end"])
    assert before - timedelta(seconds=1) <= end <= datetime.now().astimezone()
    assert activity["duration_s"] == 45 * 60
    assert activity["distance_m"] is None


@pytest.mark.parametrize(
    ("args", "distance", "duration"),
    [
        (["run", "5k", "27:30"], 5000, 1650),
        (["run", "27:30", "5k"], 5000, 1650),
        (["swim", "1500", "m", "30:00"], 1500, 1800),
        (["swim", "1,500m", "30min"], 1500, 1800),
        (["swim", "800m"], 800, None),
        (["walk", "45m"], None, 2700),
        (["run", "10km", "45m"], 10000, 2700),
        (["run", "3.1mi", "1h5m"], pytest.approx(4988.97, abs=0.01), 3900),
        (["ride", "1:05:00", "30k"], 30000, 3900),
    ],
)
def test_positional_quantities_are_recognised_by_form(
    cli_json, args: list[str], distance: float | None, duration: float | None
) -> None:
    extra = [] if duration else ["--duration", "20min"]
    activity = cli_json("log", *args, *extra)["activity"]
    assert activity["distance_m"] == distance
    assert activity["duration_s"] == (duration or 1200)


def test_start_and_end_give_the_duration(cli_json) -> None:
    activity = cli_json(
        "log", "hike", "12km", "--start", "2026-11-20 09:00", "--end", "2026-11-20 12:30"
    )["activity"]
    assert activity["duration_s"] == 3.5 * 3600


def test_end_and_duration_give_the_start(cli_json) -> None:
    activity = cli_json("log", "run", "5k", "25:00", "--end", "2026-11-20T08:00:00+01:00")[
        "activity"
    ]
    assert activity["start"] == "2026-11-20T07:35:00+01:00"


def test_alias_resolves_to_slug(cli_json) -> None:
    assert cli_json("log", "Cycling", "20km", "40min")["activity"]["type"] == "ride"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rnu", "5k", "27:30"], "did you mean 'run'"),
        (["run", "-5k", "27:30"], "-5k"),
        (["run", "5q", "27:30"], "5q"),
        (["run", "5k"], "how long"),
        (["run", "5k", "27:30", "3k"], "distance"),
        (["run", "5k", "27:75"], "27:75"),
        (["run", "5k", "27:30", "--distance", "6k"], "two distances"),
        (["run", "5k", "27:30", "--start", "2026-02-30 07:00"], "2026-02-30"),
        (["run", "5k", "27:30", "--start", "next tuesday-ish"], "next tuesday-ish"),
        (["run", "5k", "--start", "2026-11-20 09:00", "--end", "2026-11-20 08:00"], "not after"),
        (["run", "5k", "1h", "--start", "2026-11-20 09:00", "--end", "2026-11-20 09:30"], "fit"),
        (["run", "5k", "27:30", "--calories", "-100"], "-100"),
        (["run", "5k", "27:30", "--calories", "lots"], "lots"),
        (["run", "5k", "0:00"], "0:00"),
    ],
)
def test_bad_input_is_refused_with_one_line_and_writes_nothing(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("log", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert count_rows(db_file) == 0


def test_unknown_flag_is_a_usage_error(cli: Invoke) -> None:
    result = cli("log", "run", "5k", "27:30", "--pace", "5:30")
    assert result.exit_code == 2
    assert result.stderr == "Error: no such option: --pace — see --help for the options\n"


def test_timezone_boundary_belongs_to_the_profile_zone(
    cli: Invoke, cli_json, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Profile in Paris, system in New York: 00:10 on 1 Dec is December, 23:50 on 30 Nov is not."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()  # the C library's local zone too, not only what fittrack reads from TZ
    assert cli("profile", "set", "--timezone", "Europe/Paris").exit_code == 0
    late = cli_json("log", "run", "5k", "25:00", "--start", "2025-11-30 23:50")["activity"]
    early = cli_json("log", "run", "5k", "25:00", "--start", "2025-12-01 00:10")["activity"]
    assert early["start"] == "2025-12-01T00:10:00+01:00"
    december = cli_json("list", "--from", "2025-12-01", "--to", "2025-12-01")
    assert [a["id"] for a in december] == [early["id"]]
    november = cli_json("list", "--from", "20251130", "--to", "20251130")
    assert [a["id"] for a in november] == [late["id"]]


@pytest.fixture(autouse=True)
def _restore_local_zone() -> Iterator[None]:
    yield
    time.tzset()  # monkeypatch has put TZ back by now


@pytest.mark.parametrize(
    ("start", "end", "duration"),
    [
        ("2026-03-29 01:00", "2026-03-29 04:00", 2 * 3600),  # Berlin springs forward: 2 h
        ("2026-10-25 01:00", "2026-10-25 04:00", 4 * 3600),  # falls back: 4 h
    ],
)
def test_spans_across_dst_are_real_time(
    cli: Invoke, cli_json, start: str, end: str, duration: int
) -> None:
    cli("profile", "set", "--timezone", "Europe/Berlin")
    activity = cli_json("log", "run", "10k", "--start", start, "--end", end)["activity"]
    assert activity["duration_s"] == duration
    ends = cli_json("log", "run", "10k", "1h", "--start", start, "--force")["activity"]["end"]
    # An hour of real time later, shown at the start's offset (one offset is kept per activity).
    assert ends == (
        "2026-03-29T02:00:00+01:00" if "03-29" in start else "2026-10-25T02:00:00+02:00"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2999-01-01 07:00"], "out of range"),
        (["--start", "0999-01-01 07:00"], "out of range"),
        (["--start", "2099-01-01 07:00"], "future"),
    ],
)
def test_far_and_future_dates_are_refused(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("log", "run", "5k", "27:30", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert count_rows(db_file) == 0
