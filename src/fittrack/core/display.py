"""How stored quantities are shown: distances, durations, paces and speeds, weights, in the
profile's units (``metric`` or ``imperial``). Reading what a person types is ``core.quantities``.
"""

import math

from fittrack.core.quantities import KG_PER_LB, METRES_PER_MILE


def _check_units(units: str) -> None:
    if units not in ("metric", "imperial"):
        raise ValueError(f"units must be 'metric' or 'imperial', not {units!r}")


def _round_half_up(value: float) -> int:
    if not math.isfinite(value):
        raise ValueError(f"cannot format {value!r}")
    return math.floor(value + 0.5)


def format_whole(value: float) -> str:
    """A number of kcal or MET-minutes as shown: whole, half up (122.5 → 123), as stored values
    are rounded (Python's ``:.0f`` would round half to even: 122)."""
    return str(_round_half_up(value))


def format_distance(metres: float, units: str = "metric") -> str:
    """``5.00 km`` or ``800 m`` (under 1 km); imperial ``3.11 mi``, or ``150 yd`` under 0.1 mi."""
    _check_units(units)
    if units == "metric":
        whole = _round_half_up(metres)
        return f"{whole} m" if abs(whole) < 1000 else f"{metres / 1000:.2f} km"
    miles = metres / METRES_PER_MILE
    if abs(round(miles, 2)) < 0.1:
        return f"{_round_half_up(metres / 0.9144)} yd"
    return f"{miles:.2f} mi"


def format_distance_exact(metres: float) -> str:
    """Metres as text that :func:`parse_distance` reads back exactly: ``5123m``, ``4988.9664m``.

    Exact for every integer number of metres, and for any other float of at least 1e-4 m (whose
    ``repr`` has no exponent).
    """
    if not math.isfinite(metres):
        raise ValueError(f"cannot format {metres!r}")
    if metres == int(metres):
        return f"{int(metres)}m"
    return f"{metres!r}m"


def format_duration(seconds: float) -> str:
    """``27:30`` under an hour, ``1:05:00`` from an hour on; rounded to whole seconds."""
    whole = _round_half_up(seconds)
    sign = "-" if whole < 0 else ""
    hours, rest = divmod(abs(whole), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def format_pace(seconds: float, metres: float, units: str) -> str:
    """Time per kilometre or mile, ``5:30 /km`` or ``8:51 /mi``; ``--:-- /km`` with no distance."""
    _check_units(units)
    per, label = (1000.0, "/km") if units == "metric" else (METRES_PER_MILE, "/mi")
    if not (metres > 0 and seconds > 0 and math.isfinite(seconds / metres)):
        return f"--:-- {label}"
    return f"{format_duration(seconds * per / metres)} {label}"


def format_speed(seconds: float, metres: float, units: str) -> str:
    """Average speed, ``24.5 km/h`` or ``15.2 mph``; ``-- km/h`` with no distance or time."""
    _check_units(units)
    per, label = (1000.0, "km/h") if units == "metric" else (METRES_PER_MILE, "mph")
    if not (metres > 0 and seconds > 0 and math.isfinite(metres / seconds)):
        return f"-- {label}"
    return f"{metres / per / (seconds / 3600):.1f} {label}"


def _per(seconds: float, metres: float, per: float, label: str) -> str:
    if not (metres > 0 and seconds > 0 and math.isfinite(seconds / metres)):
        return f"--:-- {label}"
    return f"{format_duration(seconds * per / metres)} {label}"


def format_figure(figure: str, seconds: float, metres: float, units: str) -> str:
    """How fast, in the sport's own terms (``figure`` is an activity type's, see
    :data:`fittrack.core.activity_types.FIGURES`):

    - ``pace``: ``5:30 /km`` or ``8:51 /mi`` (running, walking, hiking);
    - ``speed``: ``24.5 km/h`` or ``15.2 mph`` (cycling);
    - ``pace100``: ``1:55 /100m`` or ``1:45 /100yd`` (swimming, where pools are metres or yards);
    - ``pace500``: ``2:05 /500m`` in either unit system (rowing: every erg shows it so).
    """
    _check_units(units)
    if figure == "speed":
        return format_speed(seconds, metres, units)
    if figure == "pace100":
        if units == "metric":
            return _per(seconds, metres, 100.0, "/100m")
        return _per(seconds, metres, 91.44, "/100yd")
    if figure == "pace500":
        return _per(seconds, metres, 500.0, "/500m")
    if figure == "pace":
        return format_pace(seconds, metres, units)
    raise ValueError(f"figure must be pace, speed, pace100 or pace500, not {figure!r}")


def format_sport_distance(metres: float, units: str, figure: str | None) -> str:
    """A distance as the sport counts it: a swim (``figure`` ``pace100``) stays in metres
    (``1500 m``) or yards (``1640 yd``) however long; everything else as :func:`format_distance`."""
    _check_units(units)
    if figure != "pace100":
        return format_distance(metres, units)
    if units == "metric":
        return f"{_round_half_up(metres)} m"
    return f"{_round_half_up(metres / 0.9144)} yd"


def format_weight(kg: float, units: str = "metric") -> str:
    """``72.0 kg`` or ``158.7 lb``."""
    _check_units(units)
    if units == "metric":
        return f"{kg:.1f} kg"
    return f"{kg / KG_PER_LB:.1f} lb"
