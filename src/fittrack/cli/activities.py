"""``fittrack list``, ``show``, ``edit`` and ``delete``: looking at and changing the log."""

from dataclasses import replace
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
    Session,
    StartOpt,
    after_change,
    confirm,
    open_session,
    print_csv,
    print_json,
)
from fittrack.core.activity import ActivityRecord
from fittrack.core.quantities import MAX_NOTE_CHARS, check_length

DEFAULT_LIMIT = 20
IdArg = Annotated[
    str, typer.Argument(metavar="ID", help="The id, or any unique prefix of it (4+ characters).")
]


def list_(
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            "-f",
            metavar="DATE",
            help=(
                "First day (inclusive): YYYY-MM-DD, YYYYMMDD, today, yesterday, monday, "
                "last sunday, 2 days ago, -7d."
            ),
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="DATE", help="Last day (inclusive), same forms.", show_default=False
        ),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="Only this type (repeatable).",
            show_default=False,
            autocompletion=complete.activity_types,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-l",
            metavar="N",
            min=0,
            max=1_000_000_000,
            help=f"At most N, newest first; 0 for all. [default: {DEFAULT_LIMIT} in the table, "
            "all with --json or --csv]",
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV with a header.")] = False,
) -> None:
    """List activities, newest first. Days are read in your profile's timezone.

    Examples:

      fittrack list

      fittrack list --from -7d --type run

      fittrack list --from 2026-11-01 --to 2026-11-30 --csv > november.csv
    """
    from fittrack.errors import UsageError
    from fittrack.storage import activities

    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    session = open_session()
    _, _, start, end = session.day_window(from_, to)
    types = tuple(dict.fromkeys(session.resolve_type(t).slug for t in type_ or ()))
    machine = as_json or as_csv
    if limit is None:
        limit = 0 if machine else DEFAULT_LIMIT
    # One more than asked for tells the table whether to say that more are hidden.
    fetch = None if limit == 0 else limit + (0 if machine else 1)
    records = list(
        activities.list_activities(session.conn, start=start, end=end, types=types, limit=fetch)
    )
    if as_json:
        print_json([r.to_json() for r in records])
        return
    if as_csv:
        print_csv(records)
        return
    from fittrack.cli.render import activities as render

    more = limit != 0 and len(records) > limit
    filtered = bool(from_ or to or type_)
    shown = records[:limit] if limit else records
    figures = session.figures({r.type for r in shown})
    render.activity_table(shown, session.profile, session.tz, more, filtered, figures)


def show(
    activity_id: IdArg,
    as_json: JsonFlag = False,
    route: Annotated[
        bool, typer.Option("--route", help="Draw the route of its track (north up).")
    ] = False,
) -> None:
    """Show one activity in full; with a track, its splits, best efforts and profile too.

    Splits are per kilometre, or per mile with imperial units; --json adds "track" (null
    without one).

    Examples:

      fittrack show 3f2a

      fittrack show 3f2a --route
    """
    from fittrack.errors import UsageError
    from fittrack.storage import activities, tracks

    if as_json and route:
        raise UsageError("choose one of --json and --route")
    session = open_session()
    record = activities.find(session.conn, activity_id)
    imperial = session.profile.units == "imperial"
    derived = None
    series: tuple[list[float], list[float]] | None = None
    cached = None if route else tracks.show_figures(session.conn, record.id)
    # The figures were cached when the track was saved (storage.tracks): a long track is then
    # neither decoded nor derived again. Without a cache (a track pulled by sync, a damaged
    # one) they are computed here, ~0.3 s on a 10,000-sample track.
    track = None if cached is not None else tracks.load_track(session.conn, record.id)
    if cached is None and track is None and record.source in TRACK_SOURCES:
        # Imported from a watch's file on another device: its track may be on the server.
        from fittrack.cli.sync import fetch_track_for_show

        if fetch_track_for_show(session, record.id):
            cached = None if route else tracks.show_figures(session.conn, record.id)
            track = None if cached is not None else tracks.load_track(session.conn, record.id)
    if cached is not None:
        from fittrack.core.track_figures import TrackFigures

        shown = dict(cached)
        if imperial:
            shown["splits"] = shown["mile_splits"]
        derived = TrackFigures.from_json(shown)
        series = (list(shown["speeds"]), list(shown["elevations"]))  # type: ignore[call-overload]
    elif track is not None and not route:
        from fittrack.core.track_figures import MILE_M, figures

        derived = figures(track, unit_m=MILE_M if imperial else 1000.0)
    if as_json:
        print_json(record.to_json() | {"track": None if derived is None else derived.to_json()})
        return
    from fittrack.cli.render import activities as render

    kinds = session.figures([record.type])
    if route:
        from fittrack.cli.render import track as render_track

        if track is None:
            typer.echo("This activity has no track: there is no route to draw.")
            return
        render_track.route(track, render.one_line(record, session.profile, session.tz, kinds))
        return
    render.activity_detail(record, session.profile, kinds)
    if derived is not None:
        from fittrack.cli.render import track as render_track
        from fittrack.cli.render.base import figure_for

        if series is None:
            assert track is not None
            series = render_track.series(track)
        speeds, elevations = series
        render_track.track_detail(
            derived,
            speeds,
            elevations,
            session.profile.units,
            figure_for(record.type, kinds),
        )


TRACK_SOURCES = ("gpx", "tcx", "fit", "strava", "garmin")
"""Sources whose activities can have a track (a watch's file, or an export holding one)."""


def _heart_rate_avg(session: Session, activity_id: str) -> float | None:
    """The average heart rate of the activity's track, when the profile could use it (sex,
    birth date and weight known: ``core.calories.personal_energy``); the track is read only then."""
    profile = session.profile
    if None in (profile.sex, profile.birth_date, profile.weight_kg):
        return None
    from fittrack.core.track_figures import figures
    from fittrack.storage.tracks import load_track

    track = load_track(session.conn, activity_id)
    return None if track is None else figures(track).heart_rate_avg


def edit(
    activity_id: IdArg,
    quantities: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[DISTANCE] [DURATION]",
            help="A new distance and/or duration: 5.2k 28:10.",
            show_default=False,
        ),
    ] = None,
    type_: Annotated[
        str | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="A new activity type.",
            show_default=False,
            autocompletion=complete.activity_types,
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
            "--force", help="Keep the change even when its speed is beyond what anyone does."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Change an activity: give only what changes.

    Calories are estimated again when the type, distance or duration changes (unless given with
    --calories), and kept otherwise. A new --start moves the whole activity; a new --end keeps the
    start; a new duration keeps the start, or the end for an activity logged without --start (it
    ended when it was logged). A start or end in the future is refused, and so is a speed beyond
    the type's plausible maximum unless --force.

    Examples:

      fittrack edit 3f2a 5.2k

      fittrack edit 3f2a --type hike --note "with the dog"
    """
    from fittrack.cli.quantities import check_speed, edited_span, parse_inputs
    from fittrack.core.activity import (
        check_quantities,
        check_span_not_future,
        energy_changed,
        with_energy,
    )
    from fittrack.errors import FittrackError, UsageError
    from fittrack.storage import activities
    from fittrack.storage.db import write
    from fittrack.storage.goals import completed_by
    from fittrack.storage.sync import WEIGHT_HINT_DAY, claim_day
    from fittrack.storage.undo import activity_words, remember

    session = open_session()
    old = activities.find(session.conn, activity_id)
    kind = session.resolve_type(type_ or old.type)
    given = parse_inputs(
        session,
        kind,
        quantities or [],
        start=start,
        end=end,
        distance=distance,
        duration=duration,
        calories=calories,
    )
    if type_ is None and note is None and given.is_empty():
        raise UsageError("nothing to change: give a quantity, --type, --start, --note, …")
    if note is not None:
        check_length(note, "the note", MAX_NOTE_CHARS)
    first, last, moving = edited_span(old, given)
    check_quantities(given.distance_m, moving)
    if (first, last) != (old.start, old.end):
        check_span_not_future(first, last, session.now)
    changed = replace(
        old,
        type=kind.slug,
        start=first,
        end=last,
        duration_s=moving,
        distance_m=old.distance_m if given.distance_m is None else given.distance_m,
        note=old.note if note is None else note,
        updated_at=session.now,
    )
    # Only a change the estimate depends on estimates again: a new note must not turn calories
    # estimated at last month's weight into today's.
    energy = None
    record = changed
    if given.calories_kcal is not None or energy_changed(old, changed):
        record, energy = with_energy(
            changed,
            kind,
            profile=session.profile,
            calories_kcal=given.calories_kcal,
            heart_rate_avg=_heart_rate_avg(session, old.id),
        )
    if not force and energy_changed(old, changed):
        check_speed(session, kind, record, given)
    with write(session.conn) as conn:
        # Re-read under the write lock: a delete or edit by another process since the first read
        # must not be undone by this one.
        if activities.find(conn, old.id) != old:
            raise FittrackError("the activity changed while you were editing it; try again")
        words = activity_words(old, session.profile.units)
        remember(conn, session.now, f"edited {words}", "activity", old.id)
        activities.update(conn, record)
        completed = completed_by(conn, record, session.tz, session.profile.week_start, old)
        # Said at most once a day, and only to a person (never with --json).
        hint = (
            not as_json
            and energy is not None
            and energy.weight_assumed
            and energy.calories_estimated
            and claim_day(conn, WEIGHT_HINT_DAY, session.now.date().isoformat())
        )
    after_change(session)
    if as_json:
        print_json(
            {"activity": record.to_json(), "completed_goals": [g.to_json() for g in completed]}
        )
        return
    from fittrack.cli.render import activities as render
    from fittrack.cli.render.base import figure_of

    render.logged(
        record,
        session.profile,
        session.tz,
        verb="Updated",
        figures={kind.slug: figure_of(kind)},
    )
    render.completed_goals(completed)
    if hint:
        render.weight_hint()


def delete(
    activity_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the deleted activity (with deleted_at) as JSON; still asks."
        ),
    ] = False,
) -> None:
    """Delete an activity (after asking, unless --yes).

    `fittrack undo` (or `fittrack restore ID`) brings it back.

    Example: fittrack delete 3f2a --yes
    """
    from fittrack.storage import activities
    from fittrack.storage.db import write
    from fittrack.storage.undo import activity_words, remember

    session = open_session()
    record = activities.find(session.conn, activity_id)
    from fittrack.cli.render import activities as render

    if not yes:
        figures = session.figures([record.type])
        summary = render.one_line(record, session.profile, session.tz, figures)
        if not confirm(f"Delete {summary}?"):
            typer.echo("Nothing deleted.", err=True)
            raise typer.Exit(code=1)
    with write(session.conn) as conn:
        words = activity_words(record, session.profile.units)
        remember(conn, session.now, f"deleted {words}", "activity", record.id, deletes=True)
        activities.tombstone(conn, record.id, session.now)
    after_change(session)
    if as_json:
        print_json(_deleted_json(replace(record, updated_at=session.now, deleted_at=session.now)))
        return
    render.deleted(record)


def _deleted_json(record: ActivityRecord) -> dict[str, object]:
    """ACTIVITY with ``deleted_at`` (null for a live one): the record as it now stands."""
    return record.to_json(deleted=True)


def restore(activity_id: IdArg, as_json: JsonFlag = False) -> None:
    """Bring back a deleted activity (its id, or a unique prefix of it).

    It comes back under its own id, or as a copy with a new id once its deletion was synced.

    `fittrack undo` takes a restore back.

    Example: fittrack restore 3f2a
    """
    from dataclasses import replace

    from fittrack.errors import FittrackError
    from fittrack.storage import activities
    from fittrack.storage.db import write
    from fittrack.storage.undo import activity_words, find_deleted, record, revive

    session = open_session()
    with write(session.conn) as conn:
        old = find_deleted(conn, activity_id)
        # Restored before (as a copy, once its deletion was synced) or logged again: a second
        # copy would be a double, on every device once synced.
        twin = activities.near_duplicate(conn, old.type, old.start)
        if twin is not None:
            from fittrack.cli.render import activities as render

            raise FittrackError(
                f"{render.one_line(twin, session.profile, session.tz)} is already in the log, "
                "starting within a minute of it (restored before, or logged again); "
                "nothing was restored"
            )
        change = revive(conn, "activity", old.id, session.now)
        # The step names the row it brought back: the copy, when it came back as one.
        words = activity_words(replace(old, id=change.id), session.profile.units)
        record(conn, session.now, f"restored {words}", [change])
        restored = activities.find(conn, change.id)
    after_change(session)
    if as_json:
        print_json(restored.to_json())
        return
    from fittrack.cli.render import activities as render

    render.logged(restored, session.profile, session.tz, verb="Restored")
    if restored.id != old.id:
        typer.echo(
            f"Its deletion had already been synced, so it came back as a copy with a new id "
            f"({restored.id[:8]}; it was {old.id[:8]}).",
            err=True,
        )
