"""What ``status``, ``progress`` and ``summary`` print: goals with their bars, the week's and a
span's totals per type, each goal's history and streaks, and personal records."""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from fittrack.cli.render import base
from fittrack.cli.render.base import Text
from fittrack.core.display import format_duration, format_figure, format_whole
from fittrack.core.goals import Goal, format_amount
from fittrack.core.profile import Profile
from fittrack.core.progress import PeriodResult, Progress
from fittrack.storage.activities import FASTEST_DISTANCES, Record, TypeTotals


def no_goals(elsewhere: int = 0) -> None:
    """What ``status`` and ``progress`` say when no goal is in force; ``elsewhere`` goals exist
    but start later or have ended."""
    if elsewhere:
        base.stdout_console().print(
            f"No goal is in force today: {base.plural(elsewhere, 'goal')} "
            f"{'starts' if elsewhere == 1 else 'start'} later or ended (see `fittrack goal list`)."
        )
        return
    base.stdout_console().print("No goals yet. Add one with: fittrack goal add 20km --per week")


def _totals_rows(
    totals: Iterable[TypeTotals], units: str, figures: base.Figures | None
) -> list[list[str | Text]]:
    return [
        [
            t.type,
            str(t.count),
            base.sport_distance(t.distance_m, t.type, units, figures) if t.distance_m else "",
            format_duration(t.duration_s),
            format_whole(t.calories_kcal),
        ]
        for t in totals
    ]


_TOTALS_COLUMNS = (
    base.Column("type"),
    base.Column("count", right=True),
    base.Column("distance", right=True),
    base.Column("time", right=True),
    base.Column("kcal", right=True),
)


def week_totals(
    week_first: date,
    totals: Iterable[TypeTotals],
    profile: Profile,
    figures: base.Figures | None = None,
    *,
    this_week: bool = True,
) -> None:
    """A week's count, distance, time and calories per type: this week's, or (``status
    --date`` in another week) that week's."""
    totals = list(totals)
    console = base.stdout_console()
    last = week_first + timedelta(days=6)
    span = f"{week_first:%a %d %b} – {last:%a %d %b %Y}"
    title = f"This week ({span})" if this_week else f"The week of {span}"
    if not totals:
        hint = ". Try: fittrack log run 5k 27:30" if this_week else ""
        console.print(f"{title}: nothing logged{' yet' if this_week else ''}{hint}", soft_wrap=True)
        return
    console.print(title, soft_wrap=True)
    base.table(console, _TOTALS_COLUMNS, _totals_rows(totals, profile.units, figures))


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
    console = base.stdout_console()
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
            f"{format_amount(g.metric, p.target, units)}"
            f"{' climbed' if g.metric == 'elevation' else ''}  {p.percent:.0f}%"
        )
        console.print(Text.assemble("  ", bar(p.percent, share), amounts))
        if p.status in ("on_track", "behind", "new") and p.remaining > 0:
            days = "today" if p.days_left <= 1 else f"a day for the {p.days_left} days left"
            need = format_amount(g.metric, p.needed_per_day, units)
            console.print(f"  [dim]{need} {days}[/]")
        elif p.status == "due":
            console.print(f"  [dim]{format_amount(g.metric, p.remaining, units)} short[/]")
        console.print()


def progress_history(
    goal: Goal,
    periods: Sequence[PeriodResult],
    streaks: tuple[int, int],
    profile: Profile,
    chart: bool,
) -> None:
    """``progress``: each period's value and status, the streaks, and optionally a bar chart."""
    console = base.stdout_console()
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
            base.Column("period"),
            base.Column("value", right=True),
            base.Column("target", right=True),
            base.Column("status"),
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
        base.table(console, columns, rows)
    current, longest = streaks
    console.print(f"  Streak: [bold]{current}[/] now, {longest} at best\n")


_FASTEST_METRES = {f"fastest {label}": metres for label, metres in FASTEST_DISTANCES}


def _record_value(record: Record, units: str, figures: base.Figures | None) -> str:
    """A record in its sport's terms: a distance, a time, or a time over a distance and its pace."""
    if record.label == "longest distance":
        return base.sport_distance(record.value, record.type, units, figures)
    metres = _FASTEST_METRES.get(record.label)
    figure = base.figure_for(record.type, figures)
    if metres is None or figure is None:
        return format_duration(record.value)
    return f"{format_duration(record.value)} ({format_figure(figure, record.value, metres, units)})"


def _record_source(record: Record) -> str:
    """Where a fastest time was run: a stretch of the track (and how far into the activity it
    began), or the whole activity's average; "" for the other records."""
    if record.source == "track" and record.start_offset_s is not None:
        return f"track, {format_duration(record.start_offset_s)} in"
    if record.label in _FASTEST_METRES:
        return "whole run"
    return ""


def summary(
    first: date | None,
    last: date | None,
    totals: Sequence[TypeTotals],
    records: Sequence[Record],
    best_week: tuple[str, float, int] | None,
    profile: Profile,
    figures: base.Figures | None = None,
) -> None:
    """``summary``: totals per type, then personal records."""
    console = base.stdout_console()
    units = profile.units
    span = "all time" if first is None else f"{first:%d %b %Y} – {last:%d %b %Y}"
    if not totals:
        console.print(f"Nothing logged in {span}.")
        return
    console.print(f"Totals, {span}", soft_wrap=True)
    base.table(console, _TOTALS_COLUMNS, _totals_rows(totals, units, figures))
    if records:
        console.print("\nRecords")
        columns: tuple[base.Column, ...] = (
            base.Column("record"),
            base.Column("type"),
            base.Column("value", right=True),
            base.Column("when"),
            base.Column("id", style="cyan"),
            base.Column("from"),
        )
        rows = [
            [
                r.label,
                r.type,
                _record_value(r, units, figures),
                f"{r.start:%Y-%m-%d}",
                r.activity_id[:8],
                _record_source(r),
            ]
            for r in records
        ]
        if not any(row[5] for row in rows):
            columns = columns[:5]
            rows = [row[:5] for row in rows]
        base.table(console, columns, rows)
    if best_week:
        week, moving, count = best_week
        console.print(
            f"Most active week: [bold]{week}[/], {format_duration(moving)} in "
            f"{base.plural(count, 'activity', 'activities')}",
            soft_wrap=True,
        )
