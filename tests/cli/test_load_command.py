"""``fittrack load``: fitness, fatigue and form from each local day's workload."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.helpers import Invoke

from fittrack.cli.render.load import chart, form_words, today_words
from fittrack.core.load import LoadDay, load_series

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

BERLIN = ZoneInfo("Europe/Berlin")


def _today() -> date:
    return datetime.now(BERLIN).date()


@pytest.fixture
def berlin(cli: Invoke) -> None:
    assert cli("profile", "set", "--timezone", "Europe/Berlin").exit_code == 0


def test_an_empty_log_says_what_to_do_and_exits_0(cli: Invoke, berlin: None) -> None:
    result = cli("load")
    assert result.exit_code == 0, result.stderr
    assert "No activities" in result.stdout
    assert "fittrack log" in result.stdout


def test_an_empty_log_in_json_is_the_window_of_zero_days(cli_json, berlin: None) -> None:
    days = cli_json("load", "--weeks", "2")["days"]
    assert len(days) == 14
    assert all(d["load"] == d["fitness"] == d["fatigue"] == d["form"] == 0 for d in days)
    last = date.fromisoformat(days[-1]["date"])
    assert date.fromisoformat(days[0]["date"]) == last - timedelta(days=13)


@pytest.mark.parametrize("weeks", ["0", "105", "abc", "-1", "2.5", ""])
def test_weeks_out_of_range_is_refused_in_one_line(cli: Invoke, db_file: Path, weeks: str) -> None:
    result = cli("load", "--weeks", weeks)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "--weeks" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def _steady_week(cli: Invoke, cli_json) -> dict[date, float]:
    """A 10 km run at 07:00 on each of the 7 days before today; each local day's workload."""
    today = _today()
    loads: dict[date, float] = {}
    for back in range(1, 8):
        day = today - timedelta(days=back)
        activity = cli_json("log", "run", "10k", "50:00", "--start", f"{day} 07:00")["activity"]
        loads[day] = loads.get(day, 0.0) + activity["workload"]
    return loads


def test_a_steady_week_in_json_is_core_loads_series(cli: Invoke, cli_json, berlin: None) -> None:
    loads = _steady_week(cli, cli_json)
    assert len(set(loads.values())) == 1  # the same run every day
    days = cli_json("load", "--weeks", "3")["days"]
    assert len(days) == 21
    assert set(days[0]) == {"date", "load", "fitness", "fatigue", "form"}
    first, last = date.fromisoformat(days[0]["date"]), date.fromisoformat(days[-1]["date"])
    expected = [d.to_json() for d in load_series(loads, first, last)]
    assert days == expected
    by_day = {d["date"]: d for d in days}
    for day, load in loads.items():
        assert by_day[day.isoformat()]["load"] == round(load, 1)
    # Seven days of the same load: fatigue (7 days) has climbed well past fitness (42 days).
    assert days[-1]["fatigue"] > days[-1]["fitness"] > 0
    assert days[-1]["form"] < 0


def test_history_before_the_window_seeds_the_first_day(cli_json, berlin: None) -> None:
    long_ago = _today() - timedelta(days=60)
    cli_json("log", "run", "10k", "50:00", "--start", f"{long_ago} 07:00")
    days = cli_json("load", "--weeks", "1")["days"]
    assert all(d["load"] == 0 for d in days)
    assert days[0]["fitness"] > 0  # 60 days ago still counts a little


def test_the_terminal_chart_and_pipe_table_end_with_todays_words(
    cli: Invoke, cli_json, berlin: None
) -> None:
    _steady_week(cli, cli_json)
    result = cli("load", "--weeks", "2")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["date", "load", "fitness", "fatigue", "form"]
    assert len(lines) == 1 + 14 + 1
    today = cli_json("load", "--weeks", "1")["days"][-1]
    assert lines[-1].startswith(f"Today: fitness {today['fitness']:.1f}, ")
    assert lines[-1].endswith(": very tired")  # seven hard days in a row


def test_today_in_words_uses_a_minus_sign_and_the_form_band() -> None:
    day = LoadDay(date(2026, 12, 3), 0.0, 42.14, 55.0, -12.86)
    assert today_words(day) == "fitness 42.1, fatigue 55.0, form \N{MINUS SIGN}12.9: tired"
    assert [form_words(f) for f in (20, 5, 0, -10, -30)] == [
        "very fresh",
        "fresh",
        "neutral",
        "tired",
        "very tired",
    ]


def test_the_chart_draws_each_series_in_its_own_cells() -> None:
    rising = [float(i) for i in range(10)]
    flat = [0.0] * 10
    cells = chart([rising, flat], width=5, height=2, low=0.0, high=9.0)
    assert len(cells) == 2 and all(len(row) == 5 for row in cells)
    # The rising line ends top right, the flat one runs along the bottom row.
    assert cells[0][-1][1] & 1 and not cells[0][-1][1] & 2
    assert all(mask & 2 for _, mask in cells[1])
    assert cells[0][0] == (0, 0)  # top left: neither line is there
