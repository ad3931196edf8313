"""What a person types for a day or a moment, read in their zone: ``parse_when`` (``-3h``,
``yesterday 18:00``, ``2026-11-20 07:00``...) and ``parse_day`` (``--from``/``--to``/``--date``).

Everything typed is read in the profile's timezone, which the caller passes in with the moment
relative forms count from; every result is an aware datetime. Local wall-clock times are checked
against the zone's transitions: a time skipped when clocks go forward is refused, and a time that
happens twice when clocks go back means its first occurrence (``fold=0``). A date alone means the
first instant of that day, even in a zone where midnight is skipped. Dates written out in other
forms (``20 Nov 2026 07:00``) are read by :mod:`fittrack.core.written_dates`, loaded only for them.

Every ``parse_*`` function either returns or raises :class:`~fittrack.errors.UsageError` with a
one-line message naming the bad text; no other exception escapes for any string.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from fittrack.core.zones import zone_name
from fittrack.errors import UsageError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "WEEKDAYS",
    "checked_date",
    "parse_day",
    "parse_when",
    "quote",
    "when_error",
]

_DAY_HINT = "use YYYY-MM-DD, YYYYMMDD, today, yesterday, monday, last sunday, -7d or 2 days ago"
_WHEN_HINT = (
    "use 2026-11-20 07:00, 20261120, 18:00, now, today 07:30, yesterday 18:00, monday, "
    "last sunday, -3h, 3h ago or 2 days ago"
)

# Patterns stay strings until first use (the re module compiles and caches them), so commands
# that never parse a date do not pay for compiling them on import.
_KEYWORD_RE = r"(today|yesterday)(?:\s+(?:at\s+)?(.+))?"
_TIME_RE = r"([0-9]{1,2})(?::([0-9]{2}))?(?::([0-9]{2}))?\s*([ap]\.?m\.?)?"
_UNITS_RE = r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)"
# "-3h" and "3h ago" say the same; both spellings are read by one pattern.
_RELATIVE_RE = rf"-\s*([0-9]+)\s*{_UNITS_RE}|([0-9]+)\s*{_UNITS_RE}\s+ago"
_DAY_UNITS = ("d", "w")
_WEEKDAY_RE = r"(last\s+)?([a-z]+)(?:\s+(?:at\s+)?(.+))?"
_DAY_RE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{4})([0-9]{2})([0-9]{2})"
_ISO_RE = r"[0-9]{4}(-?)[0-9]{2}\1[0-9]{2}(?:[Tt ][0-9].*)?"
_ISO_DATE_PREFIX_RE = r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})(?![0-9])"


def quote(text: str) -> str:
    """Text as an error message shows it: in quotes, or escaped when it has unprintable parts."""
    return f"'{text}'" if text.isprintable() else repr(text)


def _day_error(text: str) -> UsageError:
    return UsageError(f"invalid date {quote(text)} — {_DAY_HINT}")


def when_error(text: str) -> UsageError:
    """``text`` is not a moment fittrack can read."""
    return UsageError(f"can't read {quote(text)} as a date and time — {_WHEN_HINT}")


_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def checked_date(year: int, month: int, day: int, text: str) -> date:
    """``date(year, month, day)``, or an error that names what is impossible about it."""
    import calendar

    if not 1 <= month <= 12:
        reason = f"there is no month {month}: months go from 01 to 12"
    else:
        try:
            return date(year, month, day)
        except ValueError:
            pass  # the year is out of date's range, or the day is not in the month
        if not 1 <= year <= 9999:
            raise _day_error(text) from None
        length = calendar.monthrange(year, month)[1]
        reason = f"{_MONTH_NAMES[month - 1]} {year} has {length} days"
        if day == 0:
            reason = "days of the month start at 01"
    raise UsageError(f"invalid date {quote(text)}: {reason}")


WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}


def _weekday_back(name: str, last: bool, today: date) -> date | None:
    """The day a weekday name means, or None when ``name`` is not one.

    ``monday`` is the most recent Monday not in the future (today, when today is a Monday);
    ``last monday`` the one before today (a week ago, when today is a Monday).
    """
    weekday = WEEKDAYS.get(name)
    if weekday is None:
        return None
    back = (today.weekday() - weekday) % 7
    if last and back == 0:
        back = 7
    try:
        return today - timedelta(days=back)
    except OverflowError:
        raise _day_error(name) from None


def _time_error(text: str) -> UsageError:
    return UsageError(f"invalid time {quote(text)} — use HH:MM from 00:00 to 23:59, e.g. 18:00")


def _read_time(text: str, whole: str) -> time | None:
    """``18:00``, ``7:05``, ``07:05:30``, ``7pm``, ``7:30 am``; None when it is not of that form."""
    match = re.fullmatch(_TIME_RE, text)
    if match is None:
        return None
    hour_text, minute_text, second_text, meridiem = match.groups()
    if minute_text is None and (meridiem is None or second_text is not None):
        return None  # a bare "7" is not a time
    hour, minute, second = int(hour_text), int(minute_text or 0), int(second_text or 0)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise _time_error(whole)
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise _time_error(whole)
    return time(hour, minute, second)


def _start_of_day(day: date, tz: tzinfo) -> datetime:
    # fold=0 in a skipped midnight maps through the offset before the jump, which is exactly the
    # day's first instant (01:00 in America/Santiago on 2026-09-06).
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).astimezone(tz)


def _localize(naive: datetime, tz: tzinfo, shown: str) -> datetime:
    """Wall-clock ``naive`` in ``tz``; refused in a gap, the first occurrence when it repeats."""
    aware = naive.replace(tzinfo=tz, fold=0)
    try:
        back = aware.astimezone(UTC).astimezone(tz)
    except (OverflowError, ValueError):
        raise UsageError(f"{shown} is out of range — {_WHEN_HINT}") from None
    if back.replace(tzinfo=None) != naive:
        raise UsageError(
            f"{shown} does not exist in {zone_name(tz)}: the clocks jump forward over it "
            f"— give a time after the change, e.g. {back:%H:%M}"
        )
    return aware


def _relative_delta(amount: int, unit: str) -> tuple[timedelta, bool]:
    """The step and whether it is in calendar days (wall clock) rather than elapsed time."""
    first = unit[0]
    if first == "w":
        return timedelta(weeks=amount), True
    if first == "d":
        return timedelta(days=amount), True
    if first == "h":
        return timedelta(hours=amount), False
    if first == "m":
        return timedelta(minutes=amount), False
    return timedelta(seconds=amount), False


def _parse_when(text: str, tz: tzinfo, now: datetime) -> datetime:
    """The moment ``text`` names, read in ``tz``; ``now`` (aware) anchors the relative forms.

    Accepted: ``now``; ``today`` and ``yesterday`` (00:00 local), optionally with a time
    (``today 07:30``, ``yesterday 6pm``); ``-3h``, ``-90m``, ``-7d``, ``-2w`` before now (hours,
    minutes and seconds are elapsed time, days and weeks are calendar days: ``-7d`` is the same
    wall-clock time a week ago, even across a DST change); a bare time (``18:00``, ``7:05``,
    ``7pm``) today; ``20261120`` and ``2026-11-20`` (00:00 local); ISO 8601 such as
    ``2026-11-20 07:00`` or ``2026-11-20T07:00`` (the standard library's reader, then dateutil's
    ``isoparse``); other full dates with a four-digit year, read by dateutil's general parser
    under a strict grammar (``2026/11/20 7pm``, ``20 Nov 2026 07:00``, ``Fri, 20 Nov 2026``).

    A written UTC offset (``2026-11-20T07:00:00+01:00``, ``...Z``) keeps that instant and that
    offset; without one the time is local to ``tz``. A local time skipped by a DST change
    (2026-03-29 02:30 in Europe/Berlin) is refused; one that happens twice (2026-10-25 02:30 there)
    means the first occurrence (``fold=0``, still summer time). A date alone means the day's first
    instant.

    Refused: impossible dates (``2026-02-30``, ``20261301``) and times (``25:00``), numeric dates
    that do not start with the year (``05/06/2026``: which is the month?), dates without a year,
    and anything else dateutil would have to guess at.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    stripped = " ".join(text.split())
    shown = quote(stripped)
    lowered = stripped.lower()
    local_now = now.astimezone(tz)
    if not lowered:
        raise UsageError(f"no date or time given — {_WHEN_HINT}")
    if lowered == "now":
        return local_now

    keyword = re.fullmatch(_KEYWORD_RE, lowered)
    if keyword is not None:
        day = local_now.date() - timedelta(days=1 if keyword.group(1) == "yesterday" else 0)
        if keyword.group(2) is None:
            return _start_of_day(day, tz)
        at = _read_time(keyword.group(2), stripped)
        if at is None:
            raise when_error(stripped)
        return _localize(datetime.combine(day, at), tz, shown)

    weekday = re.fullmatch(_WEEKDAY_RE, lowered)
    if weekday is not None:
        last, name, at_text = weekday.groups()
        named_day = _weekday_back(name, last is not None, local_now.date())
        if named_day is not None:
            if at_text is None:
                return _start_of_day(named_day, tz)
            at = _read_time(at_text, stripped)
            if at is None:
                raise when_error(stripped)
            return _localize(datetime.combine(named_day, at), tz, shown)

    relative = re.fullmatch(_RELATIVE_RE, lowered)
    if relative is not None:
        amount, unit = (group for group in relative.groups() if group is not None)
        try:
            step, calendar = _relative_delta(int(amount), unit)
            if calendar:
                # Aware arithmetic within one tzinfo is wall-clock arithmetic; the round trip
                # through UTC then moves a result that landed in a DST gap past the gap.
                return (local_now - step).astimezone(UTC).astimezone(tz)
            return (now - step).astimezone(tz)
        except (OverflowError, ValueError):
            raise UsageError(f"{shown} is too far back — {_WHEN_HINT}") from None

    at = _read_time(lowered, stripped)
    if at is not None:
        return _localize(datetime.combine(local_now.date(), at), tz, shown)

    if not any(char.isdigit() for char in stripped):
        raise when_error(stripped)

    if re.fullmatch(_ISO_RE, stripped):
        iso_day = _check_date_prefix(stripped)
        if iso_day is not None and re.fullmatch(_ISO_DATE_PREFIX_RE, stripped):
            return _start_of_day(iso_day, tz)
        parsed = _read_iso(stripped)
        if parsed is not None:
            return _aware(parsed, tz, shown)

    # Loaded here, not on import: the everyday forms above never need the free-form grammar.
    from fittrack.core.written_dates import read_free_form

    return _aware(read_free_form(stripped, lowered), tz, shown)


def _read_iso(text: str) -> datetime | None:
    """ISO 8601, or None when neither reader takes it ("2026-11-20 7:00" is left to dateutil's
    general parser)."""
    try:
        # The standard library reads the everyday forms without the 60 ms import of
        # dateutil.parser; isoparse covers the rest of ISO 8601 (24:00, for one).
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    from dateutil.parser import isoparse

    try:
        return isoparse(text)
    except (ValueError, OverflowError):
        return None


def _check_date_prefix(text: str) -> date | None:
    """The date an ISO-looking text starts with; an impossible one is refused here, by name."""
    match = re.match(_ISO_DATE_PREFIX_RE, text)
    if match is None:
        return None
    year, month, day = (int(group) for group in match.groups())
    return checked_date(year, month, day, match.group(0))


def _aware(parsed: datetime, tz: tzinfo, shown: str) -> datetime:
    """Local in ``tz`` when no offset was written; else that instant, with a plain
    ``datetime.timezone`` in place of dateutil's tzinfo classes."""
    if parsed.tzinfo is None:
        return _localize(parsed, tz, shown)
    try:
        offset = parsed.utcoffset()
    except ValueError:  # dateutil builds offsets of a day or more; datetime refuses them
        offset = None
    if offset is None:
        raise UsageError(f"{shown} has a UTC offset out of range — use one like +01:00 or -05:00")
    return parsed.replace(tzinfo=UTC if offset == timedelta(0) else timezone(offset))


def _relative_days(text: str, today: date) -> date | None:
    """``-7d``, ``2 days ago``, ``-2w``, ``3 weeks ago``; None for any other text (hours too)."""
    match = re.fullmatch(_RELATIVE_RE, text)
    if match is None:
        return None
    amount, unit = (group for group in match.groups() if group is not None)
    if not unit.startswith(_DAY_UNITS):
        return None
    try:
        return today - timedelta(days=int(amount) * (7 if unit.startswith("w") else 1))
    except (OverflowError, ValueError):
        raise UsageError(f"{quote(text)} is too far back — {_DAY_HINT}") from None


def _parse_day(text: str, tz: tzinfo, today: date) -> date:
    """The calendar day ``text`` names, for ``--from``/``--to``/``--date``.

    Accepted: ``YYYY-MM-DD``, ``YYYYMMDD``, ``today``, ``yesterday``; a weekday (``monday``: the
    most recent one not in the future, today when today is a Monday; ``last monday``: the one
    before today); days or weeks back (``-7d``, ``2 days ago``, ``-2w``, ``3 weeks ago``), counted
    from ``today``, which the caller gives as the current date in ``tz`` (``tz`` is taken for
    symmetry with :func:`parse_when`). Times are refused, since a day is asked for: ``3h ago``
    or ``yesterday 18:00`` would silently widen to a whole day.
    """
    del tz  # "today" already says which day it is there
    stripped = " ".join(text.split())
    lowered = stripped.lower()
    if not lowered:
        raise UsageError(f"no date given — {_DAY_HINT}")
    if lowered == "today":
        return today
    if lowered == "yesterday":
        try:
            return today - timedelta(days=1)
        except OverflowError:
            raise _day_error(stripped) from None
    relative = _relative_days(lowered, today)
    if relative is not None:
        return relative
    weekday = re.fullmatch(_WEEKDAY_RE, lowered)
    if weekday is not None and weekday.group(3) is None:
        named_day = _weekday_back(weekday.group(2), weekday.group(1) is not None, today)
        if named_day is not None:
            return named_day
    match = re.fullmatch(_DAY_RE, lowered)
    if match is None:
        if (
            re.search(r"[0-9]:[0-9]|[0-9]\s*[ap]\.?m\b", lowered)
            or lowered == "now"
            or re.fullmatch(_RELATIVE_RE, lowered)
        ):
            raise UsageError(
                f"{quote(stripped)} is a moment; this option takes a whole day — {_DAY_HINT}"
            )
        raise UsageError(f"can't read {quote(stripped)} as a date — {_DAY_HINT}")
    parts = [int(group) for group in match.groups() if group is not None]
    return checked_date(parts[0], parts[1], parts[2], stripped)


FIRST_YEAR, LAST_YEAR = 1900, 2200
"""Years fittrack reads: wide enough for any workout, narrow enough that periods never overflow."""


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(
            f"{quote(text)} is out of range — fittrack reads dates from {FIRST_YEAR} to {LAST_YEAR}"
        )


def parse_when(text: str, tz: tzinfo, now: datetime) -> datetime:
    """The moment ``text`` names, read in ``tz`` (see ``_parse_when`` for the forms).

    Years outside 1900–2200 are refused, so arithmetic on the result can never overflow.
    """
    moment = _parse_when(text, tz, now)
    _check_year(moment.astimezone(UTC).year, text)
    _check_year(moment.year, text)
    return moment


def parse_day(text: str, tz: tzinfo, today: date) -> date:
    """The calendar day ``text`` names (see ``_parse_day``), between 1900 and 2200."""
    day = _parse_day(text, tz, today)
    _check_year(day.year, text)
    return day
