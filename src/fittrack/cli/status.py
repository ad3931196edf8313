"""``fittrack status``, ``progress`` and ``summary``: are you on track, and how has it gone?"""

from datetime import date, datetime
from typing import Annotated

import typer

from fittrack.cli import complete
from fittrack.cli.common import JsonFlag, Session, open_session, print_json

DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar="DATE",
        help=(
            "As of the end of this day (YYYY-MM-DD, yesterday, last sunday, 2 days ago, -7d) "
            "instead of now."
        ),
        show_default=False,
    ),
]


def _as_of(session: Session, text: str | None) -> tuple[date, datetime]:
    """The day and the moment progress is computed at: now, or the end of --date's day."""
    if text is None:
        return session.now.date(), session.now
    from fittrack.core.dates import parse_day
    from fittrack.core.moments import local_day_bounds

    day = parse_day(text, session.tz, session.now.date())
    return day, local_day_bounds(day, session.tz)[1]


def _week(session: Session, day: date) -> tuple[date, date, datetime, datetime]:
    from fittrack.core.periods import period_containing, utc_bounds

    week = period_containing(day, "week", session.profile.week_start)
    start, end = utc_bounds(week, session.tz)
    return week.first, week.last, start, end


def _unsynced(session: Session) -> int | None:
    """Local changes not yet pushed; None when no sync server is configured (nothing to push to).

    Cheap at any size: the count scans the partial indexes of changed rows only."""
    from fittrack import config
    from fittrack.errors import FittrackError
    from fittrack.storage.sync import count_changed

    try:
        server = config.load().get("server")
    except FittrackError:
        server = None  # `fittrack sync` is where a broken config file is reported
    return count_changed(session.conn) if server else None


def status(date_: DateOpt = None, as_json: JsonFlag = False) -> None:
    """Show every active goal in its current period, then this week's totals per type.

    Each goal gets a bar with a marker where a steady pace would be, current / target, its status
    and what each remaining day needs.

    Examples:

      fittrack status

      fittrack status --date 2026-11-29 --json
    """
    from fittrack.core.progress import is_active
    from fittrack.storage.activities import totals_by_type
    from fittrack.storage.goals import current_progress, load_goals
    from fittrack.storage.sync import get_state

    session = open_session()
    day, as_of = _as_of(session, date_)
    progresses = [
        current_progress(session.conn, goal, day, as_of, session.tz, session.profile.week_start)
        for goal in load_goals(session.conn)
        if is_active(goal, day)
    ]
    first, last, start, end = _week(session, day)
    totals = totals_by_type(session.conn, start, min(end, as_of))
    last_sync = get_state(session.conn, "last_sync")
    unsynced = _unsynced(session)
    if as_json:
        print_json(
            {
                "date": day.isoformat(),
                "last_sync": last_sync,
                "unsynced": unsynced,
                "goals": [p.to_json() for p in progresses],
                "summary": {
                    "period_start": first.isoformat(),
                    "period_end": last.isoformat(),
                    "types": [t.to_json() for t in totals],
                },
            }
        )
        return
    from fittrack.cli.render import status as render
    from fittrack.cli.render import sync as render_sync

    if progresses:
        render.status_goals(progresses, session.profile)
    else:
        from fittrack.storage.goals import load_goals

        render.no_goals(len(load_goals(session.conn)))
    render.week_totals(
        first,
        totals,
        session.profile,
        session.figures([t.type for t in totals]),
        this_week=first <= session.now.date() <= last,
    )
    if last_sync is not None:
        render_sync.last_sync(datetime.fromisoformat(last_sync), session.now)
    if unsynced:
        render_sync.unsynced(unsynced)


def progress(
    goal_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[GOAL_ID]",
            autocompletion=complete.goal_ids,
            help="One goal (id prefix); all goals when left out.",
            show_default=False,
        ),
    ] = None,
    periods: Annotated[
        int,
        typer.Option(
            "--periods", "-n", metavar="N", min=1, max=1000, help="How many periods to show."
        ),
    ] = 8,
    date_: DateOpt = None,
    chart: Annotated[bool, typer.Option("--chart", help="Draw a bar chart.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a goal's history: each period's value and status, and your streaks.

    A streak counts periods in a row that reached the target; paused periods neither break nor
    extend it, and the period still under way does not break it.

    Examples:

      fittrack progress

      fittrack progress 7c1e --periods 12 --chart
    """
    from fittrack.core.progress import streaks
    from fittrack.storage.goals import find_goal, history, load_goals

    session = open_session()
    day, as_of = _as_of(session, date_)
    goals = (
        [find_goal(session.conn, goal_id)]
        if goal_id
        else [g for g in load_goals(session.conn) if g.start_date <= day]
    )
    results = []
    for goal in goals:
        past = history(session.conn, goal, day, as_of, session.tz, session.profile.week_start)
        results.append(
            (goal, [p.result() for p in past[-periods:]], streaks([p.status for p in past]))
        )
    if as_json:
        print_json(
            {
                "goals": [
                    {
                        "goal": goal.to_json(),
                        "periods": [p.to_json() for p in shown],
                        "current_streak": current,
                        "longest_streak": longest,
                    }
                    for goal, shown, (current, longest) in results
                ]
            }
        )
        return
    from fittrack.cli.render import status as render

    if not results:
        from fittrack.storage.goals import load_goals

        render.no_goals(len(load_goals(session.conn)))
    for goal, shown, pair in results:
        render.progress_history(goal, shown, pair, session.profile, chart)


def summary(
    week: Annotated[bool, typer.Option("--week", help="This week.")] = False,
    month: Annotated[bool, typer.Option("--month", help="This month [the default].")] = False,
    year: Annotated[bool, typer.Option("--year", help="This year.")] = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="First day (with --to, or up to today): YYYY-MM-DD, monday, 2 weeks ago, -7d.",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Last day (inclusive).", show_default=False),
    ] = None,
    all_time: Annotated[
        bool, typer.Option("--all", help="Everything you ever logged (reads every row).")
    ] = False,
    date_: DateOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Totals per activity type and personal records over a week, month, year or any days.

    Records: longest distance and longest time per type, the fastest 1 km, 5 km, 10 km, half and
    marathon (the fastest stretch of a run's recorded track, or the best average pace of a run
    without one at least that long), and the most active week.

    Examples:

      fittrack summary

      fittrack summary --year

      fittrack summary --from 2026-01-01 --to 2026-06-30 --json
    """
    from fittrack.core.dates import parse_day
    from fittrack.core.moments import local_day_bounds
    from fittrack.core.periods import period_containing
    from fittrack.errors import UsageError
    from fittrack.storage import activities

    chosen = [
        name
        for name, on in (
            ("--week", week),
            ("--month", month),
            ("--year", year),
            ("--all", all_time),
            ("--from/--to", bool(from_ or to)),
        )
        if on
    ]
    if len(chosen) > 1:
        raise UsageError(f"choose one of {', '.join(chosen)}")
    session = open_session()
    day, _ = _as_of(session, date_)
    first: date | None
    last: date | None
    if all_time:
        first = last = None
    elif from_ or to:
        today = session.now.date()
        if from_ is None:
            raise UsageError("--to needs a --from")
        first = parse_day(from_, session.tz, today)
        last = day if to is None else parse_day(to, session.tz, today)
        if last < first:
            raise UsageError(f"--to {last} is before --from {first}; swap them")
    else:
        kind = "week" if week else "year" if year else "month"
        span = period_containing(day, kind, session.profile.week_start)
        first, last = span.first, span.last
    start = None if first is None else local_day_bounds(first, session.tz)[0]
    end = None if last is None else local_day_bounds(last, session.tz)[1]
    totals = activities.totals_by_type(session.conn, start, end)
    _fill_track_figures(session, start, end)
    records = [
        *activities.longest_by_type(session.conn, start, end),
        *activities.fastest_runs(session.conn, start, end),
    ]
    best_week = activities.most_active_week(session.conn, start, end, session.profile.week_start)
    if as_json:
        print_json(
            {
                "period_start": None if first is None else first.isoformat(),
                "period_end": None if last is None else last.isoformat(),
                "types": [t.to_json() for t in totals],
                "records": [r.to_json() for r in records],
                "most_active_week": None
                if best_week is None
                else {
                    "week_start": best_week[0],
                    "duration_s": best_week[1],
                    "count": best_week[2],
                },
            }
        )
        return
    from fittrack.cli.render import status as render

    figures = session.figures({t.type for t in totals} | {r.type for r in records})
    render.summary(first, last, totals, records, best_week, session.profile, figures)


def _fill_track_figures(session: Session, start: datetime | None, end: datetime | None) -> None:
    """Compute the figures cache of the window's run tracks stored without one (before the
    cache existed, or pulled by sync), once: the next summary reads it. On a read-only
    database nothing is stored, and those runs count by their average."""
    from fittrack.storage import tracks
    from fittrack.storage.activities import window_clause

    where, params = window_clause(start, end)
    missing = tracks.missing_figures(session.conn, f"{where} AND type = 'run'", params)
    if missing:
        tracks.fill_missing_figures(session.conn, missing)
