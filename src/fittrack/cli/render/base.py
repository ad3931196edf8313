"""What the render modules share: the consoles, ``table``, figures in a sport's terms, ``plural``.

Rich drops colour by itself with ``NO_COLOR`` or when stdout is not a terminal, so the same calls
give plain, readable text in a pipe. There, output is also whole: no width to crop or wrap at,
and no trailing spaces from a table's padding (``console_for``). On a terminal, tables fit its
width by wrapping the text a person wrote (a note, a goal's name), and when even that cannot fit,
that text goes on a line of its own under its row (``table``): a column never silently disappears.

The other modules reach the consoles through this module (``base.stdout_console()``) rather than
importing the functions, so that a test replacing them here sees everything drawn.
"""

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fittrack.core.activity_types import BUILTIN_TYPES, ActivityType
from fittrack.core.display import format_sport_distance

Figures = Mapping[str, str | None]
"""Activity type → its ``figure`` (None: a type without distance), for types not built in."""


# Wide enough for any line a command prints: in a pipe nothing is wrapped or cropped.
_PIPE_WIDTH = 32_767


class _Trimmed:
    """A stream that drops the spaces at the end of each line (a table pads its last column)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pending = ""
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            self._stream.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._pending)
            self._pending = ""
        self._stream.flush()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def console_for(stream: IO[str], soft_wrap: bool = False) -> Console:
    """A console writing to ``stream``: the terminal's width there, whole lines in a pipe."""
    if _is_terminal(stream):
        return Console(file=stream, highlight=False, soft_wrap=soft_wrap)
    # Not a terminal: Rich would crop and pad to 80 columns; a pipe has no width.
    trimmed: Any = _Trimmed(stream)  # file-like enough for Rich: write, flush, isatty, encoding
    return Console(file=trimmed, highlight=False, width=_PIPE_WIDTH, soft_wrap=soft_wrap)


def stdout_console() -> Console:
    """The console for output, as every table here uses it."""
    # Made per call: tests swap sys.stdout, and a Console keeps the stream it was made with.
    return console_for(sys.stdout)


def stderr_console() -> Console:
    """The console for progress and hints on stderr."""
    # Hints are single lines that name commands: never break them at 80 columns in a pipe.
    return console_for(sys.stderr, soft_wrap=True)


@dataclass(frozen=True)
class Column:
    """A column of ``table``."""

    header: str
    right: bool = False
    """Right-aligned (numbers)."""
    wrap: bool = False
    """Text a person wrote: it wraps, or goes under its row on a narrow terminal."""
    style: str = ""


# A column of a person's text needs at least this many cells to be worth keeping in the table.
_WRAP_MIN = 16
_GAP = 2
_INDENT = 4


def _cell(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text(value)


def table(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str | Text]]
) -> None:
    """Print a table whose columns all stay: the fixed ones keep their full width; the ``wrap``
    ones wrap in what is left. When too little is left, each row's ``wrap`` text goes on lines of
    its own under the row, indented; and when the fixed columns alone are wider than the
    terminal, each row continues on indented lines, the header broken at the same columns."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [
        max([len(c.header), *(row[i].cell_len for row in cells)]) for i, c in enumerate(columns)
    ]
    fixed = [i for i, c in enumerate(columns) if not c.wrap]
    wrapped = [i for i, c in enumerate(columns) if c.wrap]
    if isinstance(console.file, _Trimmed):
        # A pipe: plain aligned text, whole, with no Rich layout (which costs ~0.7 ms a row and
        # would measure every cell against a 32,767-column page).
        head = [Text(c.header) for c in columns]
        for values in (head, *cells):
            parts = [
                " " * (widths[i] - v.cell_len) + v.plain
                if columns[i].right
                else v.plain + " " * (widths[i] - v.cell_len)
                for i, v in enumerate(values)
            ]
            console.file.write((" " * _GAP).join(parts).rstrip() + "\n")
        return
    needed = sum(widths[i] for i in fixed) + _GAP * (len(columns) - 1)
    needed += sum(min(widths[i], _WRAP_MIN) for i in wrapped)
    if needed <= console.width:
        grid = Table(box=None, header_style="bold", pad_edge=False)
        for i, column in enumerate(columns):
            grid.add_column(
                column.header,
                style=column.style,
                justify="right" if column.right else "left",
                no_wrap=not column.wrap,
                overflow="fold",
                min_width=None if column.wrap else widths[i],
            )
        for row in cells:
            grid.add_row(*row)
        console.print(grid)
        return
    from rich.padding import Padding

    # Fixed columns in groups that each fit on a line; the second and later lines of a row are
    # indented, and the header is broken the same way, so every value stays under its name.
    groups: list[list[int]] = [[]]
    used = 0
    for i in fixed:
        extra = widths[i] + (_GAP if groups[-1] else 0)
        if groups[-1] and used + extra > console.width:
            groups.append([])
            used, extra = _INDENT, widths[i]
        groups[-1].append(i)
        used += extra

    def lines(values: Sequence[Text]) -> list[Text]:
        out = []
        for number, group in enumerate(groups):
            text = Text(" " * (_INDENT if number else 0))
            for n, i in enumerate(group):
                pad = " " * (widths[i] - values[i].cell_len)
                text.append_text(
                    Text(pad) + values[i] if columns[i].right else values[i] + Text(pad)
                )
                if n < len(group) - 1:
                    text.append(" " * _GAP)
            text.rstrip()
            out.append(text)
        return out

    for text in lines([Text(c.header, style="bold") for c in columns]):
        console.print(text)
    for i in wrapped:  # named where their text will be: on its own line, indented
        console.print(Padding(Text(columns[i].header, style="bold"), (0, 0, 0, _INDENT)))
    for row in cells:
        for text in lines(
            [Text.assemble(value, style=c.style) for value, c in zip(row, columns, strict=True)]
        ):
            console.print(text)
        for i in wrapped:
            if row[i].plain:
                console.print(Padding(row[i], (0, 0, 0, _INDENT)))


_BUILTIN_FIGURES: dict[str, str | None] = {
    t.slug: t.figure if t.tracks_distance else None for t in BUILTIN_TYPES
}


def figure_of(kind: ActivityType) -> str | None:
    """How ``kind``'s speed reads (its ``figure``), None when its distance means nothing."""
    return kind.figure if kind.tracks_distance else None


def figure_for(slug: str, figures: Figures | None) -> str | None:
    """How the type ``slug``'s speed reads: from ``figures``, a built-in type's own, or pace."""
    if figures is not None and slug in figures:
        return figures[slug]
    # A custom type the caller did not look up reads as pace, the default figure.
    return _BUILTIN_FIGURES.get(slug, "pace")


def sport_distance(metres: float, slug: str, units: str, figures: Figures | None) -> str:
    """A distance in the unit of the type ``slug``'s sport (a swim in metres or yards)."""
    return format_sport_distance(metres, units, figure_for(slug, figures))


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 activity", "2 activities", "0 files"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
