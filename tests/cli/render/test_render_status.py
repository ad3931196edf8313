"""What status, progress and summary print: the bars and the words when no goal is in force."""

import pytest

from fittrack.cli.render import status


def test_a_bar_fills_its_share_and_marks_a_steady_pace() -> None:
    assert status.bar(50, 0.25, width=8).plain == "██│█░░░░"
    assert status.bar(0, None, width=4).plain == "░░░░"
    full = status.bar(150, 0.5, width=4)
    assert full.plain == "██│█"  # past the target: full, the marker still shown
    assert {style for _, style in full.runs} >= {"green"}


def test_no_goals_says_whether_some_start_later_or_ended(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status.no_goals()
    status.no_goals(1)
    status.no_goals(2)
    assert capsys.readouterr().out.splitlines() == [
        "No goals yet. Add one with: fittrack goal add 20km --per week",
        "No goal is in force today: 1 goal starts later or ended (see `fittrack goal list`).",
        "No goal is in force today: 2 goals start later or ended (see `fittrack goal list`).",
    ]
