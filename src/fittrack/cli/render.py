"""Human output: the one module that imports Rich.

Rich drops colour by itself with ``NO_COLOR`` or when stdout is not a terminal, so the same calls
give plain, readable text in a pipe. Machine output (``--json``, ``--csv``) never comes here.
"""

import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo

from rich.console import Console
from rich.table import Table

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import ActivityType
from fittrack.core.profile import Profile
from fittrack.core.quantities import format_distance, format_duration, format_pace, format_weight
from fittrack.storage.activities import TypeTotals


def _out() -> Console:
    # Made per call: tests swap sys.stdout, and a Console keeps the stream it was made with.
    return Console(file=sys.stdout, highlight=False)


def _err() -> Console:
    return Console(file=sys.stderr, highlight=False)


def _when(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %Y %H:%M")


def _quantities(record: ActivityRecord, profile: Profile) -> str:
    parts = []
    if record.distance_m is not None:
        parts.append(format_distance(record.distance_m, profile.units))
    parts.append(format_duration(record.duration_s))
    text = " in ".join(parts)
    if record.distance_m and record.type in ("run", "walk", "hike"):
        text += f" ({format_pace(record.duration_s, record.distance_m, profile.units)})"
    return text


def one_line(record: ActivityRecord, profile: Profile, tz: tzinfo) -> str:
    """``run 5.00 km in 27:30 on Thu 20 Nov 2026 07:00 (3f2a9c1b)``, for prompts."""
    return (
        f"{record.type} {_quantities(record, profile)} on {_when(record.start, tz)} "
        f"({record.id[:8]})"
    )


def logged(record: ActivityRecord, profile: Profile, tz: tzinfo, verb: str = "Logged") -> None:
    """The one confirmation line of ``log`` and ``edit``."""
    calories = f"{record.calories_kcal:.0f} kcal" + (
        " (estimated)" if record.calories_estimated else ""
    )
    _out().print(
        f"[green]✓[/] {verb} [bold]{record.type}[/] · {_quantities(record, profile)} · "
        f"{calories} · {_when(record.start, tz)} · id [cyan]{record.id[:8]}[/]",
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
    records: Sequence[ActivityRecord], profile: Profile, tz: tzinfo, more: bool
) -> None:
    """The list of activities."""
    console = _out()
    if not records:
        console.print("No activities yet. Log one with: fittrack log run 5k 27:30")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("distance", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("kcal", justify="right", no_wrap=True)
    table.add_column("note", overflow="ellipsis", no_wrap=True, max_width=30)
    for r in records:
        table.add_row(
            r.id[:8],
            r.start.astimezone(tz).strftime("%a %Y-%m-%d %H:%M"),
            r.type,
            "" if r.distance_m is None else format_distance(r.distance_m, profile.units),
            format_duration(r.duration_s),
            f"{r.calories_kcal:.0f}",
            r.note.replace("\n", " "),
        )
    console.print(table)
    if more:
        _err().print(
            f"[dim]Showing the newest {len(records)}; --limit 0 shows all.[/]", soft_wrap=True
        )


def activity_detail(record: ActivityRecord, profile: Profile) -> None:
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
            "—" if record.distance_m is None else format_distance(record.distance_m, profile.units),
        ),
    ]
    if record.distance_m:
        rows.append(("pace", format_pace(record.duration_s, record.distance_m, profile.units)))
    rows += [
        (
            "calories",
            f"{record.calories_kcal:.0f} kcal"
            + (" (estimated from MET)" if record.calories_estimated else ""),
        ),
        ("workload", f"{record.workload:.0f} MET-min"),
        ("note", record.note or "—"),
        ("source", record.source),
        ("created", record.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("updated", record.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    for key, value in rows:
        table.add_row(key, value)
    _out().print(table)


def no_goals() -> None:
    """What ``status`` says before any goal exists."""
    _out().print("No goals yet.")


def week_totals(week_first: date, totals: Iterable[TypeTotals], profile: Profile) -> None:
    """This week's count, distance, time and calories per type."""
    totals = list(totals)
    console = _out()
    last = week_first + timedelta(days=6)
    title = f"This week ({week_first:%a %d %b} – {last:%a %d %b})"
    if not totals:
        console.print(f"{title}: nothing logged yet. Try: fittrack log run 5k 27:30")
        return
    table = Table(title=title, title_justify="left", box=None, header_style="bold")
    table.add_column("type")
    table.add_column("count", justify="right")
    table.add_column("distance", justify="right")
    table.add_column("time", justify="right")
    table.add_column("kcal", justify="right")
    for t in totals:
        table.add_row(
            t.type,
            str(t.count),
            format_distance(t.distance_m, profile.units) if t.distance_m else "",
            format_duration(t.duration_s),
            f"{t.calories_kcal:.0f}",
        )
    console.print(table)


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
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("type", style="bold", no_wrap=True)
    table.add_column("aliases")
    table.add_column("MET", justify="right", no_wrap=True)
    table.add_column("MET by speed", no_wrap=True)
    for k in kinds:
        mets = [m for _, m in k.speed_bands]
        table.add_row(
            k.slug + ("" if k.builtin else " *"),
            ", ".join(k.aliases),
            f"{k.met:g}",
            f"{min(mets):g}–{max(mets):g} ({len(mets)} bands)" if mets else "",
        )
    console = _out()
    console.print(table)
    console.print(
        "[dim]METs from the 2024 Adult Compendium; with a distance, run, walk, ride and swim "
        "use the MET of their speed band. * your own types.[/]"
    )
