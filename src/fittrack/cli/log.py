"""``fittrack log``: record an activity in one line."""

from typing import Annotated

import typer

from fittrack.cli import complete
from fittrack.cli.common import (
    CaloriesOpt,
    DistanceOpt,
    DurationOpt,
    EndOpt,
    JsonFlag,
    NoteOpt,
    StartOpt,
    after_change,
    open_session,
    print_json,
)


def log(
    activity_type: Annotated[
        str,
        typer.Argument(
            metavar="TYPE",
            help="run, walk, ride, swim, … (see `fittrack types list`).",
            autocompletion=complete.activity_types,
        ),
    ],
    quantities: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[DISTANCE] [DURATION]",
            help="A distance and/or a duration, recognised by their form: 5k 27:30, 800m, 45min.",
            show_default=False,
        ),
    ] = None,
    start: StartOpt = None,
    end: EndOpt = None,
    distance: DistanceOpt = None,
    duration: DurationOpt = None,
    calories: CaloriesOpt = None,
    note: NoteOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Log it even when one of its type starts within a minute of it, or when its "
            "speed is beyond what anyone does.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Record an activity. With no --start, it ends now.

    Refused, unless --force: an activity of the same type starting within a minute of one already
    logged (a double), and a speed beyond the type's plausible maximum (a slip such as 1:05 for
    1:05:00). A start or end in the future is always refused.

    Examples:

      fittrack log run 5k 27:30

      fittrack log ride 42km 1h30m --start "yesterday 17:00" --note "headwind"

      fittrack log yoga 45min --calories 150
    """
    from fittrack.cli.quantities import check_speed, misplaced_type, read_quantities
    from fittrack.core.activity import plan_activity
    from fittrack.errors import UsageError
    from fittrack.storage import activities
    from fittrack.storage.db import write
    from fittrack.storage.goals import completed_by
    from fittrack.storage.sync import WEIGHT_HINT_DAY, claim_day
    from fittrack.storage.undo import activity_words, remember

    session = open_session()
    today = session.now.date().isoformat()
    try:
        kind = session.resolve_type(activity_type)
    except UsageError as error:
        raise misplaced_type(session, activity_type, quantities or []) or error from None
    given = read_quantities(
        session,
        kind,
        quantities or [],
        start=start,
        end=end,
        distance=distance,
        duration=duration,
        calories=calories,
    )
    record, energy = plan_activity(
        kind,
        start=given.start,
        end=given.end,
        duration_s=given.duration_s,
        distance_m=given.distance_m,
        calories_kcal=given.calories_kcal,
        profile=session.profile,
        note=note or "",
        now=session.now,
    )
    if not force:
        check_speed(session, kind, record, given)
    with write(session.conn) as conn:
        # Looked for under the write lock, so two commands logging the same run at once cannot
        # both find the log without it.
        twin = None if force else activities.near_duplicate(conn, record.type, record.start)
        if twin is not None:
            from fittrack.cli.render import activities as render

            raise UsageError(
                f"{render.one_line(twin, session.profile, session.tz)} is already logged and "
                "starts within a minute of this one — add --force to log it anyway"
            )
        words = activity_words(record, session.profile.units)
        remember(conn, session.now, f"logged {words}", "activity", record.id)
        activities.insert(conn, [record])
        completed = completed_by(conn, record, session.tz, session.profile.week_start)
        # Said at most once a day, and only to a person (never with --json).
        hint = not as_json and energy.weight_assumed and claim_day(conn, WEIGHT_HINT_DAY, today)
    after_change(session)
    if as_json:
        print_json(
            {"activity": record.to_json(), "completed_goals": [g.to_json() for g in completed]}
        )
        return
    from fittrack.cli.render import activities as render
    from fittrack.cli.render.base import figure_of

    render.logged(record, session.profile, session.tz, figures={kind.slug: figure_of(kind)})
    render.completed_goals(completed)
    if hint:
        render.weight_hint()
