"""What the goal commands print: the list of goals, on a narrow terminal and in a pipe."""

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from fittrack.cli.render import goals
from fittrack.core.goals import Goal
from fittrack.core.profile import Profile

Screen = Callable[[int, Callable[[], None]], list[str]]
"""The ``screen`` fixture: the lines drawn on a terminal that wide."""

LONG_NAME = "Get ready for the spring marathon by running a steady base every single week"


def _goal(name: str, end_date: date | None = date(2026, 12, 31), paused: bool = False) -> Goal:
    stamp = datetime(2026, 11, 1, tzinfo=UTC)
    return Goal(
        id="94237fe7-0000-4000-8000-000000000000",
        name=name,
        period="month",
        metric="distance",
        target=160934.4,
        activity_type="run",
        start_date=date(2026, 11, 1),
        end_date=end_date,
        paused=paused,
        pauses=(),
        created_at=stamp,
        updated_at=stamp,
    )


@pytest.mark.parametrize("width", [80, 60, 40])
def test_a_narrow_terminal_wraps_a_goal_name_and_keeps_every_column(
    screen: Screen, width: int
) -> None:
    lines = screen(
        width, lambda: goals.goal_table([_goal(LONG_NAME)], Profile(), date(2026, 11, 20))
    )
    assert all(len(line.rstrip()) <= width for line in lines), lines
    words = " ".join(lines).split()
    headers = ("id", "target", "per", "until", "state", "name")
    for value in (*headers, "94237fe7", "160.93", "2026-12-31"):
        assert value in words
    assert " ".join(LONG_NAME.split()) in " ".join(words)


def test_a_piped_list_says_each_goals_state_and_drops_an_empty_until(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = [_goal("Base", end_date=None), _goal("Rest", end_date=None, paused=True)]
    goals.goal_table(shown, Profile(), date(2026, 11, 20))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "target", "per", "type", "from", "state", "name"]
    assert lines[1].split()[-2:] == ["active", "Base"]
    assert lines[2].split()[-2:] == ["paused", "Rest"]
    goals.goal_table([_goal("Autumn")], Profile(), date(2027, 1, 1))
    assert capsys.readouterr().out.splitlines()[1].split()[-3:] == ["2026-12-31", "ended", "Autumn"]
