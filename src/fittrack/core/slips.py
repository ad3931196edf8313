"""The likely slip behind an implausibly fast activity: ``12k 1:05`` meant ``1:05:00``.

Loaded only when ``core.activity.check_plausible`` finds a speed beyond the type's maximum, so the
everyday commands do not pay for it.
"""

import re

from fittrack.core.activity_types import ActivityType
from fittrack.core.display import format_distance, format_duration
from fittrack.core.quantities import METRES_PER_MILE, parse_distance, parse_duration
from fittrack.errors import UsageError

_FASTER_THAN = {
    "run": "faster than anyone runs",
    "walk": "faster than anyone walks",
    "nordic-walk": "faster than anyone walks",
    "hike": "faster than anyone hikes",
    "ride": "faster than anyone rides",
    "mountain-bike": "faster than anyone rides a mountain bike",
    "indoor-ride": "faster than anyone rides",
    "swim": "faster than anyone swims",
    "open-water-swim": "faster than anyone swims",
    "row": "faster than anyone rows",
}
_CLOCK_MM_SS = r"([0-9]+):([0-9]{2})"
_NUMBER_UNIT = r"([0-9.,]+)\s*([a-z]+)"


def _hours_minutes(hours: int, minutes: int) -> str:
    parts = ([f"{hours} h"] if hours else []) + ([f"{minutes} min"] if minutes else [])
    return " ".join(parts) or "0 min"


def _duration_readings(text: str) -> list[tuple[str, float]]:
    """What a duration typed as ``text`` may have meant, most likely first: (as typed, seconds)."""
    normal = " ".join(text.split()).lower()
    clock = re.fullmatch(_CLOCK_MM_SS, normal)
    if clock is not None:  # m:ss meant as h:mm
        hours, minutes = int(clock.group(1)), int(clock.group(2))
        if minutes < 60:
            meant = f"{hours}:{minutes:02d}:00 ({_hours_minutes(hours, minutes)})"
            return [(meant, hours * 3600.0 + minutes * 60.0)]
        return []
    match = re.fullmatch(_NUMBER_UNIT, normal)
    if match is None:
        return []
    number, unit = match.groups()
    bigger = {"s": "min", "sec": "min", "secs": "min", "m": "h", "min": "h", "mins": "h"}
    if unit not in bigger:
        return []
    meant = f"{number}{bigger[unit]}"
    return [(meant, parse_duration(meant))]


def _distance_readings(text: str) -> list[tuple[str, float]]:
    """What a distance typed as ``text`` may have meant, most likely first: (as typed, metres)."""
    match = re.fullmatch(_NUMBER_UNIT, " ".join(text.split()).lower())
    if match is None:
        return []
    number, unit = match.groups()
    if unit in ("k", "km", "kms"):
        others = ["m"]  # 1500k meant 1500m
    elif unit in ("mi", "mile", "miles"):
        others = ["km", "m"]  # miles where kilometres (or metres) were meant
    else:
        return []
    return [(f"{number}{other}", parse_distance(f"{number}{other}")) for other in others]


def implausible_error(
    activity_type: ActivityType,
    distance_m: float,
    duration_s: float,
    speed_kmh: float,
    *,
    distance_text: str | None,
    duration_text: str | None,
    units: str,
) -> UsageError:
    """The one-line refusal of a speed of ``speed_kmh``, with the reading probably meant."""
    limit = activity_type.max_speed_mps
    assert limit is not None
    candidates: list[tuple[str, float, float]] = []
    if duration_text is not None:
        candidates += [(m, distance_m, s) for m, s in _duration_readings(duration_text)]
    if distance_text is not None:
        candidates += [(m, d, duration_s) for m, d in _distance_readings(distance_text)]
    # A reading counts when it lands in the type's range: under the maximum, and not so slow
    # (a tenth of it) that it trades one slip for another (`10k 20:00` as twenty hours).
    meant = next((m for m, d, s in candidates if limit / 10 <= d / s <= limit), None)
    per_unit, unit = (METRES_PER_MILE / 1000, "mph") if units == "imperial" else (1.0, "km/h")
    shown_limit = f"{limit * 3.6 / per_unit:.0f} {unit}"
    shown_speed = f"{speed_kmh / per_unit:.0f} {unit}"
    if shown_speed == shown_limit:  # 80.5 km/h against 80: show the difference
        shown_speed = f"{speed_kmh / per_unit:.1f} {unit}"
    faster = _FASTER_THAN.get(activity_type.slug) if activity_type.builtin else None
    if faster is None:
        faster = f"over the {shown_limit} plausible for {activity_type.slug}"
    what = f"{format_distance(distance_m, units)} in {format_duration(duration_s)}"
    if meant is not None:
        return UsageError(
            f"{what} is {shown_speed}, {faster} — did you mean {meant}? Add --force if it is right."
        )
    return UsageError(
        f"{what} is {shown_speed}, {faster} — check the distance and the duration, "
        "or add --force if it is right."
    )
