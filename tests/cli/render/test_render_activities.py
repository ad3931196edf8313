"""What the activity commands print: the list on a narrow terminal, the one-line summary."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from fittrack.cli.render import activities
from fittrack.core.activity import ActivityRecord
from fittrack.core.profile import Profile

Screen = Callable[[int, Callable[[], None]], list[str]]
"""The ``screen`` fixture: the lines drawn on a terminal that wide."""

LONG_NOTE = (
    "intervals on the track with the club, six by eight hundred metres, then a long cool down "
    "along the river with Anna"
)


def _activity(note: str) -> ActivityRecord:
    start = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    return ActivityRecord(
        id="89582400-0000-4000-8000-000000000000",
        type="ride",
        start=start,
        end=datetime(2026, 11, 21, 10, 30, tzinfo=UTC),
        duration_s=5400.0,
        distance_m=42000.0,
        calories_kcal=1260.0,
        calories_estimated=True,
        workload=900.0,
        note=note,
        source="manual",
        created_at=start,
        updated_at=start,
    )


def _words(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


@pytest.mark.parametrize("width", [100, 60, 40, 30])
def test_a_narrow_terminal_wraps_the_note_and_keeps_every_column(
    screen: Screen, width: int
) -> None:
    record = _activity(LONG_NOTE)
    lines = screen(width, lambda: activities.activity_table([record], Profile(), UTC, more=False))
    assert all(len(line.rstrip()) <= width for line in lines), lines
    words = _words(lines)
    for header in ("id", "when", "type", "distance", "time", "pace/speed", "kcal", "note"):
        assert header in words
    for value in ("89582400", "ride", "42.00", "1:30:00", "28.0", "km/h", "1260"):
        assert value in words
    # Every word of the note, in order, wrapped rather than cut off.
    text = " ".join(words)
    assert " ".join(LONG_NOTE.split()) in text.replace("\n", " ")


def test_the_note_wraps_inside_the_table_when_it_can(screen: Screen) -> None:
    lines = screen(
        100, lambda: activities.activity_table([_activity(LONG_NOTE)], Profile(), UTC, more=False)
    )
    assert lines[0].split()[-1] == "note"  # one header line: the note is a column
    assert len(lines) > 2  # and its text wrapped onto more lines
    assert lines[1].startswith("89582400")


def test_one_line_names_the_activity_in_its_sports_terms() -> None:
    line = activities.one_line(_activity(""), Profile(), UTC)
    assert line == "ride 42.00 km in 1:30:00 (28.0 km/h) on Sat 21 Nov 2026 09:00 (89582400)"


def test_an_empty_list_says_how_to_begin_or_that_nothing_matched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    activities.activity_table([], Profile(), UTC, more=False)
    activities.activity_table([], Profile(), UTC, more=False, filtered=True)
    assert capsys.readouterr().out.splitlines() == [
        "No activities yet. Log one with: fittrack log run 5k 27:30",
        "No activities match.",
    ]
