"""Goals: the record, its JSON shape, reading a target with its unit, and saying a goal in words.

A goal is a target (in SI: metres, seconds, a count, kcal) per calendar period (day, week, month,
year), optionally for one activity type, from ``start_date`` to an optional ``end_date``.

Reading a target (:func:`parse_target`): the unit decides the metric.

- distance: anything :func:`~fittrack.core.quantities.parse_distance` reads (``20km``, ``10mi``,
  ``5000m``, ``half``), except as below;
- duration: anything :func:`~fittrack.core.quantities.parse_duration` reads (``150min``, ``3h``,
  ``1h30m``, ``2:30:00``), except as below;
- count: a whole number of ``times``, ``x``, ``sessions``, ``workouts`` or ``activities``
  (``3times``, ``3 times``, ``3x``);
- calories: ``2000kcal``, ``2000 kcal``, ``2000cal`` (``cal`` means kcal, as on food labels). Up to
  10 million kcal: a year's target passes the 100000 kcal that one logged activity may have.
- elevation (metres climbed, from the activities' tracks): only when asked for by name
  (``metric="elevation"``, the CLI's ``--metric elevation``), since its unit is a distance's:
  ``2000m``, ``1.5km``, ``6500ft``. ``2000m`` alone stays a distance.

A named metric also settles an ambiguous unit: ``800m`` with ``distance`` is 800 metres, with
``duration`` 800 minutes; a target whose unit belongs to another metric is refused.

``Nm`` alone reads both as metres and as minutes. In a goal it means metres from 1000 on
(``5000m``: nobody writes a 17-hour target in minutes) and is refused below (``150m``, ``800m``):
``150 min a week`` and ``800 m a day`` are both goals people set, and a wrong guess would silently
track the wrong thing for months. The message says to write ``150min`` or ``800 metres``.

A bare number, zero, a negative number and a fractional count are refused with a one-line
:class:`~fittrack.errors.UsageError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fittrack.core.display import format_distance, format_duration
from fittrack.core.moments import stamp
from fittrack.core.quantities import (
    MAX_DISTANCE_M,
    MAX_NAME_CHARS,
    METRES_PER_MILE,
    InvalidQuantity,
    check_length,
    parse_distance,
    parse_duration,
)
from fittrack.errors import UsageError

__all__ = [
    "GOAL_KEYS",
    "METRICS",
    "Goal",
    "describe",
    "format_amount",
    "generated_name",
    "parse_target",
    "target_unit",
]

METRICS = ("distance", "duration", "count", "calories", "elevation")

GOAL_KEYS = (
    "id",
    "name",
    "period",
    "metric",
    "target",
    "activity_type",
    "start_date",
    "end_date",
    "paused",
    "created_at",
    "updated_at",
)
"""The keys of the GOAL JSON shape (PRODUCT.md), in order."""

_TARGET_HINT = "20km, 10mi, 150min, 3h, 3times or 2000kcal"

# From here on an `Nm` target is metres; below it, it is refused as ambiguous (see the docstring).
_AMBIGUOUS_METRES_FROM = 1000.0
MAX_COUNT = 100_000
MAX_CALORIES_KCAL = 10_000_000.0
MAX_ELEVATION_M = 10_000_000.0
"""Ten thousand kilometres climbed: more than anyone climbs in a year (a Tour de France: ~50 km)."""
_METRES_PER_FOOT = 0.3048

# Patterns stay strings until first use (the re module compiles and caches them), so commands that
# never read a target do not pay for compiling them on import. Thousands separators must group by
# three, as in the quantities module.
_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+"
_SIGNED_NUM_RE = "([-+\N{MINUS SIGN}]?)" + rf"\s*({_NUM})"
_COUNT_RE = rf"({_NUM})\s*(?:x|×|times?|sessions?|workouts?|activit(?:y|ies))"
_CALORIES_RE = rf"({_NUM})\s*(?:k?cals?|(?:kilo)?calories|(?:kilo)?calorie)"
_FEET_RE = rf"({_NUM})\s*(?:ft|feet|foot)"
_METRES_RE = rf"({_NUM})\s*(?:m|metres?|meters?)"


def _quote(text: str) -> str:
    return f"'{text}'" if text.isprintable() else repr(text)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _attempt(reader: Callable[[str], float], text: str) -> tuple[float | None, UsageError | None]:
    try:
        value = reader(text)
    except UsageError as error:
        return None, error
    return value, None


def parse_target(text: str, metric: str | None = None) -> tuple[str, float]:
    """(metric, target in SI) from a target with its unit: ``20km`` is ``("distance", 20000.0)``,
    ``150min`` ``("duration", 9000.0)``, ``3times`` ``("count", 3.0)``, ``2000kcal``
    ``("calories", 2000.0)``; with ``metric="elevation"``, ``2000m`` is ``("elevation", 2000.0)``.
    See the module docstring for what is read and refused.
    """
    if metric is not None:
        return _parse_as(text, check_metric(metric))
    return _parse_any(text)


def check_metric(text: str) -> str:
    """The metric ``text`` names (any case, surrounding spaces), or a one-line UsageError."""
    key = text.strip().lower()
    if key not in METRICS:
        raise UsageError(f"a goal's metric is one of {', '.join(METRICS)}, not {_quote(text)}")
    return key


def _parse_as(text: str, metric: str) -> tuple[str, float]:
    """``text`` read as an amount of ``metric``, or a one-line UsageError."""
    normal = " ".join(text.split()).lower().lstrip("+").lstrip()
    shown = _quote(" ".join(text.split()))
    if metric in ("elevation", "distance"):
        metres = re.fullmatch(_METRES_RE, normal)
        feet = re.fullmatch(_FEET_RE, normal)
        if metres is not None or feet is not None:
            # `Nm` is metres here whatever N is: the metric says it is a height or a distance.
            value = (
                _number(metres.group(1))
                if metres is not None
                else _number(feet.group(1)) * _METRES_PER_FOOT  # type: ignore[union-attr]
            )
            if value <= 0:
                raise UsageError(f"a target must be more than zero, not {shown}")
            limit = MAX_ELEVATION_M if metric == "elevation" else MAX_DISTANCE_M
            if value > limit:
                raise UsageError(f"{shown} is over {limit:.0f} m — check the number")
            return metric, value
    minutes = re.fullmatch(rf"({_NUM})\s*m", normal)
    if metric == "duration" and minutes is not None:
        return _parse_any(minutes.group(1) + "min")  # `Nm` is minutes here, whatever N is
    found, value = _parse_any(text)
    if metric == "elevation" and found == "distance":
        if value > MAX_ELEVATION_M:
            raise UsageError(f"{shown} is over {MAX_ELEVATION_M:.0f} m — check the number")
        return "elevation", value
    if found != metric:
        example = {
            "elevation": "2000m or 6500ft",
            "distance": "20km or 10mi",
            "duration": "150min or 3h",
            "count": "3times",
            "calories": "2000kcal",
        }[metric]
        article = "an" if metric == "elevation" else "a"
        raise UsageError(f"{article} {metric} target is like {example}, not {shown} (a {found})")
    return found, value


def _parse_any(text: str) -> tuple[str, float]:
    normal = " ".join(text.split()).lower()
    shown = _quote(" ".join(text.split()))
    if not normal:
        raise UsageError(f"no target given — give one with its unit: {_TARGET_HINT}")

    signed = re.match(_SIGNED_NUM_RE, normal)
    if signed is not None:
        if re.fullmatch(_SIGNED_NUM_RE, normal):
            raise UsageError(f"a target needs a unit: {_TARGET_HINT}, not {shown}")
        # Checked here, before any reader, so that every unit gets the same message. Every number
        # must be zero for a zero target: "0h30m" and "0:45:00" are fine.
        if signed.group(1) in ("-", "\N{MINUS SIGN}") or not any(
            _number(number) for number in re.findall(_NUM, normal)
        ):
            raise UsageError(f"a target must be more than zero, not {shown} — e.g. {_TARGET_HINT}")
        if signed.group(1) == "+":
            normal = normal[1:].lstrip()

    count = re.fullmatch(_COUNT_RE, normal)
    if count is not None:
        value = _number(count.group(1))
        if not math.isfinite(value) or value > MAX_COUNT:  # before int(), which overflows on inf
            raise UsageError(f"{shown} is over {MAX_COUNT} times — check the number")
        if value != int(value):
            raise UsageError(
                f"a count target must be a whole number, not {shown} — e.g. 3times or 3x"
            )
        if value > MAX_COUNT:
            raise UsageError(f"{shown} is over {MAX_COUNT} times — check the number")
        return "count", value

    calories = re.fullmatch(_CALORIES_RE, normal)
    if calories is not None:
        value = _number(calories.group(1))
        if value > MAX_CALORIES_KCAL:
            raise UsageError(f"{shown} is over 10000000 kcal — check the number")
        return "calories", value

    metres, distance_error = _attempt(parse_distance, normal)
    seconds, duration_error = _attempt(parse_duration, normal)
    if metres is not None and seconds is not None:
        # Only `Nm` reads as both (metres and minutes).
        if metres >= _AMBIGUOUS_METRES_FROM:
            return "distance", metres
        number = signed.group(2) if signed is not None else normal.rstrip("m ")
        raise UsageError(
            f"{shown} could be minutes or metres — write {number}min or {number} metres"
        )
    if metres is not None:
        return "distance", metres
    if seconds is not None:
        return "duration", seconds
    # A value the form allows but that is out of range ("1h75m", "200000km") says so precisely.
    for error in (distance_error, duration_error):
        if isinstance(error, InvalidQuantity):
            raise error
    raise UsageError(f"can't read {shown} as a target — use one with its unit: {_TARGET_HINT}")


@dataclass(frozen=True)
class Goal:
    """One goal. ``target`` is SI (metres, seconds, a count, kcal); dates are local calendar days.

    ``pauses`` are the intervals the goal was paused: (first paused day, last paused day), the
    last being None while it is still paused (then ``paused`` is True).
    """

    id: str
    name: str
    period: str
    metric: str
    target: float
    activity_type: str | None
    start_date: date
    end_date: date | None
    paused: bool
    pauses: tuple[tuple[date, date | None], ...]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    def to_json(self, *, deleted: bool = False, pauses: bool = False) -> dict[str, Any]:
        """The GOAL shape of PRODUCT.md: dates ``YYYY-MM-DD`` or null, stamps in UTC to the
        microsecond (as activities have them), ``target`` as the SI float it is stored as.

        ``pauses`` adds the paused spans (``[[first, last or null], …]``: sync, the backup);
        ``deleted`` adds ``deleted_at`` (null for a live goal)."""
        shape: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "period": self.period,
            "metric": self.metric,
            "target": self.target,
            "activity_type": self.activity_type,
            "start_date": self.start_date.isoformat(),
            "end_date": None if self.end_date is None else self.end_date.isoformat(),
            "paused": self.paused,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
        }
        if pauses:
            shape["pauses"] = [
                [first.isoformat(), None if last is None else last.isoformat()]
                for first, last in self.pauses
            ]
        if deleted:
            shape["deleted_at"] = None if self.deleted_at is None else stamp(self.deleted_at)
        return shape


def _compact(value: float, places: int = 2) -> str:
    """``20``, ``12.5``, ``6.21``: at most ``places`` decimals, no trailing zeros."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_DISTANCE_UNIT_OF = {
    **dict.fromkeys(["k", "km", "kms", "kilometer", "kilometers", "kilometre", "kilometres"], "km"),
    **dict.fromkeys(["m", "meter", "meters", "metre", "metres"], "m"),
    **dict.fromkeys(["mi", "mile", "miles"], "mi"),
    **dict.fromkeys(["yd", "yds", "yard", "yards"], "yd"),
}
_DURATION_UNIT_OF = {
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], "h"),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], "min"),
}
_ELEVATION_UNIT_OF = {
    **_DISTANCE_UNIT_OF,
    **dict.fromkeys(["ft", "feet", "foot"], "ft"),
}
_METRES_PER = {
    "km": 1000.0,
    "m": 1.0,
    "mi": METRES_PER_MILE,
    "yd": 0.9144,
    "ft": _METRES_PER_FOOT,
}
_UNIT_WORD_RE = r"[0-9.,\s]*([a-z]+)"


def target_unit(text: str, metric: str | None = None) -> str | None:
    """The unit a target was written in, for its name: ``100mi`` → ``mi``, ``5 km`` → ``km``,
    ``150min`` → ``min``, ``3h`` → ``h``; None when it has no single unit (``1h30m``, ``2:30:00``,
    ``half``, a count or calories, which have only one way to be said)."""
    normal = " ".join(text.split()).lower().lstrip("+")
    match = re.fullmatch(_UNIT_WORD_RE, normal)
    if match is None:
        return None
    try:
        metric, _ = parse_target(text, metric)
    except UsageError:
        return None
    word = match.group(1)
    if metric == "elevation":
        return _ELEVATION_UNIT_OF.get(word)
    if metric == "distance":
        return _DISTANCE_UNIT_OF.get(word)
    if metric == "duration":
        return _DURATION_UNIT_OF.get(word)
    return None


def _short_distance(metres: float, units: str, unit: str | None) -> str:
    if unit is None:
        unit = "mi" if units == "imperial" else "m" if metres < 1000 else "km"
    return f"{_compact(metres / _METRES_PER[unit])} {unit}"


def _short_duration(seconds: float, unit: str | None) -> str:
    if unit == "min":
        return f"{_compact(seconds / 60)} min"
    if unit == "h":
        return f"{_compact(seconds / 3600)} h"
    hours, rest = divmod(round(seconds / 60), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{_compact(seconds / 60)} min"


def _short_amount(metric: str, value: float, units: str, unit: str | None = None) -> str:
    """An amount the way a person writes it in a goal: ``20 km``, ``10 mi``, ``150 min``,
    ``3 h``, ``2000 kcal``; in ``unit`` when given (the one the target was written in)."""
    if metric == "distance":
        return _short_distance(value, units, unit)
    if metric == "duration":
        return _short_duration(value, unit)
    if metric == "elevation":
        if unit is None:
            unit = "ft" if units == "imperial" else "m"
        return f"{_compact(value / _METRES_PER[unit])} {unit} climbed"
    return f"{_compact(value, 0)} kcal"


def _type_name(slug: str) -> str:
    """``run`` → ``Run``, ``mountain-bike`` → ``Mountain bike``."""
    return slug.replace("-", " ").replace("_", " ").capitalize()


def _times(count: float, of_type: bool) -> str:
    if of_type:
        return {1.0: "once", 2.0: "twice"}.get(count, f"{_compact(count)} times")
    return f"{_compact(count)} workout" + ("" if count == 1 else "s")


def describe(goal: Goal, units: str, unit: str | None = None) -> str:
    """The goal in words, its default name: ``Run 20 km a week``, ``Yoga once a day``,
    ``3 workouts a week``, ``150 min a week``, ``2000 kcal a month``.

    A distance or duration is said in ``unit`` (what the target was written in, see
    :func:`target_unit`: ``100mi`` stays ``100 mi``) or else in the profile's ``units``.
    """
    if goal.metric == "count":
        amount = _times(goal.target, goal.activity_type is not None)
    else:
        amount = _short_amount(goal.metric, goal.target, units, unit)
    text = f"{amount} a {goal.period}"
    return f"{_type_name(goal.activity_type)} {text}" if goal.activity_type else text


def _legacy_describe(goal: Goal, units: str) -> str:
    """The default name before 0.x: ``20 km a week of run`` (so goal edit still knows it)."""
    if goal.metric == "count":
        amount = "once" if goal.target == 1 else f"{_compact(goal.target)} times"
    elif goal.metric == "duration" and goal.target >= 3600 and goal.target % 3600 == 0:
        amount = f"{int(goal.target // 3600)} h"
    elif goal.metric == "duration":
        amount = f"{_compact(goal.target / 60)} min"
    else:
        amount = _short_amount(goal.metric, goal.target, units)
    text = f"{amount} a {goal.period}"
    return f"{text} of {goal.activity_type}" if goal.activity_type else text


def generated_name(goal: Goal, units: str) -> tuple[bool, str | None]:
    """Whether ``goal``'s name is one :func:`describe` made (then it follows edits of the goal),
    and the unit it was said in (None: the profile's units)."""
    said_in = {
        "distance": tuple(_METRES_PER),
        "duration": ("min", "h"),
        "elevation": tuple(_METRES_PER),
    }.get(goal.metric, ())
    for unit in (None, *said_in):
        if goal.name == describe(goal, units, unit):
            return True, unit
    return goal.name == _legacy_describe(goal, units), None


def format_amount(metric: str, value: float, units: str) -> str:
    """An amount of ``metric`` for display: ``20.00 km`` (``12.43 mi``), ``2:30:00``, ``3``,
    ``2000 kcal``."""
    if metric == "distance":
        return format_distance(value, units)
    if metric == "duration":
        return format_duration(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot format {value!r}")
    if metric == "count":
        return _compact(value)
    if metric == "calories":
        return f"{_compact(value, 0)} kcal"
    if metric == "elevation":
        return format_elevation(value, units)
    raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")


def format_elevation(metres: float, units: str) -> str:
    """Metres climbed for display: ``1,240 m``; imperial ``4,068 ft`` (whole units: a climb's
    tenths of a metre are noise)."""
    if not math.isfinite(metres):
        raise ValueError(f"cannot format {metres!r}")
    if units == "imperial":
        return f"{round(metres / _METRES_PER_FOOT):,} ft"
    return f"{round(metres):,} m"


def new_goal(
    target: str,
    period: str,
    *,
    activity_type: str | None,
    start_date: date,
    end_date: date | None,
    name: str | None,
    units: str,
    now: datetime,
    metric: str | None = None,
) -> Goal:
    """A new goal from what a person typed: TARGET with its unit, the period's name, the rest.

    Without a name it is named by what it asks, in the unit of TARGET ("Run 100 mi a month").
    """
    import uuid
    from dataclasses import replace

    from fittrack.core.periods import check_period

    check_length(name or "", "the goal's name", MAX_NAME_CHARS)
    metric, amount = parse_target(target, metric)
    goal = Goal(
        id=str(uuid.uuid4()),
        name="",
        period=check_period(period),
        metric=metric,
        target=amount,
        activity_type=activity_type,
        start_date=start_date,
        end_date=end_date,
        paused=False,
        pauses=(),
        created_at=now,
        updated_at=now,
    )
    return replace(
        goal,
        name=name.strip()
        if name and name.strip()
        else describe(goal, units, target_unit(target, metric)),
    )
