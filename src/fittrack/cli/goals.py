"""``fittrack goal …``: set, list, change, pause, resume and delete goals."""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from fittrack.cli import complete
from fittrack.cli.common import (
    JsonFlag,
    Session,
    after_change,
    confirm,
    open_session,
    print_json,
)

if TYPE_CHECKING:
    from fittrack.core.goals import Goal

goal_app = typer.Typer(
    help="Goals per day, week, month or year.\n\n"
    "Example: fittrack goal add 20km --per week --type run",
    no_args_is_help=True,
)

GoalIdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The goal's id or a unique prefix (4+ characters).",
        autocompletion=complete.goal_ids,
    ),
]
TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type",
        metavar="TYPE",
        help="Count only this activity type ('all' for every type).",
        show_default=False,
        autocompletion=complete.activity_types,
    ),
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="TEXT",
        help="A name to show (default: what the goal says).",
        show_default=False,
    ),
]
MetricOpt = Annotated[
    str | None,
    typer.Option(
        "--metric",  # no short form: `goal add -5km` must stay a (refused) target, not -m 5km
        metavar="METRIC",
        help="What TARGET counts when its unit can't say: elevation (2000m climbed), or "
        "distance, duration, count, calories [default: from the unit].",
        show_default=False,
    ),
]
EndDateOpt = Annotated[
    str | None,
    typer.Option(
        "--end",
        metavar="DATE",
        help="Last day of the goal ('none' to remove it).",
        show_default=False,
    ),
]


def _day(session: Session, text: str) -> date:
    from fittrack.core.dates import parse_day

    return parse_day(text, session.tz, session.now.date())


def _type_slug(session: Session, text: str | None) -> str | None:
    if text is None or text.strip().lower() == "all":
        return None
    return session.resolve_type(text).slug


def _words(verb: str, goal: "Goal") -> str:
    """``paused goal 'Run 20 km a week' (id 7c1e2b3a)``: a goal change in the undo journal."""
    return f"{verb} goal '{goal.name}' (id {goal.id[:8]})"


def _show(session: Session, goal: object, as_json: bool, verb: str) -> None:
    from fittrack.core.goals import Goal

    assert isinstance(goal, Goal)
    if as_json:
        print_json(goal.to_json())
        return
    from fittrack.cli.render import goals as render

    render.goal_line(goal, verb)


# Unknown options reach TARGET, so `goal add -5km` is refused as a negative target, in one line.
@goal_app.command("add", context_settings={"ignore_unknown_options": True})
def goal_add(
    target: Annotated[
        str,
        typer.Argument(
            metavar="TARGET",
            help="Amount with its unit: 20km, 10mi, 150min, 3h, 3times, 3x, 2000kcal.",
        ),
    ],
    per: Annotated[
        str,
        typer.Option(
            "--per", "-p", metavar="PERIOD", help="day, week, month or year.", show_default=False
        ),
    ],
    type_: TypeOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help="First day of the goal [default: today].",
            show_default=False,
        ),
    ] = None,
    end: EndDateOpt = None,
    name: NameOpt = None,
    metric: MetricOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Set a goal. The unit of TARGET decides what is counted (or --metric).

    A goal that starts mid-week (or month, year) counts that whole first period.

    Examples:

      fittrack goal add 20km --per week --type run

      fittrack goal add 3times --per week

      fittrack goal add 2000kcal --per month --start 2026-12-01 --name "December burn"

      fittrack goal add 2000m --per month --type ride --metric elevation
    """
    from fittrack.core.goals import new_goal, parse_target
    from fittrack.core.periods import check_period
    from fittrack.errors import UsageError
    from fittrack.storage.db import write
    from fittrack.storage.goals import insert_goal
    from fittrack.storage.undo import remember

    parse_target(target, metric)  # bad input is refused before the database is opened
    check_period(per)
    session = open_session()
    activity_type = _type_slug(session, type_)
    first = session.now.date() if start is None else _day(session, start)
    last = None if end is None or end.strip().lower() == "none" else _day(session, end)
    if last is not None and last < first:
        raise UsageError(f"the goal ends ({last}) before it starts ({first}); give a later --end")
    goal = new_goal(
        target,
        per,
        activity_type=activity_type,
        start_date=first,
        end_date=last,
        name=name,
        units=session.profile.units,
        now=session.now,
        metric=metric,
    )
    with write(session.conn) as conn:
        remember(conn, session.now, _words("added", goal), "goal", goal.id)
        insert_goal(conn, goal)
    after_change(session)
    _show(session, goal, as_json, "Added goal")


@goal_app.command("list")
def goal_list(
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="Also goals that have ended.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List your goals (those that have ended too, with --all).

    Example: fittrack goal list --all
    """
    from fittrack.storage.goals import load_goals

    session = open_session()
    today = session.now.date()
    goals = [
        g for g in load_goals(session.conn) if show_all or g.end_date is None or g.end_date >= today
    ]
    if as_json:
        print_json([g.to_json() for g in goals])
        return
    from fittrack.cli.render import goals as render

    render.goal_table(goals, session.profile, today)


@goal_app.command("edit")
def goal_edit(
    goal_id: GoalIdArg,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            metavar="TARGET",
            help="A new target with its unit: 25km.",
            show_default=False,
        ),
    ] = None,
    per: Annotated[
        str | None,
        typer.Option("--per", "-p", metavar="PERIOD", help="A new period.", show_default=False),
    ] = None,
    type_: TypeOpt = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="DATE", help="A new first day.", show_default=False),
    ] = None,
    end: EndDateOpt = None,
    name: NameOpt = None,
    metric: MetricOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a goal: give only what changes (--metric goes with --target).

    Example: fittrack goal edit 7c1e --target 25km --end 2026-12-31
    """
    from dataclasses import replace

    from fittrack.core.goals import describe, generated_name, parse_target, target_unit
    from fittrack.core.periods import check_period
    from fittrack.errors import UsageError
    from fittrack.storage.db import write
    from fittrack.storage.goals import find_goal, update_goal
    from fittrack.storage.undo import remember

    if all(v is None for v in (target, per, type_, start, end, name, metric)):
        raise UsageError(
            "nothing to change: give --target, --per, --type, --start, --end or --name"
        )
    if metric is not None and target is None:
        raise UsageError("--metric goes with a --target: give both, e.g. --target 2000m")
    deferred: UsageError | None = None
    try:
        parsed = None if target is None else parse_target(target, metric)
    except UsageError as error:
        if metric is not None:
            raise
        # `800m` is ambiguous for most goals but a height for a climbing one: known below.
        parsed, deferred = None, error
    period = None if per is None else check_period(per)
    session = open_session()
    old = find_goal(session.conn, goal_id)
    goal = old
    if target is not None and metric is None and old.metric == "elevation":
        # A new height for a climbing goal stays a height (`--target 3000m`); another unit
        # (`3h`) changes what the goal counts, as for any goal.
        try:
            parsed = parse_target(target, "elevation")
            metric = "elevation"
        except UsageError:
            pass
    if parsed is None and deferred is not None:
        raise deferred
    if parsed is not None:
        goal = replace(goal, metric=parsed[0], target=parsed[1])
    if period is not None:
        goal = replace(goal, period=period)
    if type_ is not None:
        goal = replace(goal, activity_type=_type_slug(session, type_))
    if start is not None:
        goal = replace(goal, start_date=_day(session, start))
    if end is not None:
        goal = replace(goal, end_date=None if end.strip().lower() == "none" else _day(session, end))
    if goal.end_date is not None and goal.end_date < goal.start_date:
        raise UsageError(
            f"the goal would end ({goal.end_date}) before it starts ({goal.start_date})"
        )
    units = session.profile.units
    generated, unit = generated_name(old, units)
    if target is not None:
        unit = target_unit(target, metric)
    if name is not None:
        from fittrack.core.quantities import MAX_NAME_CHARS, check_length

        check_length(name, "the goal's name", MAX_NAME_CHARS)
        goal = replace(goal, name=name.strip() or describe(goal, units, unit))
    elif generated:
        goal = replace(
            goal, name=describe(goal, units, unit)
        )  # a generated name follows the change
    goal = replace(goal, updated_at=session.now)
    with write(session.conn) as conn:
        remember(conn, session.now, _words("edited", old), "goal", old.id)
        update_goal(conn, goal)
    after_change(session)
    _show(session, goal, as_json, "Updated goal")


@goal_app.command("pause")
def goal_pause(goal_id: GoalIdArg, as_json: JsonFlag = False) -> None:
    """Pause a goal: its periods from today count neither for nor against a streak.

    Example: fittrack goal pause 7c1e
    """
    from dataclasses import replace

    from fittrack.storage.db import write
    from fittrack.storage.goals import find_goal, update_goal
    from fittrack.storage.undo import remember

    session = open_session()
    goal = find_goal(session.conn, goal_id)
    verb = "Already paused:"
    if not goal.paused:
        verb = "Paused goal"
        today = session.now.date()
        goal = replace(
            goal, paused=True, pauses=(*goal.pauses, (today, None)), updated_at=session.now
        )
        with write(session.conn) as conn:
            remember(conn, session.now, _words("paused", goal), "goal", goal.id)
            update_goal(conn, goal)
        after_change(session)
    _show(session, goal, as_json, verb)


@goal_app.command("resume")
def goal_resume(goal_id: GoalIdArg, as_json: JsonFlag = False) -> None:
    """Resume a paused goal from today.

    Example: fittrack goal resume 7c1e
    """
    from dataclasses import replace

    from fittrack.storage.db import write
    from fittrack.storage.goals import find_goal, update_goal
    from fittrack.storage.undo import remember

    session = open_session()
    goal = find_goal(session.conn, goal_id)
    verb = "Not paused:"
    if goal.paused:
        verb = "Resumed goal"
        today = session.now.date()
        pauses = list(goal.pauses)
        if pauses and pauses[-1][1] is None:
            first = pauses.pop()[0]
            if first < today:  # paused and resumed the same day: no pause to remember
                pauses.append((first, today - timedelta(days=1)))
        goal = replace(goal, paused=False, pauses=tuple(pauses), updated_at=session.now)
        with write(session.conn) as conn:
            remember(conn, session.now, _words("resumed", goal), "goal", goal.id)
            update_goal(conn, goal)
        after_change(session)
    _show(session, goal, as_json, verb)


@goal_app.command("delete")
def goal_delete(
    goal_id: GoalIdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the deleted goal (with deleted_at) as JSON; still asks."
        ),
    ] = False,
) -> None:
    """Delete a goal (after asking, unless --yes). Your activities stay.

    `fittrack undo` brings it back.

    Example: fittrack goal delete 7c1e --yes
    """
    from dataclasses import replace

    from fittrack.storage.db import write
    from fittrack.storage.goals import find_goal, update_goal
    from fittrack.storage.undo import remember

    session = open_session()
    goal = find_goal(session.conn, goal_id)
    if not yes and not confirm(f"Delete goal '{goal.name}'?"):
        typer.echo("Nothing deleted.", err=True)
        raise typer.Exit(code=1)
    deleted = replace(goal, deleted_at=session.now, updated_at=session.now)
    with write(session.conn) as conn:
        remember(conn, session.now, _words("deleted", goal), "goal", goal.id, deletes=True)
        update_goal(conn, deleted)
    after_change(session)
    if as_json:
        from fittrack.core.moments import stamp

        print_json(deleted.to_json() | {"deleted_at": stamp(session.now)})
        return
    typer.echo(f"Deleted goal '{goal.name}' ({goal.id[:8]}).")
