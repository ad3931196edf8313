"""``fittrack status``: are you on track? Until the goals commands land, this week's totals."""

from typing import Annotated

import typer

from fittrack.cli.common import JsonFlag, open_session, print_json


def status(
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Show the state as of the end of this day: YYYY-MM-DD, yesterday, -7d.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show your goals and this week's totals per activity type.

    Example: fittrack status
    """
    from datetime import timedelta

    from fittrack.core.dates import local_day_bounds, parse_day
    from fittrack.storage.activities import totals_by_type

    session = open_session()
    day = session.now.date() if date is None else parse_day(date, session.tz, session.now.date())
    offset = (day.weekday() - (6 if session.profile.week_start == "sunday" else 0)) % 7
    week_first = day - timedelta(days=offset)
    start = local_day_bounds(week_first, session.tz)[0]
    end = local_day_bounds(week_first + timedelta(days=6), session.tz)[1]
    totals = totals_by_type(session.conn, start, end)
    if as_json:
        print_json(
            {
                "date": day.isoformat(),
                "goals": [],
                "summary": {
                    "period_start": week_first.isoformat(),
                    "period_end": (week_first + timedelta(days=6)).isoformat(),
                    "types": [
                        {
                            "type": t.type,
                            "count": t.count,
                            "distance_m": t.distance_m,
                            "duration_s": t.duration_s,
                            "calories_kcal": t.calories_kcal,
                        }
                        for t in totals
                    ],
                },
            }
        )
        return
    from fittrack.cli import render

    render.no_goals()
    render.week_totals(week_first, totals, session.profile)
