"""``fittrack load``: fitness, fatigue and form, day by day, from each day's workload."""

from typing import Annotated

import typer

from fittrack.cli.common import JsonFlag, open_session, print_json

SEED_DAYS = 365
"""How much history before the window seeds fitness and fatigue (a 42-day average has forgotten
all but e^(-365/42) ≈ 0.02 % of what came before a year)."""


def load(
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            "-w",
            metavar="N",
            min=1,
            max=104,
            help="How many weeks to show, up to today (1 to 104).",
        ),
    ] = 12,
    as_json: JsonFlag = False,
) -> None:
    """Show fitness (42-day), fatigue (7-day) and form, from each day's workload.

    A day's load is the workload (MET-minutes) of the activities that started that day. Fitness
    and fatigue are its averages over about 42 and 7 days; form is yesterday's fitness minus
    yesterday's fatigue: positive when fresh, negative when tired. A year of history before the
    chart seeds them.

    Examples:

      fittrack load

      fittrack load --weeks 26 --json
    """
    from datetime import timedelta

    from fittrack.core.load import load_series
    from fittrack.storage.load import daily_workload

    session = open_session()
    today = session.now.date()
    first = today - timedelta(days=7 * weeks - 1)
    daily = daily_workload(session.conn, first - timedelta(days=SEED_DAYS), today, session.tz)
    days = load_series(daily, first, today)
    if as_json:
        print_json({"days": [day.to_json() for day in days]})
        return
    from fittrack.cli.render import load as render

    if not daily:
        render.no_load()
        return
    render.load_chart(days)
