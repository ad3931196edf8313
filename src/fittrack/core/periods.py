"""Calendar periods (day, week, month, year) in the person's timezone, and their UTC bounds.

A period is a run of whole calendar days, ``first`` to ``last`` inclusive. Days are counted on the
calendar, never in hours, so a DST change cannot make a week lose or gain a day: a week is always 7
days, even when it lasts 167 or 169 hours (167.5 or 168.5 on Lord Howe Island). Hours only come in
at :func:`utc_bounds`, which turns a period into the UTC instants between the local midnight that
opens its first day and the one that closes its last; that is what storage compares activity
starts against, so an activity counts in the period in which it starts, in the person's zone.

Weeks start on Monday or Sunday (the profile's ``week_start``); months and years are calendar
months and years (February 2028 has 29 days, the year 2028 has 366).

Period names that reach these functions are the canonical ones (:data:`PERIODS`); what a person
types goes through :func:`check_period` first. Anything else is a programming error
(``ValueError``), not a usage error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from fittrack.core.moments import local_day_bounds
from fittrack.errors import UsageError

__all__ = [
    "PERIODS",
    "WEEK_STARTS",
    "Period",
    "check_period",
    "period_containing",
    "periods_ending_at",
    "shift",
    "utc_bounds",
]

PERIODS = ("day", "week", "month", "year")
WEEK_STARTS = ("monday", "sunday")

_ALIASES = {
    alias: period
    for period, aliases in (
        ("day", ("day", "daily", "d", "days")),
        ("week", ("week", "weekly", "w", "weeks")),
        ("month", ("month", "monthly", "m", "months")),
        ("year", ("year", "yearly", "y", "years")),
    )
    for alias in aliases
}


def check_period(text: str) -> str:
    """The canonical period ``text`` names: ``day``, ``week``, ``month`` or ``year``.

    Also ``daily``/``weekly``/``monthly``/``yearly``, ``d``/``w``/``m``/``y`` and the plurals, in
    any case and with surrounding spaces.
    """
    key = text.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if not key:
        raise UsageError("no period given — use day, week, month or year")
    shown = f"'{text.strip()}'" if text.strip().isprintable() else repr(text.strip())
    raise UsageError(f"unknown period {shown} — use day, week, month or year")


@dataclass(frozen=True, order=True)
class Period:
    """The calendar days ``first`` to ``last``, both inclusive. Ordered by ``first``."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period cannot end ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> int:
        """How many calendar days the period has (a 23- or 25-hour day is one day)."""
        return (self.last - self.first).days + 1

    def contains(self, day: date) -> bool:
        """Whether ``day`` is one of the period's days."""
        return self.first <= day <= self.last


def _check(period: str, week_start: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    if week_start not in WEEK_STARTS:
        raise ValueError(f"week_start must be one of {WEEK_STARTS}, not {week_start!r}")


def _month_after(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def period_containing(day: date, period: str, week_start: str) -> Period:
    """The day, week, month or year that ``day`` is in; weeks start on ``week_start``
    (``monday`` or ``sunday``)."""
    _check(period, week_start)
    if period == "day":
        return Period(day, day)
    if period == "week":
        # date.weekday() is 0 on Monday; a Sunday week starts one day earlier than a Monday one.
        back = day.weekday() if week_start == "monday" else (day.weekday() + 1) % 7
        first = day - timedelta(days=back)
        return Period(first, first + timedelta(days=6))
    if period == "month":
        first = day.replace(day=1)
        return Period(first, _month_after(day.year, day.month) - timedelta(days=1))
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def shift(p: Period, period: str, week_start: str, n: int) -> Period:
    """The period ``n`` periods after ``p`` (before it when ``n`` is negative).

    ``p`` must be a whole period of that kind (as :func:`period_containing` gives).
    Raises ``OverflowError`` or ``ValueError`` past the ends of the calendar (years 1 and 9999).
    """
    _check(period, week_start)
    if period == "day":
        anchor = p.first + timedelta(days=n)
    elif period == "week":
        anchor = p.first + timedelta(weeks=n)
    elif period == "month":
        index = p.first.year * 12 + (p.first.month - 1) + n
        anchor = date(index // 12, index % 12 + 1, 1)
    else:
        anchor = date(p.first.year + n, 1, 1)
    return period_containing(anchor, period, week_start)


def periods_ending_at(day: date, period: str, week_start: str, count: int) -> list[Period]:
    """The ``count`` consecutive periods up to and including the one containing ``day``,
    oldest first."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    last = period_containing(day, period, week_start)
    return [shift(last, period, week_start, -back) for back in range(count - 1, -1, -1)]


def utc_bounds(p: Period, tz: tzinfo) -> tuple[datetime, datetime]:
    """The aware UTC instants [start, end) of ``p`` in ``tz``: the local midnight that opens its
    first day, and the one after its last day.

    Built from :func:`~fittrack.core.moments.local_day_bounds`, so a week across a DST change lasts
    167 or 169 hours and a skipped midnight opens the day at its first real instant.
    """
    return local_day_bounds(p.first, tz)[0], local_day_bounds(p.last, tz)[1]
