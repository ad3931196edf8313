"""The person's profile: body mass for calories, the timezone periods are read in, display units.

The optional body figures (birth date, sex, height, resting and maximum heart rate) feed the
personal calorie estimates of :mod:`fittrack.core.calories`. ``sex`` is ``female`` or ``male``
only: it is the variable of the published equations used (Harris-Benedict, Keytel et al.), which
were fitted on those two groups; with none set, those estimates are simply not used.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo

from fittrack.errors import UsageError

UNITS = ("metric", "imperial")
WEEK_STARTS = ("monday", "sunday")
SEXES = ("female", "male")
MIN_AGE, MAX_AGE = 5, 120
MIN_HEIGHT_CM, MAX_HEIGHT_CM = 50.0, 272.0
MIN_HR, MAX_HR = 30, 250
CM_PER_INCH = 2.54


@dataclass(frozen=True)
class Profile:
    """Settings that change how numbers are computed (weight, timezone) or shown (units)."""

    weight_kg: float | None = None
    timezone: str | None = None
    """An IANA name; None means the system's zone."""
    units: str = "metric"
    week_start: str = "monday"
    birth_date: date | None = None
    sex: str | None = None
    """``female`` or ``male`` (see the module docstring), or None."""
    height_cm: float | None = None
    resting_hr: int | None = None
    max_hr: int | None = None

    def tz(self, system_zone: Callable[[], tzinfo]) -> tzinfo:
        """The zone dates are read and periods computed in: the profile's, else ``system_zone()``.

        The machine's zone is the caller's to read (:func:`fittrack.localzone.system_timezone`);
        it is asked only when the profile names no zone.
        """
        from fittrack.core.zones import resolve_timezone

        return resolve_timezone(self.timezone) if self.timezone else system_zone()


def check_units(value: str) -> str:
    """``metric`` or ``imperial`` (case-insensitive)."""
    units = value.strip().lower()
    if units not in UNITS:
        raise UsageError(f"unknown units '{value}' — use metric or imperial")
    return units


def check_week_start(value: str) -> str:
    """``monday`` or ``sunday`` (case-insensitive, ``mon``/``sun`` too)."""
    day = value.strip().lower()
    for name in WEEK_STARTS:
        if day in (name, name[:3]):
            return name
    raise UsageError(f"a week can start on monday or sunday, not '{value}'")


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day``; a 29 February birthday comes on 1 March in other years."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def check_birth_date(value: str, today: date) -> date:
    """``YYYY-MM-DD``, not after ``today`` (the caller's clock), an age of 5 to 120 years."""
    text = value.strip()
    try:
        born = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        born = None
    if born is None:
        raise UsageError(f"birth date '{value}' is not a date — give YYYY-MM-DD, e.g. 1990-05-01")
    if born > today:
        raise UsageError(f"birth date {born} is in the future — give the day you were born")
    age = age_on(born, today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise UsageError(
            f"birth date {born} gives an age of {age} — give one between {MIN_AGE} and {MAX_AGE}"
        )
    return born


def check_sex(value: str) -> str:
    """``female`` or ``male`` (``f``/``m``, any case): the two the calorie equations know."""
    text = value.strip().lower()
    for sex in SEXES:
        if text in (sex, sex[0]):
            return sex
    raise UsageError(
        f"sex '{value}' is not one the calorie equations know — use female or male (f/m)"
    )


_FEET_INCHES = re.compile(
    r"(?P<ft>\d+(?:\.\d+)?)\s*(?:ft|feet|foot|')\s*(?:(?P<inch>\d+(?:\.\d+)?)\s*(?:in|inches|\"|'')?)?"
)
_ONE_UNIT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>cm|m|in|inches|\"|'')")


def check_height(value: str) -> float:
    """A height with its unit: ``180cm``, ``1.8m``, ``71in``, ``5ft11``, ``5'11\"``; 50–272 cm.

    A bare number is refused: 71 could be inches or centimetres, and both are possible heights.
    """
    text = value.strip().lower()
    cm: float | None = None
    if match := _ONE_UNIT.fullmatch(text):
        number = float(match["n"])
        cm = {"cm": number, "m": number * 100}.get(match["unit"], number * CM_PER_INCH)
    elif (match := _FEET_INCHES.fullmatch(text)) and (
        match["inch"] is None or float(match["inch"]) < 12
    ):
        cm = (float(match["ft"]) * 12 + float(match["inch"] or 0)) * CM_PER_INCH
    if cm is None or not math.isfinite(cm):
        raise UsageError(
            f"height '{value}' is not a height — give it with its unit, e.g. 180cm or 5'11\""
        )
    if not MIN_HEIGHT_CM <= cm <= MAX_HEIGHT_CM:
        raise UsageError(
            f"height {cm:.0f} cm is impossible — give one between "
            f"{MIN_HEIGHT_CM:.0f} and {MAX_HEIGHT_CM:.0f} cm"
        )
    return round(cm, 1)


def check_heart_rate(value: str, what: str = "heart rate") -> int:
    """Beats a minute, ``60`` or ``60bpm``, from 30 to 250."""
    match = re.fullmatch(r"(\d{1,3})\s*(?:bpm)?", value.strip().lower())
    if match is None:
        raise UsageError(f"{what} '{value}' is not a number of beats a minute — e.g. 60 or 60bpm")
    bpm = int(match[1])
    if not MIN_HR <= bpm <= MAX_HR:
        raise UsageError(f"{what} {bpm} bpm is impossible — give one between {MIN_HR} and {MAX_HR}")
    return bpm


def check_heart_rates(resting_hr: int | None, max_hr: int | None) -> None:
    """Resting below maximum, when both are known."""
    if resting_hr is not None and max_hr is not None and resting_hr >= max_hr:
        raise UsageError(
            f"resting heart rate {resting_hr} bpm is not below the maximum {max_hr} bpm"
        )
