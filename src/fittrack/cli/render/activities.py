"""What ``log``, ``list``, ``show``, ``edit``, ``delete`` and ``restore`` print about activities."""

from collections.abc import Sequence
from datetime import datetime, tzinfo

from fittrack.cli.render import base
from fittrack.cli.render.base import Text, escape
from fittrack.core.activity import ActivityRecord
from fittrack.core.display import format_duration, format_figure, format_whole
from fittrack.core.goals import Goal
from fittrack.core.profile import Profile


def _when(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %Y %H:%M")


def _speed(record: ActivityRecord, profile: Profile, figures: base.Figures | None) -> str:
    """The activity's pace or speed in its sport's terms; "" without distance or time."""
    figure = base.figure_for(record.type, figures)
    if figure is None or not record.distance_m or record.duration_s <= 0:
        return ""
    return format_figure(figure, record.duration_s, record.distance_m, profile.units)


def _quantities(
    record: ActivityRecord, profile: Profile, figures: base.Figures | None = None
) -> str:
    parts = []
    if record.distance_m is not None:
        parts.append(base.sport_distance(record.distance_m, record.type, profile.units, figures))
    parts.append(format_duration(record.duration_s))
    text = " in ".join(parts)
    speed = _speed(record, profile, figures)
    return f"{text} ({speed})" if speed else text


def one_line(
    record: ActivityRecord, profile: Profile, tz: tzinfo, figures: base.Figures | None = None
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
    figures: base.Figures | None = None,
) -> None:
    """The one confirmation line of ``log`` and ``edit``."""
    calories = f"{format_whole(record.calories_kcal)} kcal" + (
        " (estimated)" if record.calories_estimated else ""
    )
    base.stdout_console().print(
        f"[green]✓[/] {verb} [bold]{record.type}[/] · {_quantities(record, profile, figures)} · "
        f"{calories} · {_when(record.start, record.start.tzinfo or tz)} · "
        f"id [cyan]{record.id[:8]}[/]",
        soft_wrap=True,
    )


def completed_goals(goals: Sequence[Goal]) -> None:
    """The cheer when a logged activity completes goals."""
    for goal in goals:
        base.stdout_console().print(
            f"[bold green]★ Goal reached:[/] {escape(goal.name)}!", soft_wrap=True
        )


def weight_hint() -> None:
    """Calories assumed 70 kg: say how to make them right."""
    base.stderr_console().print(
        "[dim]Calories assume 70 kg; set your weight with `fittrack profile set --weight 72kg`.[/]"
    )


def deleted(record: ActivityRecord) -> None:
    """Confirmation of a deletion."""
    base.stdout_console().print(f"Deleted {record.type} {record.id[:8]}.")


def activity_table(
    records: Sequence[ActivityRecord],
    profile: Profile,
    tz: tzinfo,
    more: bool,
    filtered: bool = False,
    figures: base.Figures | None = None,
) -> None:
    """The list of activities, with each one's pace or speed in its sport's terms."""
    console = base.stdout_console()
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
            ""
            if r.distance_m is None
            else base.sport_distance(r.distance_m, r.type, units, figures),
            format_duration(r.duration_s),
            _speed(r, profile, figures),
            format_whole(r.calories_kcal),
        ]
        for r in records
    ]
    columns = [
        base.Column("id", style="cyan"),
        base.Column("when"),
        base.Column("type"),
        base.Column("distance", right=True),
        base.Column("time", right=True),
        base.Column("pace/speed", right=True),
        base.Column("kcal", right=True),
    ]
    if not any(row[5] for row in rows):
        columns.pop(5)
        for row in rows:
            row.pop(5)
    notes = [r.note.replace("\n", " ") for r in records]
    if any(notes):
        columns.append(base.Column("note", wrap=True))
        for row, note in zip(rows, notes, strict=True):
            row.append(note)
    base.table(console, columns, rows)
    if more:
        base.stderr_console().print(
            f"[dim]Showing the newest {len(records)}; --limit 0 shows all.[/]", soft_wrap=True
        )


_HOW_ESTIMATED = {
    "given": "",
    "met": " (estimated from MET)",
    "met_corrected": " (estimated from MET and your resting rate)",
    "heart_rate": " (estimated from heart rate)",
}
"""What ``show`` says after the calories, by ``calories_method``."""


def activity_detail(
    record: ActivityRecord, profile: Profile, figures: base.Figures | None = None
) -> None:
    """``show``: every field of one activity."""
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
            else base.sport_distance(record.distance_m, record.type, profile.units, figures),
        ),
    ]
    speed = _speed(record, profile, figures)
    if speed:
        label = "speed" if base.figure_for(record.type, figures) == "speed" else "pace"
        rows.append((label, speed))
    rows += [
        (
            "calories",
            f"{format_whole(record.calories_kcal)} kcal{_HOW_ESTIMATED[record.method]}",
        ),
        ("workload", f"{format_whole(record.workload)} MET-min"),
        ("note", record.note or "—"),
        ("source", record.source),
        ("created", record.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("updated", record.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    # Text: a note like "[/red]" is words, not markup.
    base.grid(base.stdout_console(), [(key, Text(value)) for key, value in rows])
