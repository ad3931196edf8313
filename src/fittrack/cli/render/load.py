"""``fittrack load``: a chart of fitness, fatigue and form on a terminal, a table in a pipe.

The chart draws the three series as Braille lines on one axis (form dips below zero), each in its
own colour, with the axis' top, zero and bottom on the left and the first and last dates below. In
a pipe, where nobody sees colour and a script wants numbers, each day is a row. Both end with
today's values in words.
"""

import math
from collections.abc import Sequence
from typing import Any

from fittrack.cli.render import base
from fittrack.core.load import LoadDay

CHART_ROWS = 12
_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # (row, column) in a cell
_BRAILLE = 0x2800
SERIES = (("fitness", "cyan"), ("fatigue", "magenta"), ("form", "yellow"))


def form_words(form: float) -> str:
    """How form reads (TrainingPeaks' bands for TSB): very fresh, fresh, neutral, tired,
    very tired."""
    if form >= 15:
        return "very fresh"
    if form >= 5:
        return "fresh"
    if form > -10:
        return "neutral"
    if form > -30:
        return "tired"
    return "very tired"


def _number(value: float) -> str:
    """``42.1``, ``−12.9`` (a true minus sign, as in print), never ``-0.0``."""
    value = round(value, 1)
    return f"\N{MINUS SIGN}{-value:.1f}" if value < 0 else f"{abs(value):.1f}"


def today_words(day: LoadDay) -> str:
    """``fitness 42.1, fatigue 55.0, form −12.9: tired``."""
    return (
        f"fitness {_number(day.fitness)}, fatigue {_number(day.fatigue)}, "
        f"form {_number(day.form)}: {form_words(day.form)}"
    )


def chart(
    series: Sequence[Sequence[float]], width: int, height: int, low: float, high: float
) -> list[list[tuple[int, int]]]:
    """``height`` rows of ``width`` Braille cells: each cell (its dots, a bit mask of the series
    that have a dot there). Each series is stretched over the width (2 dots a cell), joined
    column to column; ``low``..``high`` is the vertical range (bottom to top)."""
    dots_w, dots_h = width * 2, height * 4
    cells = [[(0, 0) for _ in range(width)] for _ in range(height)]
    span = high - low if high > low else 1.0

    def y_of(value: float) -> int:
        return min(max(round((high - value) / span * (dots_h - 1)), 0), dots_h - 1)

    for index, values in enumerate(series):
        if not values:
            continue
        previous: int | None = None
        for x in range(dots_w):
            # Where dot column x falls in the series, interpolated between its two days.
            at = x * (len(values) - 1) / (dots_w - 1) if dots_w > 1 else 0.0
            left = math.floor(at)
            right = min(left + 1, len(values) - 1)
            value = values[left] + (values[right] - values[left]) * (at - left)
            y = y_of(value)
            top, bottom = (y, y) if previous is None else (min(y, previous), max(y, previous))
            # Join to the previous column's dot so a steep change stays one line.
            for dot_y in range(top, bottom + 1):
                bits, mask = cells[dot_y // 4][x // 2]
                cells[dot_y // 4][x // 2] = (
                    bits | _BITS[dot_y % 4][x % 2],
                    mask | (1 << index),
                )
            previous = y
    return cells


def _style(mask: int) -> str:
    shown = [style for index, (_, style) in enumerate(SERIES) if mask & (1 << index)]
    # A cell two lines cross is drawn in the last one's colour: form, then fatigue, over fitness.
    return shown[-1] if shown else ""


def no_load() -> None:
    base.stdout_console().print(
        "No activities in the last year to work out a load from. Log one with "
        "'fittrack log run 5k 27:30' or bring your history in with 'fittrack import FILE'."
    )


def load_chart(days: Sequence[LoadDay]) -> None:
    console: Any = base.stdout_console()
    if not getattr(console, "is_terminal", False):
        _load_table(console, days)
    else:
        _draw(console, days)
    console.print(f"Today: {today_words(days[-1])}")


def _load_table(console: Any, days: Sequence[LoadDay]) -> None:
    columns = [base.Column("date")] + [
        base.Column(name, right=True) for name in ("load", "fitness", "fatigue", "form")
    ]
    rows = [
        [
            day.date.isoformat(),
            *(f"{round(v, 1):.1f}" for v in (day.load, day.fitness, day.fatigue, day.form)),
        ]
        for day in days
    ]
    base.table(console, columns, rows)


def _draw(console: Any, days: Sequence[LoadDay]) -> None:
    values = [
        [d.fitness for d in days],
        [d.fatigue for d in days],
        [d.form for d in days],
    ]
    low = min(0.0, *values[2])
    high = max(1.0, *values[0], *values[1], *values[2])
    labels = [_number(high), "0.0", _number(low)]
    label_w = max(len(label) for label in labels)
    width = max(10, min(len(days), console.width - label_w - 3))
    cells = chart(values, width, CHART_ROWS, low, high)
    zero_row = min(round(high / (high - low) * (CHART_ROWS * 4 - 1)) // 4, CHART_ROWS - 1)
    for row_index, row in enumerate(cells):
        label = ""
        if row_index == 0:
            label = labels[0]
        elif row_index == zero_row:
            label = labels[1]
        elif row_index == CHART_ROWS - 1 and low < 0:
            label = labels[2]
        line = base.Text().append(label.rjust(label_w) + " ┤", style="dim")
        for bits, mask in row:
            line.append(chr(_BRAILLE + bits), style=_style(mask))
        console.print(line)
    first, last = days[0].date.isoformat(), days[-1].date.isoformat()
    gap = max(1, width - len(first) - len(last))
    console.print(base.Text().append(" " * (label_w + 2) + first + " " * gap + last, "dim"))
    legend = base.Text(" " * (label_w + 2))
    for name, style in SERIES:
        legend.append("━━ ", style=style)
        legend.append(f"{name}   ")
    console.print(legend)
