"""``fittrack profile`` and ``fittrack types``: who you are and what you do."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from fittrack.cli.common import JsonFlag, open_session, print_json

if TYPE_CHECKING:
    from datetime import date

    from fittrack.core.activity_types import ActivityType
    from fittrack.core.profile import Profile

profile_app = typer.Typer(
    help="Your weight and body (for calories), timezone, display units and week start.\n\n"
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
    from fittrack.localzone import system_timezone_name

    session = open_session()
    profile = session.profile
    if as_json:
        print_json(_profile_json(profile))
        return
    from fittrack.cli.render import profile as render

    render.profile(profile, system_timezone_name())


def _profile_json(profile: "Profile") -> dict[str, object]:
    """``{"weight_kg", "timezone", "units", "week_start", "birth_date", "sex", "height_cm",
    "resting_hr", "max_hr"}``; the system's zone when none is set, null for what is not."""
    from fittrack.localzone import system_timezone_name

    return {
        "weight_kg": profile.weight_kg,
        "timezone": profile.timezone or system_timezone_name(),
        "units": profile.units,
        "week_start": profile.week_start,
        "birth_date": None if profile.birth_date is None else profile.birth_date.isoformat(),
        "sex": profile.sex,
        "height_cm": profile.height_cm,
        "resting_hr": profile.resting_hr,
        "max_hr": profile.max_hr,
    }


UNSET = ("", "none")
"""What a body option takes to forget its value: ``--height none`` (or ``--height ""``)."""


def _body_changes(
    birth_date: str | None,
    sex: str | None,
    height: str | None,
    resting_hr: str | None,
    max_hr: str | None,
    today: "date",
) -> dict[str, object]:
    """The body figures given, checked (``core.profile``'s parsers); ``none`` unsets one."""
    from fittrack.core.profile import (
        check_birth_date,
        check_heart_rate,
        check_height,
        check_sex,
    )

    parsers: dict[str, tuple[str | None, Callable[[str], object]]] = {
        "birth_date": (birth_date, lambda v: check_birth_date(v, today)),
        "sex": (sex, check_sex),
        "height_cm": (height, check_height),
        "resting_hr": (resting_hr, lambda v: check_heart_rate(v, "resting heart rate")),
        "max_hr": (max_hr, lambda v: check_heart_rate(v, "maximum heart rate")),
    }
    changes: dict[str, object] = {}
    for key, (text, parse) in parsers.items():
        if text is not None:
            changes[key] = None if text.strip().lower() in UNSET else parse(text)
    return changes


def _profile_words(changes: dict[str, object], units: str) -> str:
    """``set the profile (weight 72.0 kg, timezone Europe/Berlin)``, for the undo journal."""
    from fittrack.core.display import format_weight

    said = []
    for key, value in changes.items():
        if key == "weight_kg" and isinstance(value, float):
            value = format_weight(value, units)
        name = key.removesuffix("_kg").removesuffix("_cm").replace("_", " ")
        unset = "system" if key == "timezone" else "unset"
        said.append(f"{name} {unset if value is None else value}")
    return f"set the profile ({', '.join(said)})"


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
    birth_date: Annotated[
        str | None,
        typer.Option(
            "--birth-date",
            metavar="DATE",
            help="YYYY-MM-DD, for your age in the calorie estimates; none unsets it.",
            show_default=False,
        ),
    ] = None,
    sex: Annotated[
        str | None,
        typer.Option(
            "--sex",
            metavar="SEX",
            help="female or male (f/m): the calorie equations' variable; none unsets it.",
            show_default=False,
        ),
    ] = None,
    height: Annotated[
        str | None,
        typer.Option(
            "--height",
            metavar="HEIGHT",
            help="With its unit: 168cm, 1.68m, 5ft6; none unsets it.",
            show_default=False,
        ),
    ] = None,
    resting_hr: Annotated[
        str | None,
        typer.Option(
            "--resting-hr",
            metavar="BPM",
            help="Resting heart rate, beats a minute; none unsets it.",
            show_default=False,
        ),
    ] = None,
    max_hr: Annotated[
        str | None,
        typer.Option(
            "--max-hr",
            metavar="BPM",
            help="Maximum heart rate, beats a minute; none unsets it.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the profile as it now stands, as JSON.")
    ] = False,
) -> None:
    """Change your profile: give only what changes.

    With birth date, sex and height, calories are estimated for your own resting metabolism;
    with a heart-rate track too, from your heart rate (fittrack docs usage: Calories).

    Examples:

      fittrack profile set --weight 72kg --timezone Europe/Berlin --units metric

      fittrack profile set --birth-date 1990-05-01 --sex female --height 168cm

      fittrack profile set --height none
    """
    from dataclasses import replace

    from fittrack.core.profile import check_heart_rates, check_units, check_week_start
    from fittrack.core.quantities import parse_weight
    from fittrack.core.zones import resolve_timezone
    from fittrack.errors import UsageError
    from fittrack.storage.db import write
    from fittrack.storage.profile import save_profile
    from fittrack.storage.undo import profile_row, remember_profile

    body = (birth_date, sex, height, resting_hr, max_hr)
    if (weight, timezone, units, week_start, *body) == (None,) * 9:
        raise UsageError(
            "nothing to set: give --weight, --timezone, --units, --week-start, --birth-date, "
            "--sex, --height, --resting-hr or --max-hr"
        )
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
    # The birth date is checked against today in the profile's zone (not in the future).
    changes |= _body_changes(*body, session.now.astimezone(session.tz).date())
    profile = replace(session.profile, **changes)  # type: ignore[arg-type]
    check_heart_rates(profile.resting_hr, profile.max_hr)
    with write(session.conn) as conn:
        before = profile_row(conn)
        save_profile(conn, profile, session.now)
        remember_profile(conn, session.now, _profile_words(changes, profile.units), before)
    if as_json:
        print_json(_profile_json(profile))
        return
    from fittrack.cli.render import profile as render
    from fittrack.localzone import system_timezone_name

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
        print_json([_type_json(k) for k in kinds])
        return
    from fittrack.cli.render import profile as render

    render.types_table(kinds)


def _type_json(kind: "ActivityType") -> dict[str, object]:
    """One type as ``types list --json`` and ``types add --json`` print it."""
    return {
        "slug": kind.slug,
        "name": kind.name,
        "met": kind.met,
        "aliases": list(kind.aliases),
        "speed_bands": [{"from_kmh": s, "met": m} for s, m in kind.speed_bands],
        "tracks_distance": kind.tracks_distance,
        "figure": kind.figure,
        "max_speed_mps": kind.max_speed_mps,
        "builtin": kind.builtin,
    }


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
    max_speed: Annotated[
        str | None,
        typer.Option(
            "--max-speed",
            help="The fastest plausible average speed, with its unit: 30kmh, 20mph. Faster "
            "entries are refused unless --force. [default: no limit]",
            show_default=False,
        ),
    ] = None,
    shown_as: Annotated[
        str | None,
        typer.Option(
            "--shown-as",
            help="How its speed reads: pace (per km or mi), speed (km/h or mph), pace100 (per "
            "100 m or yd), pace500 (per 500 m). [default: pace]",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the new type as JSON (as `types list` does).")
    ] = False,
) -> None:
    """Add your own activity type.

    Examples:

      fittrack types add climbing --met 5.8 --alias bouldering

      fittrack types add kayak --met 5 --max-speed 20kmh --shown-as speed
    """
    from dataclasses import replace

    from fittrack.core.activity_types import BUILTIN_TYPES, FIGURES, validate_new_type
    from fittrack.core.quantities import parse_speed
    from fittrack.errors import UsageError
    from fittrack.storage.db import write
    from fittrack.storage.profile import add_custom_type, load_custom_types
    from fittrack.storage.undo import Change, record

    # Read before the write lock is taken: bad input writes nothing and waits for nobody.
    max_speed_mps = None if max_speed is None else parse_speed(max_speed)
    figure = "pace"
    if shown_as is not None:
        figure = shown_as.strip().lower()
        if figure not in FIGURES:
            raise UsageError(
                f"--shown-as '{shown_as}' is not one of {', '.join(FIGURES)} — e.g. speed "
                "for a type measured in km/h"
            )
    session = open_session()
    with write(session.conn) as conn:
        existing = [*BUILTIN_TYPES, *load_custom_types(conn)]
        kind = validate_new_type(name, met, alias or [], existing)
        kind = replace(kind, figure=figure, max_speed_mps=max_speed_mps)
        change = Change("activity_type", add_custom_type(conn, kind, session.now), None)
        record(conn, session.now, f"added type '{kind.slug}'", [change])
    if as_json:
        print_json(_type_json(kind))
        return
    typer.echo(f"Added type '{kind.slug}' (MET {kind.met:g}).")
