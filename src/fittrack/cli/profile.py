"""``fittrack profile`` and ``fittrack types``: who you are and what you do."""

from typing import Annotated

import typer

from fittrack.cli.common import JsonFlag, open_session, print_json

profile_app = typer.Typer(
    help="Your weight (for calories), timezone, display units and week start.\n\n"
    "Example: fittrack profile set --weight 72kg --timezone Europe/Berlin",
    invoke_without_command=True,
)
types_app = typer.Typer(
    help="Activity types and their MET values.\n\nExample: fittrack types add climbing --met 5.8",
    invoke_without_command=True,
)


@profile_app.callback()
def _profile_default(ctx: typer.Context) -> None:
    """Without a subcommand, `fittrack profile` shows the profile."""
    if ctx.invoked_subcommand is None:
        profile_show()


@types_app.callback()
def _types_default(ctx: typer.Context) -> None:
    """Without a subcommand, `fittrack types` lists the types."""
    if ctx.invoked_subcommand is None:
        types_list()


@profile_app.command("show")
def profile_show(as_json: JsonFlag = False) -> None:
    """Show your profile.

    Example: fittrack profile show
    """
    from fittrack.core.dates import system_timezone_name

    session = open_session()
    profile = session.profile
    if as_json:
        print_json(
            {
                "weight_kg": profile.weight_kg,
                "timezone": profile.timezone or system_timezone_name(),
                "units": profile.units,
                "week_start": profile.week_start,
            }
        )
        return
    from fittrack.cli import render

    render.profile(profile, system_timezone_name())


@profile_app.command("set")
def profile_set(
    weight: Annotated[
        str | None,
        typer.Option(
            "--weight",
            "-w",
            metavar="WEIGHT",
            help="Body mass with a unit: 72kg, 160lb.",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            "--tz",
            metavar="ZONE",
            help="An IANA zone such as Europe/Berlin, or 'system'.",
            show_default=False,
        ),
    ] = None,
    units: Annotated[
        str | None,
        typer.Option(
            "--units",
            "-u",
            metavar="UNITS",
            help="metric or imperial (display only).",
            show_default=False,
        ),
    ] = None,
    week_start: Annotated[
        str | None,
        typer.Option("--week-start", metavar="DAY", help="monday or sunday.", show_default=False),
    ] = None,
) -> None:
    """Change your profile: give only what changes.

    Example: fittrack profile set --weight 72kg --timezone Europe/Berlin --units metric
    """
    from dataclasses import replace

    from fittrack.core.dates import resolve_timezone
    from fittrack.core.profile import check_units, check_week_start
    from fittrack.core.quantities import parse_weight
    from fittrack.errors import UsageError
    from fittrack.storage.db import write
    from fittrack.storage.profile import save_profile

    if weight is None and timezone is None and units is None and week_start is None:
        raise UsageError("nothing to set: give --weight, --timezone, --units or --week-start")
    changes: dict[str, object] = {}
    if weight is not None:
        changes["weight_kg"] = parse_weight(weight)
    if timezone is not None:
        changes["timezone"] = (
            None if timezone.strip().lower() == "system" else resolve_timezone(timezone).key
        )
    if units is not None:
        changes["units"] = check_units(units)
    if week_start is not None:
        changes["week_start"] = check_week_start(week_start)
    session = open_session()
    profile = replace(session.profile, **changes)  # type: ignore[arg-type]
    with write(session.conn) as conn:
        save_profile(conn, profile, session.now)
    from fittrack.cli import render
    from fittrack.core.dates import system_timezone_name

    render.profile(profile, system_timezone_name())


@types_app.command("list")
def types_list(as_json: JsonFlag = False) -> None:
    """List activity types, their aliases and MET values.

    Example: fittrack types list
    """
    from fittrack.core.activity_types import BUILTIN_TYPES
    from fittrack.storage.profile import load_custom_types

    session = open_session()
    kinds = [*BUILTIN_TYPES, *load_custom_types(session.conn)]
    if as_json:
        print_json(
            [
                {
                    "slug": k.slug,
                    "name": k.name,
                    "met": k.met,
                    "aliases": list(k.aliases),
                    "speed_bands": [{"from_kmh": s, "met": m} for s, m in k.speed_bands],
                    "builtin": k.builtin,
                }
                for k in kinds
            ]
        )
        return
    from fittrack.cli import render

    render.types_table(kinds)


@types_app.command("add")
def types_add(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="A short lowercase name: climbing, padel.")
    ],
    met: Annotated[
        float,
        typer.Option(
            "--met", "-m", metavar="MET", help="Its MET value (1 to 25; see the Compendium)."
        ),
    ],
    alias: Annotated[
        list[str] | None,
        typer.Option(
            "--alias",
            "-a",
            metavar="NAME",
            help="Another name for it (repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Add your own activity type.

    Example: fittrack types add climbing --met 5.8 --alias bouldering
    """
    from fittrack.core.activity_types import BUILTIN_TYPES, validate_new_type
    from fittrack.storage.db import write
    from fittrack.storage.profile import add_custom_type, load_custom_types

    session = open_session()
    with write(session.conn) as conn:
        existing = [*BUILTIN_TYPES, *load_custom_types(conn)]
        kind = validate_new_type(name, met, alias or [], existing)
        add_custom_type(conn, kind, session.now)
    typer.echo(f"Added type '{kind.slug}' (MET {kind.met:g}).")
