"""``fittrack export`` and ``fittrack import``: take your log with you, bring your history in."""

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from fittrack.cli import complete
from fittrack.cli.common import JsonFlag, open_session, print_json


def export(
    activity_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="With --format gpx: the activity (any unique prefix of its id).",
            show_default=False,
        ),
    ] = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            "-F",
            metavar="FORMAT",
            help="csv (activities), json (everything) or gpx (one activity's track).",
        ),
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write to this file instead of stdout.",
            show_default=False,
        ),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="First day (inclusive): YYYY-MM-DD, yesterday, monday, 2 weeks ago, -7d.",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Last day (inclusive).", show_default=False),
    ] = None,
) -> None:
    """Export activities as CSV, everything as JSON, or one activity's track as GPX.

    `fittrack import` reads CSV and JSON back with nothing lost: same ids, same values. JSON
    holds activities with their tracks, goals, your types and the profile; GPX the samples of
    an activity imported from a GPX, TCX or FIT file.

    Examples:

      fittrack export > activities.csv

      fittrack export --format json --out backup.json

      fittrack export --from 2026-01-01 --to 2026-12-31 --out 2026.csv

      fittrack export --format gpx 3f2a --out run.gpx
    """
    from fittrack.errors import UsageError
    from fittrack.storage.activities import window_clause

    fmt = format_.strip().lower()
    if fmt not in ("csv", "json", "gpx"):
        raise UsageError(
            f"unknown export format '{format_}' — use csv or json, or gpx for one activity's track"
        )
    if fmt == "gpx":
        if activity_id is None:
            raise UsageError("--format gpx exports one activity: give its ID (fittrack list)")
        if from_ is not None or to is not None:
            raise UsageError("--from and --to choose activities for csv or json, not for gpx")
        _export_gpx(activity_id, out)
        return
    if activity_id is not None:
        raise UsageError(f"an activity ID is exported as GPX only (--format gpx {activity_id})")
    session = open_session()
    _, _, start, end = session.day_window(from_, to)
    where, params = window_clause(start, end)

    def write(stream: typer.FileTextWrite | object) -> int:
        if fmt == "csv":
            from fittrack.formats import fittrack_csv
            from fittrack.storage.export import csv_rows

            rows = csv_rows(session.conn, where, params)
            return fittrack_csv.write(stream, rows)  # type: ignore[arg-type]
        from fittrack.formats import fittrack_json
        from fittrack.storage.activities import list_activities_oldest_first
        from fittrack.storage.export import track_rows
        from fittrack.storage.goals import load_goals
        from fittrack.storage.profile import load_custom_types

        conn = session.conn
        # One read transaction (a snapshot, in WAL mode: writers go on meanwhile), so the tracks
        # are those of the activities written: an import between the two reads would otherwise
        # put a track in the backup whose activity is not in it.
        conn.execute("BEGIN")
        try:
            records = (r.to_json() for r in list_activities_oldest_first(conn, start, end))
            return fittrack_json.write(
                stream,  # type: ignore[arg-type]
                records,
                load_goals(conn),
                session.profile,
                session.now,
                load_custom_types(conn),
                # The tracks of the activities written (the same window), as stored.
                track_rows(conn, where, params),
            )
        finally:
            conn.execute("COMMIT")  # it read only: ends the snapshot

    count = _deliver(out, write, binary=False)
    if out is None:
        return
    typer.echo(f"Exported {count} {'activity' if count == 1 else 'activities'} to {out}.", err=True)


def _export_gpx(activity_id: str, out: Path | None) -> None:
    """One activity's track as GPX, to ``out`` (replaced whole, never half-written) or stdout."""
    from fittrack.errors import NotFound
    from fittrack.formats.gpx_write import write_gpx
    from fittrack.storage.activities import find
    from fittrack.storage.tracks import load_track

    session = open_session()
    record = find(session.conn, activity_id)
    track = load_track(session.conn, record.id)
    if track is None:
        raise NotFound(
            f"activity {record.id[:8]} has no track (only activities imported from GPX, TCX "
            "or FIT files have one)"
        )
    if track.lat is None or all(lat is None for lat in track.lat):
        raise NotFound(
            f"activity {record.id[:8]}'s track has no positions: nothing to write as GPX"
        )
    name = (
        record.note.splitlines()[0]
        if record.note.strip()
        else f"{record.type} {record.start:%Y-%m-%d %H:%M}"
    )
    data = write_gpx(track, name=name, type_slug=record.type, start=record.start)
    _deliver(out, lambda stream: stream.write(data), binary=True)
    if out is None:
        return
    typer.echo(f"Exported the track of activity {record.id[:8]} to {out}.", err=True)


def _deliver(out: Path | None, write: Callable[[Any], Any], *, binary: bool) -> Any:
    """What ``write(stream)`` returns, having written to stdout (``out`` None) or to ``out``.

    A file is written beside its target and renamed into place, so an interrupted export never
    leaves half a file behind; a reader that stops early (``| head``) ends it quietly.
    """
    from fittrack.errors import DataError, UsageError

    if out is None:
        stream = sys.stdout.buffer if binary else sys.stdout
        try:
            result = write(stream)
            stream.flush()
        except BrokenPipeError:
            raise  # the reader stopped (| head): typer ends quietly
        except OSError as exc:
            raise DataError(f"cannot write the export: {exc.strerror}") from exc
        return result
    try:
        partial = out.with_name(out.name + ".partial")
    except ValueError:
        raise UsageError(f"--out needs a file name, not '{out}'") from None
    try:
        if binary:
            with open(partial, "wb") as stream:
                result = write(stream)
        else:
            with open(partial, "w", encoding="utf-8", newline="") as stream:
                result = write(stream)
        partial.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise DataError(f"cannot write {out}: {exc.strerror}") from exc
    return result


def _progress_wanted(as_json: bool) -> bool:
    """A progress bar only for a person watching a terminal (stderr), never with --json."""
    return sys.stderr.isatty() and not as_json


def import_(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="Files, folders or zips: GPX, TCX, FIT (maybe .gz), our CSV/JSON, a Strava "
            "export, a Garmin Activities.csv.",
        ),
    ],
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            "-F",
            metavar="FORMAT",
            help="auto, csv, json, gpx, tcx, fit, strava or garmin.",
        ),
    ] = "auto",
    type_: Annotated[
        str | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="The type for files that name no sport.",
            show_default=False,
            autocompletion=complete.activity_types,
        ),
    ] = None,
    units: Annotated[
        str | None,
        typer.Option(
            "--units",
            metavar="UNITS",
            help="A Garmin CSV's distance units: metric or imperial [default: your profile's].",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would happen; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Import duplicates and implausibly fast rows too."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every file, not only those with news.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import activities from files, folders and zips, each file all or nothing.

    Already there (same id, or same type starting within a minute) is skipped unless --force, and
    so is a row faster than its type's plausible top speed. A sport no type has keeps its name
    as a new type (with the MET of 'other'). A JSON backup also brings its tracks, types, goals
    and profile. Exits 1 when any file failed (the others are still imported), 130 on Ctrl-C (the
    files done are kept, the one under way is not).

    Examples:

      fittrack import ~/Downloads/export_12345678.zip

      fittrack import run.fit ride.gpx.gz --dry-run

      fittrack import Activities.csv --units imperial
    """
    from fittrack.core.profile import check_units
    from fittrack.errors import UsageError
    from fittrack.formats.detect import FORMATS
    from fittrack.importer import Importer, ImportInterrupted, Options

    if any(not p.strip() for p in paths):
        raise UsageError("an empty file name: give the files, folders or zips to import")
    fmt = format_.strip().lower()
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{format_}' — use {', '.join(FORMATS)}")
    try:
        session = open_session()  # Ctrl-C while a new database is made: nothing imported yet
    except KeyboardInterrupt:
        from fittrack.cli.render import data as render

        render.import_interrupted([], None, 0, dry_run)
        raise typer.Exit(code=130) from None
    override = None if type_ is None else session.resolve_type(type_)
    options = Options(
        format=fmt,
        type_override=override,
        dry_run=dry_run,
        force=force,
        units=check_units(units) if units else session.profile.units,
    )
    progress = None
    if _progress_wanted(as_json):
        from fittrack.cli.render.data import ImportProgress

        progress = ImportProgress()
    importer = Importer(
        session.conn,
        session.profile,
        session.tz,
        session.now,
        session.resolve_type,
        options,
        on_rows=progress.rows if progress else None,
        collect_ids=as_json,
    )
    try:
        reports = importer.run(
            [Path(p) for p in paths],
            on_file=progress.file if progress else lambda r: None,
            on_total=progress.total if progress else None,
        )
    except ImportInterrupted as stop:
        if progress:
            progress.stop()
            progress = None
        from fittrack.cli.render import data as render

        render.import_interrupted(stop.done, stop.current, stop.more, dry_run)
        raise typer.Exit(code=130) from None
    finally:
        if progress:
            progress.stop()
    failed = sum(r.failed for r in reports)
    if as_json:
        print_json(
            {
                "added": sum(r.added for r in reports),
                "skipped": sum(r.skipped for r in reports),
                "failed": failed,
                # A dry run adds nothing, so it has no ids to give.
                "ids": [] if dry_run else [i for r in reports for i in r.ids],
                "dry_run": dry_run,
                "files": [r.to_json() for r in reports],
            }
        )
    else:
        from fittrack.cli.render import data as render

        # A dry run is asked for to see each file: every one is listed.
        render.import_report(reports, dry_run, verbose or dry_run)
    if failed:
        raise typer.Exit(code=1)
