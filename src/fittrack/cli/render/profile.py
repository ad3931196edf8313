"""What ``profile`` and ``types list`` print."""

from collections.abc import Iterable

from fittrack.cli.render import base
from fittrack.cli.render.base import Text
from fittrack.core.activity_types import ActivityType
from fittrack.core.display import format_weight
from fittrack.core.profile import CM_PER_INCH, Profile


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
    rows.extend(_body_rows(profile))
    base.grid(base.stdout_console(), [(key, base.plain_markup(value)) for key, value in rows])


def _body_rows(profile: Profile) -> list[tuple[str, str]]:
    """Birth date, sex, height and heart rates, each "not set" when unset; height in the
    profile's units (display only, as everywhere)."""
    height = "not set"
    if profile.height_cm is not None:
        height = f"{profile.height_cm:g} cm"
        if profile.units == "imperial":
            inches = round(profile.height_cm / CM_PER_INCH)
            height = f"{inches // 12}′{inches % 12}″ ({profile.height_cm:g} cm)"

    def bpm(value: int | None) -> str:
        return "not set" if value is None else f"{value} bpm"

    return [
        ("born", "not set" if profile.birth_date is None else profile.birth_date.isoformat()),
        ("sex", profile.sex or "not set"),
        ("height", height),
        ("resting HR", bpm(profile.resting_hr)),
        ("max HR", bpm(profile.max_hr)),
    ]


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
