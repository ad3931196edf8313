"""What the render modules share: the consoles, ``Text``, ``table``, ``grid``, figures in a
sport's terms, ``plural``.

Output to a pipe (or a file) is plain text written here without Rich, which costs ~40 ms to import
and ~0.7 ms a table row: the commands people script (``status``, ``list``, ``show`` piped into
grep or a file) pay for neither. There, output is whole: no width to crop or wrap at, no colour,
no trailing spaces. Rich is imported only when stdout is a terminal, and draws what a person
sees: colour, and tables that fit the terminal's width by wrapping the text a person wrote (a
note, a goal's name), and when even that cannot fit, that text goes on a line of its own under
its row (``table``): a column never silently disappears.

The render modules build their lines from ``str`` (Rich markup: ``"[dim]…[/]"``) and ``Text``
(styled runs, taken literally), which both consoles print alike, so each is written once. The
plain console reads markup as Rich does (the same tags, escapes and ``:emoji:`` codes, the same
control characters dropped), so a pipe receives exactly what Rich would have printed there.

The other modules reach the consoles through this module (``base.stdout_console()``) rather than
importing the functions, so that a test replacing them here sees everything drawn.
"""

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from fittrack.core.activity_types import BUILTIN_TYPES, ActivityType
from fittrack.core.display import format_sport_distance

if TYPE_CHECKING:
    from rich.console import Console as RichConsole

Figures = Mapping[str, str | None]
"""Activity type → its ``figure`` (None: a type without distance), for types not built in."""


# Wide enough for any line a command prints: in a pipe nothing is wrapped or cropped.
_PIPE_WIDTH = 32_767

# What Rich's Text drops from any text it is given (bell, backspace, vertical tab, form feed,
# carriage return): a note holding them must read the same in a pipe as on a terminal.
_CONTROL = {7: None, 8: None, 11: None, 12: None, 13: None}
_TAB_SIZE = 8  # Rich's: a tab in a note becomes spaces to the next multiple of 8


def cell_len(text: str) -> int:
    """The cells ``text`` takes on a terminal (a CJK character or an emoji takes two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len as cells  # a table of widths, not the rest of Rich

    return cells(text)


class Text:
    """Styled text taken literally (no markup): runs of (text, style), Rich's ``Text`` in the
    small part the render modules use. The plain console prints ``plain``; Rich prints it through
    ``__rich__``, so building a line costs nothing of Rich's."""

    __slots__ = ("_runs", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        self._runs: list[tuple[str, str]] = [(text.translate(_CONTROL), "")] if text else []
        self.style = style

    @classmethod
    def assemble(cls, *parts: "str | Text | tuple[str, str]", style: str = "") -> "Text":
        """``Text.assemble("a", ("b", "bold"), other_text)``, as Rich's."""
        text = cls(style=style)
        for part in parts:
            if isinstance(part, tuple):
                text.append(*part)
            else:
                text.append(part)
        return text

    def append(self, text: "str | Text", style: str | None = None) -> "Text":
        if isinstance(text, Text):
            self.append_text(text)
        elif text:
            self._runs.append((text.translate(_CONTROL), style or ""))
        return self

    def append_text(self, text: "Text") -> "Text":
        # Its own style becomes its runs', under their styles (as Rich makes it a span).
        self._runs.extend(
            (run, f"{text.style} {style}".strip() if text.style else style)
            for run, style in text._runs
        )
        return self

    def __add__(self, other: "str | Text") -> "Text":
        result = Text(style=self.style)
        result._runs = list(self._runs)
        return result.append(other)

    @property
    def plain(self) -> str:
        runs = self._runs
        if len(runs) == 1:  # most cells: one run, nothing to join
            return runs[0][0]
        return "".join(run for run, _ in runs)

    @property
    def runs(self) -> list[tuple[str, str]]:
        """The (text, style) runs, the text's own ``style`` under each."""
        return list(self._runs)

    @property
    def cell_len(self) -> int:
        return cell_len(self.plain)

    def rstrip(self) -> None:
        """Drop the spaces at the end, in place."""
        while self._runs:
            run, style = self._runs[-1]
            kept = run.rstrip()
            if kept:
                self._runs[-1] = (kept, style)
                return
            self._runs.pop()

    def __rich__(self) -> Any:
        from rich.text import Text as RichText

        return RichText.assemble(*self._runs, style=self.style)

    def __repr__(self) -> str:
        return f"Text({self.plain!r})"


_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
_TAGS = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_EMOJI_CODE = re.compile(r":\S*?:")


def escape(markup: str) -> str:
    """``markup`` with its square brackets escaped, so that it prints as written (Rich's
    ``rich.markup.escape``, which its tag syntax above must match)."""
    markup = _ESCAPE.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


def _emoji(text: str) -> str:
    if _EMOJI_CODE.search(text) is None:  # no `:name:` at all: the common case, no dictionary
        return text
    from rich._emoji_replace import _emoji_replace

    return _emoji_replace(text)


def plain_markup(markup: str) -> str:
    """What Rich prints for ``markup`` without colour: the tags dropped, escapes undone, emoji
    codes replaced, control characters dropped (``rich.markup.render``'s reading of it)."""
    if "[" not in markup:
        return _emoji(markup).translate(_CONTROL)
    out: list[str] = []
    position = 0
    for match in _TAGS.finditer(markup):
        full, escapes, _tag = match.groups()
        start, end = match.span()
        if start > position:
            out.append(_emoji(markup[position:start].replace("\\[", "[")))
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            out.append("\\" * backslashes)
            if escaped:
                out.append(_emoji(full[len(escapes) :]))
        position = end
    if position < len(markup):
        out.append(_emoji(markup[position:].replace("\\[", "[")))
    return "".join(out).translate(_CONTROL)


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


class PlainConsole:
    """The console of a pipe: Rich's ``Console.print`` for markup strings and ``Text``, written
    as plain whole lines without trailing spaces, and without importing Rich. Anything else (a
    Rich renderable of a module that still builds one) is printed by a Rich console made for
    the pipe as before, on first need."""

    width = _PIPE_WIDTH
    is_terminal = False

    def __init__(self, stream: IO[str], soft_wrap: bool = False) -> None:
        self.file = stream
        self._soft_wrap = soft_wrap
        self._rich: RichConsole | None = None

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", **options: Any) -> None:
        if not all(isinstance(o, str | Text) for o in objects):
            self.rich().print(*objects, sep=sep, end=end, **options)
            self.rich().file.flush()
            return
        shown = sep.join(plain_markup(o) if isinstance(o, str) else o.plain for o in objects)
        self.write(shown + end)

    def write(self, text: str) -> None:
        """Write ``text`` as Rich would in a pipe: tabs expanded, no spaces at ends of lines."""
        if "\t" in text:
            text = "\n".join(line.expandtabs(_TAB_SIZE) for line in text.split("\n"))
        self.file.write("\n".join(line.rstrip(" ") for line in text.split("\n")))

    def rich(self) -> "RichConsole":
        """A Rich console on the same stream, whole lines and no trailing spaces."""
        if self._rich is None:
            from rich.console import Console

            trimmed: Any = _Trimmed(self.file)  # file-like enough for Rich
            self._rich = Console(
                file=trimmed, highlight=False, width=_PIPE_WIDTH, soft_wrap=self._soft_wrap
            )
        return self._rich


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def console_for(stream: IO[str], soft_wrap: bool = False) -> "RichConsole | PlainConsole":
    """A console writing to ``stream``: Rich's at the terminal's width there, plain whole lines
    in a pipe."""
    if _is_terminal(stream):
        from rich.console import Console

        return Console(file=stream, highlight=False, soft_wrap=soft_wrap)
    return PlainConsole(stream, soft_wrap=soft_wrap)


def stdout_console() -> Any:
    """The console for output, as every table here uses it (``PlainConsole`` or Rich's)."""
    # Made per call: tests swap sys.stdout, and a Console keeps the stream it was made with.
    return console_for(sys.stdout)


def stderr_console() -> Any:
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


def _pad(text: str, cells: int, width: int, right: bool) -> str:
    """``text``, ``cells`` wide on a terminal, padded with spaces to ``width`` cells (on the
    left when ``right``)."""
    gap = " " * (width - cells)
    return gap + text if right else text + gap


def table(console: Any, columns: Sequence[Column], rows: Sequence[Sequence[str | Text]]) -> None:
    """Print a table whose columns all stay: the fixed ones keep their full width; the ``wrap``
    ones wrap in what is left. When too little is left, each row's ``wrap`` text goes on lines of
    its own under the row, indented; and when the fixed columns alone are wider than the
    terminal, each row continues on indented lines, the header broken at the same columns.

    Widths are measured once, and every line is laid out here in one pass (Rich's ``Table``
    measures each cell twice, ~0.7 ms a row): in a pipe as plain aligned text, whole; on a
    terminal as styled segments that Rich only has to colour."""
    cells = [[_cell(value) for value in row] for row in rows]
    lengths = [[value.cell_len for value in row] for row in cells]
    widths = [max([len(c.header), *(row[i] for row in lengths)]) for i, c in enumerate(columns)]
    if isinstance(console, PlainConsole):
        gap = " " * _GAP
        right = [c.right for c in columns]
        lines = [
            gap.join(
                _pad(c.header, len(c.header), widths[i], c.right) for i, c in enumerate(columns)
            )
        ]
        for row, row_lengths in zip(cells, lengths, strict=True):
            lines.append(
                gap.join(
                    _pad(value.plain, row_lengths[i], widths[i], right[i])
                    for i, value in enumerate(row)
                )
            )
        console.file.write("".join(line.rstrip() + "\n" for line in lines))
        return
    fixed = [i for i, c in enumerate(columns) if not c.wrap]
    wrapped = [i for i, c in enumerate(columns) if c.wrap]
    needed = sum(widths[i] for i in fixed) + _GAP * (len(columns) - 1)
    needed += sum(min(widths[i], _WRAP_MIN) for i in wrapped)
    if needed <= console.width:
        _terminal_grid(console, columns, cells, lengths, widths)
        return
    _terminal_folded(console, columns, cells, widths, fixed, wrapped)


def _terminal_grid(
    console: "RichConsole",
    columns: Sequence[Column],
    cells: list[list[Text]],
    lengths: list[list[int]],
    widths: list[int],
) -> None:
    """The table on a terminal wide enough for every fixed column: the ``wrap`` columns share
    what is left, each row as many lines as its longest wrapped text.

    Written as few segments as it can be: the spaces between cells and the unstyled text run
    together into one, and each style is parsed once (a 4,000-row week is ~80,000 cells)."""
    from rich.segment import Segment, Segments
    from rich.style import Style

    spare = console.width - sum(w for w, c in zip(widths, columns, strict=True) if not c.wrap)
    spare -= _GAP * (len(columns) - 1)
    wrapped = [i for i, c in enumerate(columns) if c.wrap]
    # What is left goes to the wrapped columns in proportion to their text, each its _WRAP_MIN
    # at least (the caller checked that this much fits).
    want = sum(widths[i] for i in wrapped)
    if want > spare:
        for i in wrapped:
            widths[i] = max(min(widths[i], _WRAP_MIN), spare * widths[i] // want)
    styles: dict[tuple[str, str], Style | None] = {}

    def style(base: str, run: str) -> Style | None:
        key = (base, run)
        if key not in styles:
            name = f"{base} {run}".strip()
            styles[key] = Style.parse(name) if name else None
        return styles[key]

    segments: list[Segment] = []
    plain: list[str] = []  # unstyled text not yet in a segment
    blank = Text()
    head = [Text(c.header, style="bold") for c in columns]
    head_lengths = [len(c.header) for c in columns]
    for number_of_row, (row, row_lengths) in enumerate(
        zip((head, *cells), (head_lengths, *lengths), strict=True)
    ):
        lines = [_cell_lines(console, row[i], widths[i], row_lengths[i]) for i in wrapped]
        height = max([1, *(len(found) for found in lines)])
        for number in range(height):
            for i, column in enumerate(columns):
                if column.wrap:
                    found = lines[wrapped.index(i)]
                    value, length = found[number] if number < len(found) else (blank, 0)
                elif number:
                    value, length = blank, 0
                else:
                    value, length = row[i], row_lengths[i]
                pad = " " * (widths[i] - length)
                if i:
                    plain.append(" " * _GAP)
                if column.right:
                    plain.append(pad)
                # The header is bold only, as Rich's header_style: not in its column's colour.
                base_style = f"{column.style if number_of_row else ''} {value.style}".strip()
                for run, run_style in value._runs:
                    styled = style(base_style, run_style)
                    if styled is None:
                        plain.append(run)
                        continue
                    if plain:
                        segments.append(Segment("".join(plain)))
                        plain.clear()
                    segments.append(Segment(run, styled))
                if not column.right:
                    plain.append(pad)
            # No trailing spaces: a copied table pastes clean.
            ending = "".join(plain).rstrip()
            plain.clear()
            segments.append(Segment(ending + "\n"))
    # crop=False: every line is laid out within the width already, and Rich's cropping measures
    # every segment again (about half of a 4,000-row table's time on a terminal).
    console.print(Segments(segments), end="", crop=False)


def _cell_lines(
    console: "RichConsole", value: Text, width: int, length: int
) -> list[tuple[Text, int]]:
    """``value`` (``length`` cells) as lines of at most ``width`` cells, each with its length,
    broken between words as Rich breaks them (a word longer than the line folds)."""
    if length <= width:
        plain = value.plain
        if "\n" not in plain:
            return [(value, length)] if plain else []
    from rich.text import Text as RichText

    rich = RichText.assemble(*value._runs, style=value.style)
    lines = []
    for line in rich.wrap(console, width, overflow="fold"):
        text = Text(style=value.style)
        for segment in line.render(console):
            text.append(segment.text, str(segment.style or "") if segment.style else None)
        text.rstrip()
        lines.append((text, text.cell_len))
    return lines


def _terminal_folded(
    console: "RichConsole",
    columns: Sequence[Column],
    cells: list[list[Text]],
    widths: list[int],
    fixed: list[int],
    wrapped: list[int],
) -> None:
    """The table on a terminal too narrow for it (see ``table``)."""
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


def grid(console: Any, rows: Iterable[tuple[str, str | Text]]) -> None:
    """Keys in bold and their values, two spaces apart (``show``, ``profile``): Rich's
    ``Table.grid(padding=(0, 2))`` with a bold first column, which a pipe gets as plain text."""
    cells = [(key, _cell(value)) for key, value in rows]
    if isinstance(console, PlainConsole):
        width = max((len(key) for key, _ in cells), default=0)
        indent = " " * (width + _GAP)
        out = []
        for key, value in cells:
            first, *more = value.plain.split("\n")
            out.append(key.ljust(width) + " " * _GAP + first.expandtabs(_TAB_SIZE))
            out.extend(indent + line.expandtabs(_TAB_SIZE) for line in more)
        console.write("".join(line + "\n" for line in out))
        return
    from rich.table import Table

    shown = Table.grid(padding=(0, _GAP))
    shown.add_column(style="bold")
    shown.add_column()
    for key, value in cells:
        shown.add_row(key, value)
    console.print(shown)


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
