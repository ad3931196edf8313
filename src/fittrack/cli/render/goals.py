"""What the ``goal`` commands print: the line confirming a change and the list of goals."""

from collections.abc import Sequence
from datetime import date

from fittrack.cli.render import base
from fittrack.cli.render.base import Text, escape
from fittrack.core.goals import Goal, format_amount
from fittrack.core.profile import Profile


def goal_line(goal: Goal, verb: str) -> None:
    """Confirmation of a goal change."""
    state = " (paused)" if goal.paused else ""
    ends = f", until {goal.end_date:%d %b %Y}" if goal.end_date else ""
    base.stdout_console().print(
        f"[green]✓[/] {verb} [bold]{escape(goal.name)}[/]{state} · "
        f"from {goal.start_date:%d %b %Y}{ends}"
        f" · id [cyan]{goal.id[:8]}[/]",
        soft_wrap=True,
    )


def goal_table(goals: Sequence[Goal], profile: Profile, today: date) -> None:
    """The list of goals."""
    console = base.stdout_console()
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
        base.Column("id", style="cyan"),
        base.Column("target", right=True),
        base.Column("per"),
        base.Column("type"),
        base.Column("from"),
        base.Column("until"),
        base.Column("state"),
        base.Column("name", wrap=True),
    ]
    if all(g.end_date is None for g in goals):
        columns.pop(5)
        for row in rows:
            row.pop(5)
    base.table(console, columns, rows)
