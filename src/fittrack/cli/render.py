"""Human output: with ``render_import`` (what ``import`` prints), the only modules importing Rich.

Rich drops colour by itself with ``NO_COLOR`` or when stdout is not a terminal, so the same calls
give plain, readable text in a pipe. There, output is also whole: no width to crop or wrap at,
and no trailing spaces from a table's padding (``_out``). On a terminal, tables fit its width by
wrapping the text a person wrote (a note, a goal's name), and when even that cannot fit, that text
goes on a line of its own under its row (``_table``): a column never silently disappears.
Machine output (``--json``, ``--csv``) never comes here.
"""

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import BUILTIN_TYPES, ActivityType
from fittrack.core.goals import Goal, format_amount
from fittrack.core.profile import Profile
from fittrack.core.progress import PeriodResult, Progress
from fittrack.core.quantities import (
    format_duration,
    format_figure,
    format_sport_distance,
    format_weight,
    format_whole,
)
from fittrack.storage.activities import FASTEST_DISTANCES, Record, TypeTotals

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


def _console(stream: IO[str], soft_wrap: bool = False) -> Console:
    if _is_terminal(stream):
        return Console(file=stream, highlight=False, soft_wrap=soft_wrap)
    # Not a terminal: Rich would crop and pad to 80 columns; a pipe has no width.
    trimmed: Any = _Trimmed(stream)  # file-like enough for Rich: write, flush, isatty, encoding
    return Console(file=trimmed, highlight=False, width=_PIPE_WIDTH, soft_wrap=soft_wrap)


def _out() -> Console:
    # Made per call: tests swap sys.stdout, and a Console keeps the stream it was made with.
    return _console(sys.stdout)


def stdout_console() -> Console:
    """The console for output, as every table here uses it (for ``render_import``)."""
    return _out()


def stderr_console() -> Console:
    """The console for progress and hints on stderr (for ``render_import``)."""
    return _err()


def _err() -> Console:
    # Hints are single lines that name commands: never break them at 80 columns in a pipe.
    return _console(sys.stderr, soft_wrap=True)


@dataclass(frozen=True)
class _Column:
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


def _table(
    console: Console, columns: Sequence[_Column], rows: Sequence[Sequence[str | Text]]
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
        table = Table(box=None, header_style="bold", pad_edge=False)
        for i, column in enumerate(columns):
            table.add_column(
                column.header,
                style=column.style,
                justify="right" if column.right else "left",
                no_wrap=not column.wrap,
                overflow="fold",
                min_width=None if column.wrap else widths[i],
            )
        for row in cells:
            table.add_row(*row)
        console.print(table)
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


def _figure(slug: str, figures: Figures | None) -> str | None:
    if figures is not None and slug in figures:
        return figures[slug]
    # A custom type the caller did not look up reads as pace, the default figure.
    return _BUILTIN_FIGURES.get(slug, "pace")


def _distance(metres: float, slug: str, units: str, figures: Figures | None) -> str:
    return format_sport_distance(metres, units, _figure(slug, figures))


def _when(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %Y %H:%M")


def _speed(record: ActivityRecord, profile: Profile, figures: Figures | None) -> str:
    """The activity's pace or speed in its sport's terms; "" without distance or time."""
    figure = _figure(record.type, figures)
    if figure is None or not record.distance_m or record.duration_s <= 0:
        return ""
    return format_figure(figure, record.duration_s, record.distance_m, profile.units)


def _quantities(record: ActivityRecord, profile: Profile, figures: Figures | None = None) -> str:
    parts = []
    if record.distance_m is not None:
        parts.append(_distance(record.distance_m, record.type, profile.units, figures))
    parts.append(format_duration(record.duration_s))
    text = " in ".join(parts)
    speed = _speed(record, profile, figures)
    return f"{text} ({speed})" if speed else text


def one_line(
    record: ActivityRecord, profile: Profile, tz: tzinfo, figures: Figures | None = None
) -> str:
    """``run 5.00 km in 27:30 (5:30 /km) on Thu 20 Nov 2026 07:00 (3f2a9c1b)``, for prompts."""
    return (
        f"{record.type} {_quantities(record, profile, figures)} on {_when(record.start, tz)} "
        f"({record.id[:8]})"
    )


def logged(
    record: ActivityRecord,
    profile: Profile,
    tz: tzinfo,
    verb: str = "Logged",
    figures: Figures | None = None,
) -> None:
    """The one confirmation line of ``log`` and ``edit``."""
    calories = f"{format_whole(record.calories_kcal)} kcal" + (
        " (estimated)" if record.calories_estimated else ""
    )
    _out().print(
        f"[green]✓[/] {verb} [bold]{record.type}[/] · {_quantities(record, profile, figures)} · "
        f"{calories} · {_when(record.start, record.start.tzinfo or tz)} · "
        f"id [cyan]{record.id[:8]}[/]",
        soft_wrap=True,
    )


def weight_hint() -> None:
    """Calories assumed 70 kg: say how to make them right."""
    _err().print(
        "[dim]Calories assume 70 kg; set your weight with `fittrack profile set --weight 72kg`.[/]"
    )


def deleted(record: ActivityRecord) -> None:
    """Confirmation of a deletion."""
    _out().print(f"Deleted {record.type} {record.id[:8]}.")


def activity_table(
    records: Sequence[ActivityRecord],
    profile: Profile,
    tz: tzinfo,
    more: bool,
    filtered: bool = False,
    figures: Figures | None = None,
) -> None:
    """The list of activities, with each one's pace or speed in its sport's terms."""
    console = _out()
    if not records:
        if filtered:
            console.print("No activities match.")
        else:
            console.print("No activities yet. Log one with: fittrack log run 5k 27:30")
        return
    units = profile.units
    rows = [
        [
            r.id[:8],
            r.start.astimezone(tz).strftime("%a %Y-%m-%d %H:%M"),
            r.type,
            "" if r.distance_m is None else _distance(r.distance_m, r.type, units, figures),
            format_duration(r.duration_s),
            _speed(r, profile, figures),
            format_whole(r.calories_kcal),
        ]
        for r in records
    ]
    columns = [
        _Column("id", style="cyan"),
        _Column("when"),
        _Column("type"),
        _Column("distance", right=True),
        _Column("time", right=True),
        _Column("pace/speed", right=True),
        _Column("kcal", right=True),
    ]
    if not any(row[5] for row in rows):
        columns.pop(5)
        for row in rows:
            row.pop(5)
    notes = [r.note.replace("\n", " ") for r in records]
    if any(notes):
        columns.append(_Column("note", wrap=True))
        for row, note in zip(rows, notes, strict=True):
            row.append(note)
    _table(console, columns, rows)
    if more:
        _err().print(
            f"[dim]Showing the newest {len(records)}; --limit 0 shows all.[/]", soft_wrap=True
        )


def activity_detail(
    record: ActivityRecord, profile: Profile, figures: Figures | None = None
) -> None:
    """``show``: every field of one activity."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("id", record.id),
        ("type", record.type),
        ("start", record.start.strftime("%a %d %b %Y %H:%M:%S %z")),
        ("end", record.end.strftime("%a %d %b %Y %H:%M:%S %z")),
        ("moving time", format_duration(record.duration_s)),
        (
            "distance",
            "—"
            if record.distance_m is None
            else _distance(record.distance_m, record.type, profile.units, figures),
        ),
    ]
    speed = _speed(record, profile, figures)
    if speed:
        label = "speed" if _figure(record.type, figures) == "speed" else "pace"
        rows.append((label, speed))
    rows += [
        (
            "calories",
            f"{format_whole(record.calories_kcal)} kcal"
            + (" (estimated from MET)" if record.calories_estimated else ""),
        ),
        ("workload", f"{format_whole(record.workload)} MET-min"),
        ("note", record.note or "—"),
        ("source", record.source),
        ("created", record.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("updated", record.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    for key, value in rows:
        table.add_row(key, Text(value))  # Text: a note like "[/red]" is words, not markup
    _out().print(table)


def no_goals(elsewhere: int = 0) -> None:
    """What ``status`` and ``progress`` say when no goal is in force; ``elsewhere`` goals exist
    but start later or have ended."""
    if elsewhere:
        _out().print(
            f"No goal is in force today: {plural(elsewhere, 'goal')} "
            f"{'starts' if elsewhere == 1 else 'start'} later or ended (see `fittrack goal list`)."
        )
        return
    _out().print("No goals yet. Add one with: fittrack goal add 20km --per week")


def _totals_rows(
    totals: Iterable[TypeTotals], units: str, figures: Figures | None
) -> list[list[str | Text]]:
    return [
        [
            t.type,
            str(t.count),
            _distance(t.distance_m, t.type, units, figures) if t.distance_m else "",
            format_duration(t.duration_s),
            format_whole(t.calories_kcal),
        ]
        for t in totals
    ]


_TOTALS_COLUMNS = (
    _Column("type"),
    _Column("count", right=True),
    _Column("distance", right=True),
    _Column("time", right=True),
    _Column("kcal", right=True),
)


def week_totals(
    week_first: date,
    totals: Iterable[TypeTotals],
    profile: Profile,
    figures: Figures | None = None,
) -> None:
    """This week's count, distance, time and calories per type."""
    totals = list(totals)
    console = _out()
    last = week_first + timedelta(days=6)
    title = f"This week ({week_first:%a %d %b} – {last:%a %d %b %Y})"
    if not totals:
        console.print(
            f"{title}: nothing logged yet. Try: fittrack log run 5k 27:30", soft_wrap=True
        )
        return
    console.print(title, soft_wrap=True)
    _table(console, _TOTALS_COLUMNS, _totals_rows(totals, profile.units, figures))


def profile(profile: Profile, system_zone: str | None) -> None:
    """The profile, with what each unset value falls back to."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "weight",
        "not set (calories assume 70 kg)"
        if profile.weight_kg is None
        else format_weight(profile.weight_kg, profile.units),
    )
    table.add_row("timezone", profile.timezone or f"{system_zone or 'unknown'} (the system's)")
    table.add_row("units", profile.units)
    table.add_row("week starts", profile.week_start)
    _out().print(table)


def types_table(kinds: Iterable[ActivityType]) -> None:
    """Activity types with aliases and METs."""
    rows: list[list[str | Text]] = []
    for k in kinds:
        mets = [m for _, m in k.speed_bands]
        rows.append(
            [
                k.slug + ("" if k.builtin else " *"),
                f"{k.met:g}",
                f"{min(mets):g}–{max(mets):g} ({len(mets)} bands)" if mets else "",
                ", ".join(k.aliases),
            ]
        )
    console = _out()
    columns = (
        _Column("type", style="bold"),
        _Column("MET", right=True),
        _Column("MET by speed"),
        _Column("aliases", wrap=True),
    )
    _table(console, columns, rows)
    console.print(
        "[dim]METs from the 2024 Adult Compendium; with a distance, run, walk, ride and swim "
        "use the MET of their speed band. * your own types.[/]"
    )


STATUS_STYLE = {
    "success": ("done", "bold green"),
    "on_track": ("on track", "green"),
    "behind": ("behind", "yellow"),
    "new": ("not started", "cyan"),
    "due": ("missed", "red"),
    "paused": ("paused", "dim"),
}


def _status(status: str) -> Text:
    words, style = STATUS_STYLE.get(status, (status, ""))
    return Text(words, style=style)


def goal_line(goal: Goal, verb: str) -> None:
    """Confirmation of a goal change."""
    state = " (paused)" if goal.paused else ""
    ends = f", until {goal.end_date:%d %b %Y}" if goal.end_date else ""
    _out().print(
        f"[green]✓[/] {verb} [bold]{escape(goal.name)}[/]{state} · "
        f"from {goal.start_date:%d %b %Y}{ends}"
        f" · id [cyan]{goal.id[:8]}[/]",
        soft_wrap=True,
    )


def goal_table(goals: Sequence[Goal], profile: Profile, today: date) -> None:
    """The list of goals."""
    console = _out()
    if not goals:
        console.print("No goals yet. Add one with: fittrack goal add 20km --per week")
        return
    rows: list[list[str | Text]] = []
    for g in goals:
        ended = g.end_date is not None and g.end_date < today
        rows.append(
            [
                g.id[:8],
                format_amount(g.metric, g.target, profile.units),
                g.period,
                g.activity_type or "all",
                f"{g.start_date}",
                "" if g.end_date is None else f"{g.end_date}",
                Text("ended", style="dim")
                if ended
                else (Text("paused", style="dim") if g.paused else Text("active", style="green")),
                Text(g.name),
            ]
        )
    columns = [
        _Column("id", style="cyan"),
        _Column("target", right=True),
        _Column("per"),
        _Column("type"),
        _Column("from"),
        _Column("until"),
        _Column("state"),
        _Column("name", wrap=True),
    ]
    if all(g.end_date is None for g in goals):
        columns.pop(5)
        for row in rows:
            row.pop(5)
    _table(console, columns, rows)


def bar(percent: float, expected_share: float | None, width: int = 24) -> Text:
    """A progress bar; ``│`` marks where a steady pace would be now."""
    filled = max(0, min(width, round(width * percent / 100)))
    marker = None
    if expected_share is not None and 0 < expected_share < 1:
        marker = min(width - 1, int(width * expected_share))
    text = Text()
    for i in range(width):
        if i == marker:
            text.append("│", style="bold white")
        elif i < filled:
            text.append("█", style="green" if percent >= 100 else "cyan")
        else:
            text.append("░", style="grey35")  # distinct from █ without colour (NO_COLOR, a pipe)
    return text


def status_goals(progresses: Sequence[Progress], profile: Profile) -> None:
    """``status``: one block per goal: name, bar with pace marker, numbers, what is needed."""
    console = _out()
    units = profile.units
    for p in progresses:
        g = p.goal
        share = p.expected / p.target if p.target else None
        head = Text.assemble(
            (g.name, "bold"), f"  {p.period_start:%d %b}–{p.period_end:%d %b}  ", _status(p.status)
        )
        console.print(head)
        amounts = (
            f" {format_amount(g.metric, p.current, units)} / "
            f"{format_amount(g.metric, p.target, units)}  {p.percent:.0f}%"
        )
        console.print(Text.assemble("  ", bar(p.percent, share), amounts))
        if p.status in ("on_track", "behind", "new") and p.remaining > 0:
            days = "today" if p.days_left <= 1 else f"a day for the {p.days_left} days left"
            need = format_amount(g.metric, p.needed_per_day, units)
            console.print(f"  [dim]{need} {days}[/]")
        elif p.status == "due":
            console.print(f"  [dim]{format_amount(g.metric, p.remaining, units)} short[/]")
        console.print()


def completed_goals(goals: Sequence[Goal]) -> None:
    """The cheer when a logged activity completes goals."""
    for goal in goals:
        _out().print(f"[bold green]★ Goal reached:[/] {escape(goal.name)}!", soft_wrap=True)


def progress_history(
    goal: Goal,
    periods: Sequence[PeriodResult],
    streaks: tuple[int, int],
    profile: Profile,
    chart: bool,
) -> None:
    """``progress``: each period's value and status, the streaks, and optionally a bar chart."""
    console = _out()
    units = profile.units
    console.print(Text.assemble((goal.name, "bold"), f"  ({goal.id[:8]})"))
    if chart:
        top = max([goal.target, *(p.current for p in periods)]) or 1.0
        width = 36
        target_at = min(width - 1, round(width * goal.target / top))
        for p in periods:
            filled = round(width * p.current / top)
            line = Text(f"  {p.period_start:%Y-%m-%d} ")
            for i in range(width):
                if i == target_at:
                    line.append("┊" if i >= filled else "┃", style="bold white")
                elif i < filled:
                    line.append("█", style="green" if p.status == "success" else "cyan")
                else:
                    line.append(" ")
            line.append(f" {format_amount(goal.metric, p.current, units)}")
            console.print(line)
        console.print(f"  [dim]┊ target {format_amount(goal.metric, goal.target, units)}[/]")
    else:
        columns = (
            _Column("period"),
            _Column("value", right=True),
            _Column("target", right=True),
            _Column("status"),
        )
        rows: list[list[str | Text]] = [
            [
                f"{p.period_start:%Y-%m-%d} – {p.period_end:%Y-%m-%d}",
                format_amount(goal.metric, p.current, units),
                format_amount(goal.metric, p.target, units),
                _status(p.status),
            ]
            for p in periods
        ]
        _table(console, columns, rows)
    current, longest = streaks
    console.print(f"  Streak: [bold]{current}[/] now, {longest} at best\n")


_FASTEST_METRES = {f"fastest {label}": metres for label, metres in FASTEST_DISTANCES}


def _record_value(record: Record, units: str, figures: Figures | None) -> str:
    """A record in its sport's terms: a distance, a time, or a time over a distance and its pace."""
    if record.label == "longest distance":
        return _distance(record.value, record.type, units, figures)
    metres = _FASTEST_METRES.get(record.label)
    figure = _figure(record.type, figures)
    if metres is None or figure is None:
        return format_duration(record.value)
    return f"{format_duration(record.value)} ({format_figure(figure, record.value, metres, units)})"


def summary(
    first: date | None,
    last: date | None,
    totals: Sequence[TypeTotals],
    records: Sequence[Record],
    best_week: tuple[str, float, int] | None,
    profile: Profile,
    figures: Figures | None = None,
) -> None:
    """``summary``: totals per type, then personal records."""
    console = _out()
    units = profile.units
    span = "all time" if first is None else f"{first:%d %b %Y} – {last:%d %b %Y}"
    if not totals:
        console.print(f"Nothing logged in {span}.")
        return
    console.print(f"Totals, {span}", soft_wrap=True)
    _table(console, _TOTALS_COLUMNS, _totals_rows(totals, units, figures))
    if records:
        console.print("\nRecords")
        columns = (
            _Column("record"),
            _Column("type"),
            _Column("value", right=True),
            _Column("when"),
            _Column("id", style="cyan"),
        )
        rows = [
            [
                r.label,
                r.type,
                _record_value(r, units, figures),
                f"{r.start:%Y-%m-%d}",
                r.activity_id[:8],
            ]
            for r in records
        ]
        _table(console, columns, rows)
    if best_week:
        week, moving, count = best_week
        console.print(
            f"Most active week: [bold]{week}[/], {format_duration(moving)} in "
            f"{plural(count, 'activity', 'activities')}",
            soft_wrap=True,
        )


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 activity", "2 activities", "0 files"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def last_sync(when: datetime, now: datetime) -> None:
    """``status``: when this device last synced."""
    minutes = max(0, int((now - when).total_seconds() // 60))
    if minutes < 1:
        ago = "just now"
    elif minutes < 120:
        ago = f"{minutes} min ago"
    elif minutes < 48 * 60:
        ago = f"{minutes // 60} h ago"
    else:
        ago = f"{minutes // 1440} days ago"
    local = when.astimezone(now.tzinfo)
    _out().print(f"[dim]Last synced {local:%Y-%m-%d %H:%M} ({ago}).[/]")


def unsynced(count: int) -> None:
    """``status``: local changes a sync would push."""
    changes = "1 change" if count == 1 else f"{count} changes"
    _out().print(f"{changes} not yet synced — run `fittrack sync`.", soft_wrap=True)
