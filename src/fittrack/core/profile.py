"""The person's profile: body mass for calories, the timezone periods are read in, display units."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo

from fittrack.errors import UsageError

UNITS = ("metric", "imperial")
WEEK_STARTS = ("monday", "sunday")


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
