"""What the commands share: the open database with its profile, JSON output, shared options."""

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Annotated, Any

import typer

from fittrack.core.activity import ACTIVITY_KEYS, ActivityRecord
from fittrack.core.activity_types import ActivityType, resolve_type
from fittrack.core.profile import Profile
from fittrack.errors import UsageError


@dataclass
class Session:
    """One command's view of the world: the database, the profile, its zone and the moment."""

    conn: sqlite3.Connection
    profile: Profile
    tz: tzinfo
    now: datetime

    def day_window(
        self, from_: str | None, to: str | None
    ) -> tuple[date | None, date | None, datetime | None, datetime | None]:
        """--from/--to as inclusive local days and the UTC window [start, end) they cover."""
        from fittrack.core.dates import parse_day
        from fittrack.core.moments import local_day_bounds

        today = self.now.date()
        first = None if from_ is None else parse_day(from_, self.tz, today)
        last = None if to is None else parse_day(to, self.tz, today)
        if first is not None and last is not None and last < first:
            raise UsageError(f"--to {last} is before --from {first}; swap them")
        start = None if first is None else local_day_bounds(first, self.tz)[0]
        end = None if last is None else local_day_bounds(last, self.tz)[1]
        return first, last, start, end

    def resolve_type(self, name: str) -> ActivityType:
        """A built-in or custom activity type by slug or alias, or a 'did you mean' error."""
        try:
            return resolve_type(name)
        except UsageError:
            from fittrack.storage.profile import load_custom_types

            # Custom types cost a query, so they are looked up only when the name is not built in.
            return resolve_type(name, load_custom_types(self.conn))

    def figures(self, slugs: Iterable[str]) -> dict[str, str | None]:
        """How the speed of each custom type among ``slugs`` reads (its ``figure``; None when its
        distance means nothing); built-in types are known to ``render`` without a query."""
        from fittrack.core.activity_types import BUILTIN_TYPES

        builtin = {t.slug for t in BUILTIN_TYPES}
        if all(slug in builtin for slug in slugs):
            return {}
        from fittrack.storage.profile import load_custom_types

        return {
            t.slug: t.figure if t.tracks_distance else None for t in load_custom_types(self.conn)
        }


_open_connections: list[sqlite3.Connection] = []


def close_sessions() -> None:
    """Close what ``open_session`` opened (the app calls this when a command ends)."""
    while _open_connections:
        _open_connections.pop().close()


def open_session() -> Session:
    """Open the database (migrating it if needed) and read the profile."""
    from fittrack.localzone import system_timezone
    from fittrack.storage.db import connect
    from fittrack.storage.profile import load_profile

    conn = connect()
    _open_connections.append(conn)
    profile = load_profile(conn)
    try:
        tz = profile.tz(system_timezone)
    except UsageError:
        # A zone name this system no longer knows must not lock the person out of every command
        # (including the `profile set --timezone` that fixes it).
        typer.secho(
            f"Warning: the profile's timezone '{profile.timezone}' is unknown here; using the "
            "system's. Fix it with `fittrack profile set --timezone …`.",
            err=True,
            fg="yellow",
        )
        tz = system_timezone()
    return Session(conn=conn, profile=profile, tz=tz, now=read_clock(tz))


def read_clock(tz: tzinfo) -> datetime:
    """The current moment in ``tz``: the one place the CLI reads the clock.

    Once per command, by ``open_session``; everything after is given that moment (a test that
    needs a fixed one replaces this function).
    """
    return datetime.now(UTC).astimezone(tz)


def after_change(session: Session) -> None:
    """A command changed the log: with ``auto_sync`` on, push the change now."""
    from fittrack.cli.sync import auto_push  # reads config.toml; httpx only when it is on

    auto_push(session)


def confirm(question: str) -> bool:
    """Ask on stderr, read one line; only y or yes is a yes (end of input is a no).

    Not ``typer.confirm``: click writes the prompt's last space to stdout, which lands in
    a pipe.
    """
    import sys

    typer.echo(f"{question} [y/N]: ", err=True, nl=False)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        typer.echo(err=True)
    return answer.strip().lower() in ("y", "yes")


def print_json(data: Any) -> None:
    """One JSON document on stdout, UTF-8, nothing else."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def print_csv(records: Iterable[ActivityRecord]) -> None:
    """Activities as CSV on stdout, with the ACTIVITY keys as the header."""
    import csv
    import sys

    writer = csv.DictWriter(sys.stdout, fieldnames=ACTIVITY_KEYS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = record.to_json()
        # JSON's spelling of booleans, so the CSV reads the same in every language.
        row["calories_estimated"] = "true" if record.calories_estimated else "false"
        writer.writerow(row)


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start",
        "-s",
        metavar="WHEN",
        help=(
            "When it started: '2026-11-20 07:00', ISO 8601, 'yesterday 18:00', 'today 07:30', "
            "'monday', 'last sunday 9am', '3h ago', '2 days ago'."
        ),
        show_default=False,
    ),
]
EndOpt = Annotated[
    str | None,
    typer.Option(
        "--end",
        "-e",
        metavar="WHEN",
        help="When it ended (same forms as --start).",
        show_default=False,
    ),
]
DistanceOpt = Annotated[
    str | None,
    typer.Option(
        "--distance",
        "-d",
        metavar="DISTANCE",
        help="Distance: 5k, 5km, 3.1mi, 800m.",
        show_default=False,
    ),
]
DurationOpt = Annotated[
    str | None,
    typer.Option(
        "--duration",
        "-t",
        metavar="DURATION",
        help="Moving time: 27:30, 1:05:00, 45min, 1h30m.",
        show_default=False,
    ),
]
CaloriesOpt = Annotated[
    str | None,
    typer.Option(
        "--calories",
        "-c",
        metavar="KCAL",
        help="Calories (kcal) from your watch; otherwise estimated from the MET tables.",
        show_default=False,
    ),
]
NoteOpt = Annotated[
    str | None,
    typer.Option(
        "--note", "-n", metavar="TEXT", help="A note to keep with it.", show_default=False
    ),
]
