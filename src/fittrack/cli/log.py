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
    as_json: JsonFlag = False,
) -> None:
    """Record an activity. With no --start, it ends now.

    Examples:

      fittrack log run 5k 27:30

      fittrack log ride 42km 1h30m --start "yesterday 17:00" --note "headwind"

      fittrack log yoga 45min --calories 150
    """
    from fittrack.cli.quantities import read_quantities
    from fittrack.core.activity import plan_activity
    from fittrack.storage import activities
    from fittrack.storage.db import write
    from fittrack.storage.goals import completed_by

    session = open_session()
    kind = session.resolve_type(activity_type)
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
        weight_kg=session.profile.weight_kg,
        note=note or "",
        now=session.now,
    )
    with write(session.conn) as conn:
        activities.insert(conn, [record])
        completed = completed_by(conn, record, session.tz, session.profile.week_start)
    after_change(session)
    if as_json:
        print_json(
            {"activity": record.to_json(), "completed_goals": [g.to_json() for g in completed]}
        )
        return
    from fittrack.cli import render

    render.logged(record, session.profile, session.tz)
    render.completed_goals(completed)
    if energy.weight_assumed:
        render.weight_hint()
