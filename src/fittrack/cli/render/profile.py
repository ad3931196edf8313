"""What ``profile`` and ``types list`` print."""

from collections.abc import Iterable

from fittrack.cli.render import base
from fittrack.cli.render.base import Text
from fittrack.core.activity_types import ActivityType
from fittrack.core.display import format_weight
from fittrack.core.profile import Profile


def profile(profile: Profile, system_zone: str | None) -> None:
    """The profile, with what each unset value falls back to."""
    weight = (
        "not set (calories assume 70 kg)"
        if profile.weight_kg is None
        else format_weight(profile.weight_kg, profile.units)
    )
    zone = profile.timezone or f"{system_zone or 'unknown'} (the system's)"
    # Strings, as Rich's grid took them: read as markup (none of these holds any).
    rows = [("weight", weight), ("timezone", zone), ("units", profile.units)]
    rows.append(("week starts", profile.week_start))
    base.grid(base.stdout_console(), [(key, base.plain_markup(value)) for key, value in rows])


def types_table(kinds: Iterable[ActivityType]) -> None:
    """Activity types with aliases and METs."""
    rows: list[list[str | Text]] = []
    for k in kinds:
        mets = [m for _, m in k.speed_bands]
        rows.append(
            [
                k.slug + ("" if k.builtin else " *"),
                f"{k.met:g}",
                f"{min(mets):g}–{max(mets):g} ({len(mets)} bands)" if mets else "",
                ", ".join(k.aliases),
            ]
        )
    console = base.stdout_console()
    columns = (
        base.Column("type", style="bold"),
        base.Column("MET", right=True),
        base.Column("MET by speed"),
        base.Column("aliases", wrap=True),
    )
    base.table(console, columns, rows)
    console.print(
        "[dim]METs from the 2024 Adult Compendium; with a distance, run, walk, ride and swim "
        "use the MET of their speed band. * your own types.[/]"
    )
