"""Distances, durations, weights and calories: read what a person types (``core.display`` shows).

Storage is SI (metres, seconds, kg, kcal); display follows the profile's units (``metric`` or
``imperial``). Every ``parse_*`` function either returns a finite number or raises
:class:`~fittrack.errors.UsageError` with a one-line message that names the bad text and shows what
would be right; no other exception escapes for any string.

Numbers are read as exact decimals and scaled with integer arithmetic, so ``3.1mi`` is the float
nearest 4988.9664 m rather than whatever ``3.1 * 1609.344`` rounds to, and ``parse_distance`` of
:func:`fittrack.core.display.format_distance_exact` gives back exactly the number formatted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fittrack.errors import UsageError

__all__ = [
    "KG_PER_LB",
    "MAX_DISTANCE_M",
    "MAX_DURATION_S",
    "MAX_NAME_CHARS",
    "MAX_NOTE_CHARS",
    "METRES_PER_MILE",
    "check_length",
    "parse_calories",
    "parse_distance",
    "parse_duration",
    "parse_speed",
    "parse_weight",
    "read_positional",
]

METRES_PER_MILE = 1609.344
KG_PER_LB = 0.45359237
MAX_DISTANCE_M = 100_000_000.0
MAX_DURATION_S = 10_000 * 3600.0
MIN_WEIGHT_KG = 20.0
MAX_WEIGHT_KG = 400.0
MAX_CALORIES_KCAL = 100_000.0
MAX_NOTE_CHARS = 1_000_000
"""The longest note an activity holds (an import can carry long ones; one request stays bounded)."""
MAX_NAME_CHARS = 10_000
"""The longest name a goal has."""


def check_length(text: str, what: str, most: int) -> str:
    """``text`` unchanged, or a UsageError when it is longer than ``most`` characters: the one
    limit the CLI, the imports and the server share for a note or a name."""
    if len(text) > most:
        raise UsageError(f"{what} is {len(text):,} characters long; it may hold at most {most:,}")
    return text


# Above this an `Nm` that reads as both is taken as metres, below it as minutes: nobody logs a
# 200-metre activity, and nobody walks for 200 minutes and writes it as "200m".
_AMBIGUOUS_METRES_FROM = 200.0

_DISTANCE_HINT = "try 5km, 3.1mi or 800m"
_DURATION_HINT = "try 27:30, 1:05:00, 45min or 1h30m"

# An exact rational (numerator, denominator) per unit keeps scaling exact; see _scaled().
_Factor = tuple[int, int]
_KM: _Factor = (1000, 1)
_M: _Factor = (1, 1)
_MI: _Factor = (1_609_344, 1000)
_YD: _Factor = (9144, 10_000)
_KG: _Factor = (1, 1)
_LB: _Factor = (45_359_237, 100_000_000)
_ST: _Factor = (14 * 45_359_237, 100_000_000)
_HOUR, _MINUTE, _SECOND = 3600, 60, 1

_DISTANCE_UNITS: dict[str, _Factor] = {
    **dict.fromkeys(["k", "km", "kms", "kilometer", "kilometers", "kilometre", "kilometres"], _KM),
    **dict.fromkeys(["m", "meter", "meters", "metre", "metres"], _M),
    **dict.fromkeys(["mi", "mile", "miles"], _MI),
    **dict.fromkeys(["yd", "yds", "yard", "yards"], _YD),
}
_NAMED_DISTANCES: dict[str, float] = {
    "marathon": 42195.0,
    "half": 21097.5,
    "half marathon": 21097.5,
    "half-marathon": 21097.5,
    "halfmarathon": 21097.5,
}
_DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], _HOUR),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], _MINUTE),
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], _SECOND),
}
_WEIGHT_UNITS: dict[str, _Factor] = {
    **dict.fromkeys(["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"], _KG),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds"], _LB),
    **dict.fromkeys(["st", "stone", "stones"], _ST),
}
_CALORIE_UNITS = frozenset(
    ["kcal", "kcals", "cal", "cals", "calorie", "calories", "kilocalorie", "kilocalories"]
)

# Patterns stay strings until first use (the re module compiles and caches them), so commands
# that only format quantities do not pay for compiling them on import.
# Thousands separators must group by three, so "1,5km" (a decimal comma) is refused, not misread.
_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+"
_QUANTITY_RE = rf"({_NUM})\s*([a-z]*)"
_BARE_NUMBER_RE = rf"[-+]?(?:{_NUM})"
_DURATION_PART_RE = rf"\s*({_NUM})\s*([a-z]*)"
_CLOCK_RE = r"([0-9]+):([0-9]{2})(?::([0-9]{2}))?(\.[0-9]+)?"
_STONE_RE = rf"({_NUM})\s*(?:st|stone|stones)\s*({_NUM})\s*(?:lb|lbs|pound|pounds)?"
_MINUS = ("-", "\N{MINUS SIGN}")
# A comma that cannot be a thousands separator ("1,5", "12,25"): a decimal comma, as many
# locales write it. Said so, rather than "can't read", since the person's number was right.
_DECIMAL_COMMA_RE = r"([0-9]+),([0-9]+)\s*([a-z/]*)"


class _Unreadable(UsageError):
    """The text is not of the form asked for (it may well be another quantity)."""


class InvalidQuantity(UsageError):
    """The text has the right form but an impossible value (negative, 27:75, out of range)."""


def _quote(text: str) -> str:
    return f"'{text}'" if text.isprintable() else repr(text)


def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def _ratio(number: str, shown: str) -> tuple[int, int]:
    """An exact (numerator, denominator) for a decimal matched by _NUM."""
    whole, _, fraction = number.replace(",", "").partition(".")
    whole, fraction = whole.lstrip("0"), fraction.rstrip("0")
    # Bounding the digits keeps int() under its 4300-digit limit and the result finite.
    if len(whole) > 12 or len(fraction) > 30:
        raise InvalidQuantity(f"{shown} has too many digits — check the number")
    scale = 10 ** len(fraction)
    return int(whole or "0") * scale + int(fraction or "0"), scale


def _scaled(number: str, factor: _Factor, shown: str) -> float:
    numerator, denominator = _ratio(number, shown)
    # int / int is correctly rounded, so the result is the float nearest the exact product.
    return numerator * factor[0] / (denominator * factor[1])


def _split_sign(text: str) -> tuple[bool, str]:
    if text.startswith(_MINUS):
        return True, text[1:].lstrip()
    return False, text


def _bare_number(text: str) -> bool:
    return (
        re.fullmatch(_BARE_NUMBER_RE, _normalise(text).replace("\N{MINUS SIGN}", "-")) is not None
    )


def _decimal_comma(body: str, shown: str, units: Iterable[str]) -> None:
    """Refuse ``1,5km`` (a decimal comma) with the text that would be read: ``1.5km``."""
    match = re.fullmatch(_DECIMAL_COMMA_RE, body)
    if match is None or re.fullmatch(_NUM, f"{match.group(1)},{match.group(2)}"):
        return
    whole, fraction, unit = match.groups()
    if unit and unit not in units:
        return
    raise InvalidQuantity(f"{shown} has a decimal comma — did you mean {whole}.{fraction}{unit}?")


# --- distance -------------------------------------------------------------------------------


def _read_distance(text: str) -> float:
    normal = _normalise(text)
    shown = _quote(text.strip())
    if not normal:
        raise _Unreadable(f"no distance given — {_DISTANCE_HINT}")
    negative, body = _split_sign(normal)
    if body in _NAMED_DISTANCES:
        metres = _NAMED_DISTANCES[body]
    else:
        match = re.fullmatch(_QUANTITY_RE, body)
        if match is None:
            _decimal_comma(body, shown, _DISTANCE_UNITS)
            if body in ("nan", "inf", "infinity"):
                raise InvalidQuantity(f"distance must be positive, not {shown} — {_DISTANCE_HINT}")
            raise _Unreadable(f"can't read {shown} as a distance — {_DISTANCE_HINT}")
        number, unit = match.groups()
        if not unit:
            raise _Unreadable(
                f"{shown} has no unit — say {number}km, {number}mi or {number}m "
                "(a bare number is ambiguous)"
            )
        if unit not in _DISTANCE_UNITS:
            raise _Unreadable(
                f"can't read {shown} as a distance: unknown unit '{unit}' — {_DISTANCE_HINT}"
            )
        metres = _scaled(number, _DISTANCE_UNITS[unit], shown)
    if negative or metres <= 0:
        raise InvalidQuantity(f"distance must be positive, not {shown} — {_DISTANCE_HINT}")
    if metres > MAX_DISTANCE_M:
        raise InvalidQuantity(f"distance {shown} is over 100000 km — check the number and the unit")
    return metres


def parse_distance(text: str) -> float:
    """Metres in ``text``: ``5k``, ``5 km``, ``3.1mi``, ``10 miles``, ``800m``, ``1,500m``,
    ``1650yd``, ``.5km``, ``half`` (21097.5 m) or ``marathon`` (42195 m).

    A bare number is refused, since ``5`` could be kilometres, miles or metres.
    """
    return _read_distance(text)


# --- duration -------------------------------------------------------------------------------


def _read_clock(match: re.Match[str], shown: str) -> float:
    first, second, third, fraction = match.groups()
    if third is None:  # m:ss
        hours, minutes, seconds = "0", first, second
    else:  # h:mm:ss
        hours, minutes, seconds = first, second, third
        if int(minutes) >= 60:
            raise InvalidQuantity(
                f"minutes must be under 60 in {shown} — write h:mm:ss, e.g. 1:05:00"
            )
    if int(seconds) >= 60:
        raise InvalidQuantity(f"seconds must be under 60 in {shown} — write m:ss, e.g. 27:30")
    whole = _ratio(hours, shown)[0] * _HOUR + _ratio(minutes, shown)[0] * _MINUTE + int(seconds)
    if fraction is None:
        return float(whole)
    numerator, denominator = _ratio(fraction, shown)
    return (whole * denominator + numerator) / denominator


def _read_units(body: str, shown: str) -> float:
    """``1h30m``, ``1h 30m``, ``1h30``, ``1.5h``, ``90s``, ``1h5m30s``: units large to small."""
    parts: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        match = re.compile(_DURATION_PART_RE).match(body, position)
        if match is None:
            raise _Unreadable(f"can't read {shown} as a duration — {_DURATION_HINT}")
        parts.append((match.group(1), match.group(2)))
        position = match.end()
    if not parts:
        raise _Unreadable(f"can't read {shown} as a duration — {_DURATION_HINT}")
    if len(parts) == 1 and not parts[0][1]:
        number = parts[0][0]
        raise _Unreadable(
            f"{shown} has no unit — say {number}min, {number}s or {number}h "
            "(a bare number is ambiguous)"
        )

    numerator, denominator = 0, 1
    previous: int | None = None
    for index, (number, unit) in enumerate(parts):
        if unit:
            if unit not in _DURATION_UNITS:
                raise _Unreadable(
                    f"can't read {shown} as a duration: unknown unit '{unit}' — {_DURATION_HINT}"
                )
            size = _DURATION_UNITS[unit]
        elif index == len(parts) - 1 and previous in (_HOUR, _MINUTE):
            size = previous // 60  # "1h30" is 1 h 30 min, "5m30" is 5 min 30 s
        else:
            raise _Unreadable(f"can't read {shown} as a duration — {_DURATION_HINT}")
        if previous is not None and size >= previous:
            raise _Unreadable(
                f"can't read {shown} as a duration — give hours, then minutes, then seconds"
            )
        part_numerator, part_denominator = _ratio(number, shown)
        if previous is not None and part_numerator >= 60 * part_denominator:
            raise InvalidQuantity(
                f"{'minutes' if size == _MINUTE else 'seconds'} must be under 60 in {shown} "
                "— e.g. 1h30m or 5m30s"
            )
        numerator = numerator * part_denominator + part_numerator * size * denominator
        denominator *= part_denominator
        previous = size
    return numerator / denominator


def _read_duration(text: str) -> float:
    normal = _normalise(text)
    shown = _quote(text.strip())
    if not normal:
        raise _Unreadable(f"no duration given — {_DURATION_HINT}")
    negative, body = _split_sign(normal)
    clock = re.fullmatch(_CLOCK_RE, body)
    _decimal_comma(body, shown, _DURATION_UNITS)
    seconds = _read_clock(clock, shown) if clock else _read_units(body, shown)
    if negative or seconds <= 0:
        raise InvalidQuantity(f"duration must be positive, not {shown} — {_DURATION_HINT}")
    if seconds > MAX_DURATION_S:
        raise InvalidQuantity(
            f"duration {shown} is over 10000 hours — check the number and the unit"
        )
    return seconds


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``27:30`` (m:ss), ``1:05:00`` (h:mm:ss), ``45m``, ``45 min``,
    ``45 minutes``, ``1h30m``, ``1h 30m``, ``1h30``, ``1.5h``, ``90s``, ``1h5m30s``.

    Refused: seconds or minutes of 60 or more after a larger part (``27:75``, ``1:75:00``,
    ``1h75m``), units out of order, zero, negative, and a bare number (minutes? seconds?).
    """
    return _read_duration(text)


# --- positional quantities -------------------------------------------------------------------

_UNIT_WORDS = frozenset(_DISTANCE_UNITS) | frozenset(_DURATION_UNITS)


def _attempt(reader: Callable[[str], float], text: str) -> tuple[float | None, UsageError | None]:
    try:
        return reader(text), None
    except UsageError as error:
        return None, error


def _join_tokens(tokens: list[str]) -> list[str]:
    """Glue what the shell split: ``1500 m``, ``half marathon``, then ``1h 30m``."""
    glued: list[str] = []
    for raw in tokens:
        token = " ".join(raw.split())
        if glued and token:
            previous = glued[-1]
            if (_bare_number(previous) and token.lower() in _UNIT_WORDS) or (
                previous.lower() == "half" and token.lower() == "marathon"
            ):
                glued[-1] = f"{previous} {token}"
                continue
        glued.append(token)

    merged: list[str] = []
    for token in glued:
        if merged and token:
            previous = merged[-1]
            # Only after a token that can only be a duration, and only while the joined text still
            # reads as one: "1h 30m" is 90 minutes, "1h 800m" stays an hour and 800 metres.
            only_duration = (
                re.fullmatch(_CLOCK_RE, previous) is None
                and _attempt(_read_distance, previous)[0] is None
                and _attempt(_read_duration, previous)[0] is not None
            )
            # "27m 30s": an ambiguous Nm followed by seconds can only be minutes and seconds.
            minutes_then_seconds = (
                re.fullmatch(r"[0-9]+(?:\.[0-9]+)?\s*(?:s|secs?|seconds?)", token.lower())
                is not None
                and _attempt(_read_distance, previous)[0] is not None
                and _attempt(_read_duration, previous)[0] is not None
            )
            if (only_duration or minutes_then_seconds) and _attempt(
                _read_duration, f"{previous} {token}"
            )[0] is not None:
                merged[-1] = f"{previous} {token}"
                continue
        merged.append(token)
    return merged


@dataclass(frozen=True)
class Positional:
    """The positional quantities of ``fittrack log``: each value and the text it was read from.

    The text (after gluing what the shell split, e.g. ``1h 30m``) lets a caller that finds the
    values implausible point at the notation slip that probably made them.
    """

    distance_m: float | None = None
    duration_s: float | None = None
    distance_text: str | None = None
    duration_text: str | None = None


def read_positional(tokens: list[str], *, tracks_distance: bool) -> Positional:
    """The distance and duration among the positional quantities of ``fittrack log``.

    A bare number followed by a unit word is one quantity (``1500 m``), and so is a duration split
    by the shell (``1h 30m``). A token that reads only as a distance is one, likewise a duration.
    ``Nm`` reads as both: it is a duration when another token gives the distance, a distance when
    another gives the duration; otherwise minutes for a type that ``tracks_distance`` is False for,
    and for the others metres when N ≥ 200 (``swim 800m``) and minutes below (``walk 45m``).
    Ambiguous tokens are settled left to right, each seeing what was settled before it.
    A distance for a type that does not track one is returned all the same; the caller decides.
    """
    distance: tuple[str, float] | None = None
    duration: tuple[str, float] | None = None
    ambiguous: list[tuple[str, float, float]] = []

    def set_distance(token: str, metres: float) -> None:
        nonlocal distance
        if distance is not None:
            raise UsageError(
                f"two distances, '{distance[0]}' and {_quote(token)} — give one distance "
                "and at most one duration"
            )
        distance = (token, metres)

    def set_duration(token: str, seconds: float) -> None:
        nonlocal duration
        if duration is not None:
            raise UsageError(
                f"two durations, '{duration[0]}' and {_quote(token)} — give one duration "
                "and at most one distance"
            )
        duration = (token, seconds)

    for token in _join_tokens(tokens):
        if not token:
            raise UsageError(
                "empty quantity — give a distance (5km, 3.1mi, 800m) or a duration (27:30, 45min)"
            )
        metres, distance_error = _attempt(_read_distance, token)
        seconds, duration_error = _attempt(_read_duration, token)
        if metres is not None and seconds is not None:
            ambiguous.append((token, metres, seconds))
        elif metres is not None:
            set_distance(token, metres)
        elif seconds is not None:
            set_duration(token, seconds)
        elif isinstance(distance_error, InvalidQuantity):
            raise distance_error
        elif isinstance(duration_error, InvalidQuantity):
            raise duration_error
        elif _bare_number(token):
            raise UsageError(
                f"{_quote(token)} has no unit — say {token}km or {token}mi for a distance, "
                f"{token}min or {token}h for a duration"
            )
        else:
            raise UsageError(
                f"{_quote(token)} is neither a distance (5km, 3.1mi, 800m) "
                "nor a duration (27:30, 45min, 1h30m)"
            )

    for token, metres, seconds in ambiguous:
        if distance is not None:
            set_duration(token, seconds)
        elif duration is not None or (tracks_distance and metres >= _AMBIGUOUS_METRES_FROM):
            set_distance(token, metres)
        else:
            set_duration(token, seconds)

    return Positional(
        distance_m=distance[1] if distance is not None else None,
        duration_s=duration[1] if duration is not None else None,
        distance_text=distance[0] if distance is not None else None,
        duration_text=duration[0] if duration is not None else None,
    )


# --- weight and calories ---------------------------------------------------------------------


def parse_weight(text: str) -> float:
    """Kilograms in ``text``: ``72kg``, ``72 kg``, ``160lb``, ``160lbs``, ``11st``, ``11st 4lb``.

    A bare number is refused (kg or lb?), and so is anything outside 20–400 kg.
    """
    normal = _normalise(text)
    shown = _quote(text.strip())
    hint = "try 72kg, 160lb or 11st"
    if not normal:
        raise UsageError(f"no weight given — {hint}")
    negative, body = _split_sign(normal)
    stone = re.fullmatch(_STONE_RE, body)
    match = re.fullmatch(_QUANTITY_RE, body)
    if stone is not None:
        stones, pounds = _ratio(stone.group(1), shown), _ratio(stone.group(2), shown)
        total_pounds = (stones[0] * 14 * pounds[1] + pounds[0] * stones[1], stones[1] * pounds[1])
        kg = total_pounds[0] * _LB[0] / (total_pounds[1] * _LB[1])
    elif match is None:
        _decimal_comma(body, shown, _WEIGHT_UNITS)
        raise UsageError(f"can't read {shown} as a weight — {hint}")
    else:
        number, unit = match.groups()
        if not unit:
            raise UsageError(f"{shown} has no unit — say {number}kg or {number}lb")
        if unit not in _WEIGHT_UNITS:
            raise UsageError(f"can't read {shown} as a weight: unknown unit '{unit}' — {hint}")
        kg = _scaled(number, _WEIGHT_UNITS[unit], shown)
    if negative or not MIN_WEIGHT_KG <= kg <= MAX_WEIGHT_KG:
        raise UsageError(
            f"weight {shown} is outside 20–400 kg (44–882 lb) — check the number and the unit"
        )
    return kg


def parse_calories(text: str) -> float:
    """Kilocalories in ``text``: ``450``, ``450kcal``, ``450 kcal``, ``1,200 kcal``.

    ``cal`` means kcal, as on every fitness app and food label. A bare number is fine here: no other
    unit is in use. Zero is allowed; negative numbers and more than 100000 kcal are not.
    """
    normal = _normalise(text)
    shown = _quote(text.strip())
    hint = "try 450 or 450kcal"
    if not normal:
        raise UsageError(f"no calories given — {hint}")
    negative, body = _split_sign(normal)
    match = re.fullmatch(_QUANTITY_RE, body)
    if match is None:
        _decimal_comma(body, shown, _CALORIE_UNITS)
        raise UsageError(f"can't read {shown} as calories — {hint}")
    number, unit = match.groups()
    if unit and unit not in _CALORIE_UNITS:
        raise UsageError(f"can't read {shown} as calories: unknown unit '{unit}' — {hint}")
    kcal = _scaled(number, (1, 1), shown)
    if negative and kcal != 0:
        raise UsageError(f"calories can't be negative: {shown} — {hint}")
    if kcal > MAX_CALORIES_KCAL:
        raise UsageError(f"{shown} is over 100000 kcal — check the number")
    return kcal


_SPEED_UNITS: dict[str, _Factor] = {
    # m/s per unit, exact: 1 km/h = 1000/3600 m/s, 1 mph = 1609.344/3600 m/s.
    **dict.fromkeys(["kmh", "km/h", "kph", "kmph"], (1000, 3600)),
    **dict.fromkeys(["mph", "mi/h"], (1_609_344, 3_600_000)),
}
MAX_SPEED_KMH = 1000.0
_SPEED_RE = rf"({_NUM})\s*([a-z/]*)"


def parse_speed(text: str) -> float:
    """Metres per second in ``text``: ``30kmh``, ``30 km/h``, ``30kph``, ``20mph``, ``20 mi/h``.

    A bare number is refused (km/h or mph?), and so is anything not above 0 or over 1000 km/h.
    """
    normal = _normalise(text)
    shown = _quote(text.strip())
    hint = "try 30kmh or 20mph"
    if not normal:
        raise UsageError(f"no speed given — {hint}")
    negative, body = _split_sign(normal)
    match = re.fullmatch(_SPEED_RE, body)
    if match is None:
        _decimal_comma(body, shown, _SPEED_UNITS)
        raise UsageError(f"can't read {shown} as a speed — {hint}")
    number, unit = match.groups()
    if not unit:
        raise UsageError(f"{shown} has no unit — say {number}kmh or {number}mph")
    if unit not in _SPEED_UNITS:
        raise UsageError(f"can't read {shown} as a speed: unknown unit '{unit}' — {hint}")
    mps = _scaled(number, _SPEED_UNITS[unit], shown)
    if negative or mps <= 0:
        raise UsageError(f"speed must be positive, not {shown} — {hint}")
    if mps * 3.6 > MAX_SPEED_KMH:
        raise UsageError(f"speed {shown} is over 1000 km/h — check the number and the unit")
    return mps
