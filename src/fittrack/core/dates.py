"""Dates, times and timezones: read what a person types in their zone, and move between storage and
display.

Everything typed is read in the profile's timezone (a :class:`zoneinfo.ZoneInfo`); every result is
an aware datetime. Storage keeps naive UTC plus the UTC offset in minutes (:func:`to_utc_naive`,
:func:`utc_offset_minutes`, :func:`from_utc`); JSON carries :func:`isoformat`.

Local wall-clock times are checked against the zone's transitions: a time skipped when clocks go
forward is refused, and a time that happens twice when clocks go back means its first occurrence
(``fold=0``). A date alone means the first instant of that day, even in a zone where midnight is
skipped.

Every ``parse_*`` function either returns or raises :class:`~fittrack.errors.UsageError` with a
one-line message naming the bad text; no other exception escapes for any string.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fittrack.errors import UsageError

__all__ = [
    "from_utc",
    "isoformat",
    "local_day_bounds",
    "parse_day",
    "parse_when",
    "resolve_timezone",
    "system_timezone",
    "system_timezone_name",
    "to_utc_naive",
    "utc_offset_minutes",
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
_DAY_MONTH_RE = r"(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}(?![0-9])"
_ZONEINFO_DIR_RE = r"(?:^|/)zoneinfo/(?:posix/|right/)?(.+)$"


def _quote(text: str) -> str:
    return f"'{text}'" if text.isprintable() else repr(text)


def _zone_name(tz: tzinfo) -> str:
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else str(tz)


# --- timezones -------------------------------------------------------------------------------


def _zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: not a normalised relative key or not a TZif file; OSError: a directory.
        return None


def system_timezone_name() -> str | None:
    """The IANA name of the system's zone, or None when it has none we can find.

    ``TZ`` wins when set: an IANA name (with or without the POSIX leading ``:``) is used; anything
    else (a POSIX rule such as ``CET-1CEST``) is what the C library obeys, so no name is guessed
    from files. Otherwise the target of the ``/etc/localtime`` symlink, then ``/etc/timezone``.
    """
    env = os.environ.get("TZ", "")
    if env:
        name = env.removeprefix(":")
        return name if _zone_or_none(name) is not None else None
    candidates: list[str] = []
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(os.path.normpath(os.path.join("/etc", target)))
        candidates.append(os.path.realpath("/etc/localtime"))
    except OSError:
        pass
    for path in candidates:
        match = re.search(_ZONEINFO_DIR_RE, path.replace(os.sep, "/"))
        if match and _zone_or_none(match.group(1)) is not None:
            return match.group(1)
    try:
        with open("/etc/timezone", encoding="utf-8") as file:
            name = file.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name and _zone_or_none(name) is not None else None


def system_timezone() -> tzinfo:
    """The system's zone: a ZoneInfo when :func:`system_timezone_name` finds one, else
    ``dateutil.tz.tzlocal()`` (the C library's idea of local time, without a name)."""
    name = system_timezone_name()
    if name is not None:
        return ZoneInfo(name)
    from dateutil.tz import tzlocal

    return tzlocal()


@cache
def _zones_by_folded_name() -> dict[str, str]:
    # Slow (it walks the zone files), so it is only called when a name did not resolve directly.
    return {_fold(name): name for name in sorted(available_timezones())}


def _fold(name: str) -> str:
    return "_".join(name.strip().split()).lower()


def resolve_timezone(name: str) -> ZoneInfo:
    """The zone an IANA name names: ``Europe/Berlin``, also ``europe/berlin``, ``UTC``, ``utc``.

    An unknown name is refused with the nearest known one, if any, as a suggestion.
    """
    stripped = name.strip()
    if stripped and stripped == name:
        zone = _zone_or_none(name)
        if zone is not None:
            return zone
    zones = _zones_by_folded_name()
    folded = _fold(name)
    if folded in zones:
        return ZoneInfo(zones[folded])
    shown = _quote(stripped)
    if not stripped:
        raise UsageError("no timezone given — use an IANA name such as Europe/Berlin")
    suggestion = _suggest_zone(folded, zones)
    if suggestion:
        raise UsageError(f"unknown timezone {shown} — did you mean '{suggestion}'?")
    raise UsageError(
        f"unknown timezone {shown} — use an IANA name such as Europe/Berlin or America/New_York"
    )


def _suggest_zone(folded: str, zones: dict[str, str]) -> str | None:
    import difflib

    # "berlin" or "new york" name a city; the zone is Area/City.
    by_city = [zone for key, zone in zones.items() if key.rsplit("/", 1)[-1] == folded]
    if by_city:
        return min(by_city, key=lambda zone: (zone.startswith("Etc/"), "/" not in zone, zone))
    close = difflib.get_close_matches(folded, list(zones), n=1, cutoff=0.6)
    return zones[close[0]] if close else None


# --- reading dates and times -----------------------------------------------------------------


def _day_error(text: str) -> UsageError:
    return UsageError(f"invalid date {_quote(text)} — {_DAY_HINT}")


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


def _checked_date(year: int, month: int, day: int, text: str) -> date:
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
    raise UsageError(f"invalid date {_quote(text)}: {reason}")


def _weekday_back(name: str, last: bool, today: date) -> date | None:
    """The day a weekday name means, or None when ``name`` is not one.

    ``monday`` is the most recent Monday not in the future (today, when today is a Monday);
    ``last monday`` the one before today (a week ago, when today is a Monday).
    """
    weekday = _WEEKDAYS.get(name)
    if weekday is None:
        return None
    back = (today.weekday() - weekday) % 7
    if last and back == 0:
        back = 7
    try:
        return today - timedelta(days=back)
    except OverflowError:
        raise _day_error(name) from None


def _when_error(text: str) -> UsageError:
    return UsageError(f"can't read {_quote(text)} as a date and time — {_WHEN_HINT}")


def _time_error(text: str) -> UsageError:
    return UsageError(f"invalid time {_quote(text)} — use HH:MM from 00:00 to 23:59, e.g. 18:00")


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
            f"{shown} does not exist in {_zone_name(tz)}: the clocks jump forward over it "
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
    shown = _quote(stripped)
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
            raise _when_error(stripped)
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
                raise _when_error(stripped)
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
        raise _when_error(stripped)

    if re.fullmatch(_ISO_RE, stripped):
        iso_day = _check_date_prefix(stripped)
        if iso_day is not None and re.fullmatch(_ISO_DATE_PREFIX_RE, stripped):
            return _start_of_day(iso_day, tz)
        parsed = _parse_iso(stripped)
        if parsed is not None:
            return _aware(parsed, tz, shown)

    return _aware(_parse_free_form(stripped, lowered), tz, shown)


def _parse_iso(text: str) -> datetime | None:
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
    return _checked_date(year, month, day, match.group(0))


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


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
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
_FREE_TIME_RE = (
    r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[ap]\.?m\.?)?|[0-9]{1,2}[ap]\.?m\.?"
)
_FREE_OFFSET_RE = r"[+-][0-9]{2}(?::?[0-9]{2})?"
_FREE_DAY_RE = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_FREE_DATE_RE = r"([0-9]{4})([/.-])([0-9]{1,2})\2([0-9]{1,2})"


def _parse_free_form(stripped: str, lowered: str) -> datetime:
    """A full date in another common form, read by dateutil's general parser.

    dateutil guesses freely ("2026 29" is 20:26, "GMT+3" is three hours west), so the text is
    first held to a small grammar: a year-first numeric date (``2026/11/20``) or a month name, a
    day and a four-digit year; at most one time (``07:00``, ``7pm``), one UTC offset (``+01:00``,
    ``Z``, ``UTC``) and one weekday, which must agree with the date. The fields dateutil returns
    are then checked against the ones the text gave.
    """
    if re.search(_DAY_MONTH_RE, lowered):
        raise UsageError(
            f"can't tell the day from the month in {_quote(stripped)} — "
            "write the date as YYYY-MM-DD, e.g. 2026-11-20 07:00"
        )
    wanted: dict[str, int] = {}
    counts = dict.fromkeys(["date", "time", "meridiem", "offset", "weekday"], 0)
    words: list[str] = []
    for token in re.findall(r"[^\s,]+", lowered):
        word = token.rstrip(".") if token.rstrip(".").isalpha() else token
        if word in _MONTHS and "month" not in wanted:
            wanted["month"] = _MONTHS[word]
        elif word in _WEEKDAYS:
            counts["weekday"] += 1
            wanted["weekday"] = _WEEKDAYS[word]
        elif re.fullmatch(r"[0-9]{4}", word) and "year" not in wanted:
            wanted["year"] = int(word)
        elif (day := re.fullmatch(_FREE_DAY_RE, word)) and "day" not in wanted:
            wanted["day"] = int(day.group(1))
        elif (numeric := re.fullmatch(_FREE_DATE_RE, word)) and not wanted.keys() - {"weekday"}:
            counts["date"] += 1
            wanted.update(year=int(numeric[1]), month=int(numeric[3]), day=int(numeric[4]))
        elif re.fullmatch(_FREE_TIME_RE, word):
            counts["time"] += 1
        elif word in ("am", "pm", "a.m.", "p.m."):
            counts["meridiem"] += 1
        elif word in ("z", "utc", "gmt") or re.fullmatch(_FREE_OFFSET_RE, word):
            counts["offset"] += 1
            # dateutil reads a lowercase "z" as the system's local zone; say UTC plainly.
            word = "+00:00" if word.isalpha() else word
        elif word not in ("at", "on"):
            raise _when_error(stripped)
        words.append(word)
    if (
        not {"year", "month", "day"} <= wanted.keys()
        or max(counts.values()) > 1
        or counts["meridiem"] > counts["time"]
        or counts["offset"] > counts["time"]
    ):
        raise _when_error(stripped)
    default = datetime.combine(
        _checked_date(wanted["year"], wanted["month"], wanted["day"], stripped), time()
    )

    import warnings

    from dateutil.parser import parse

    try:
        with warnings.catch_warnings():
            # Anything dateutil only warns about (an unknown zone name) is refused here.
            warnings.simplefilter("error")
            parsed = parse(" ".join(words), default=default, fuzzy=False)
    except (ValueError, OverflowError, ArithmeticError, Warning):
        raise _when_error(stripped) from None
    if (
        parsed.date() != default.date()
        or (parsed.tzinfo is not None) != bool(counts["offset"])
        or (not counts["time"] and parsed.time() != time())
    ):
        raise _when_error(stripped)
    if "weekday" in wanted and parsed.weekday() != wanted["weekday"]:
        raise UsageError(f"{_quote(stripped)}: {parsed:%Y-%m-%d} is a {parsed:%A}")
    return parsed


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
        raise UsageError(f"{_quote(text)} is too far back — {_DAY_HINT}") from None


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
                f"{_quote(stripped)} is a moment; this option takes a whole day — {_DAY_HINT}"
            )
        raise UsageError(f"can't read {_quote(stripped)} as a date — {_DAY_HINT}")
    parts = [int(group) for group in match.groups() if group is not None]
    return _checked_date(parts[0], parts[1], parts[2], stripped)


# --- days, storage and output ----------------------------------------------------------------


def local_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of the calendar day ``day`` in ``tz``.

    Both ends are wall-clock midnights converted to UTC, so a DST day is 23 or 25 hours long (23.5
    on Lord Howe Island), and a skipped midnight starts the day at its first real instant. Aware
    UTC datetimes; clamped to ``datetime.min``/``datetime.max`` at the ends of the calendar.
    """
    start = _midnight_utc(day, tz)
    try:
        next_day = day + timedelta(days=1)
    except OverflowError:
        return start, datetime.max.replace(tzinfo=UTC)
    return start, _midnight_utc(next_day, tz)


def _midnight_utc(day: date, tz: tzinfo) -> datetime:
    try:
        return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    except OverflowError:
        return (datetime.min if day.year == 1 else datetime.max).replace(tzinfo=UTC)


def to_utc_naive(dt: datetime) -> datetime:
    """The same instant as a naive UTC datetime, the way storage keeps it."""
    if dt.utcoffset() is None:
        raise ValueError("expected an aware datetime")
    return dt.astimezone(UTC).replace(tzinfo=None)


def utc_offset_minutes(dt: datetime) -> int:
    """The UTC offset of an aware datetime in whole minutes (east positive: +60 for CET)."""
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError("expected an aware datetime")
    # Only pre-1900-ish local mean times have seconds in their offset; minutes are enough.
    return round(offset.total_seconds() / 60)


def from_utc(naive_utc: datetime, offset_minutes: int) -> datetime:
    """A stored naive UTC datetime as an aware one at the stored offset."""
    if naive_utc.tzinfo is not None:
        raise ValueError("expected a naive UTC datetime")
    zone = UTC if offset_minutes == 0 else timezone(timedelta(minutes=offset_minutes))
    return naive_utc.replace(tzinfo=UTC).astimezone(zone)


def isoformat(dt: datetime) -> str:
    """ISO 8601 with the UTC offset, to the second: ``2026-11-20T07:00:00+01:00``."""
    if dt.utcoffset() is None:
        raise ValueError("expected an aware datetime")
    return dt.isoformat(timespec="seconds")


def seconds_between(earlier: datetime, later: datetime) -> float:
    """Elapsed seconds between two aware moments.

    Python subtracts the wall-clock readings when both share a tzinfo, which is an hour off across a
    DST change; going through UTC gives the real time.
    """
    return (later.astimezone(UTC) - earlier.astimezone(UTC)).total_seconds()


def add_seconds(moment: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` of real time later, in the same zone (DST-correct, unlike ``+``)."""
    try:
        return (moment.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(moment.tzinfo)
    except OverflowError as exc:
        raise UsageError("that is further from today than fittrack can count") from exc


FIRST_YEAR, LAST_YEAR = 1900, 2200
"""Years fittrack reads: wide enough for any workout, narrow enough that periods never overflow."""


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(
            f"{_quote(text)} is out of range — fittrack reads dates from {FIRST_YEAR} "
            f"to {LAST_YEAR}"
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


def stamp(moment: datetime) -> str:
    """A bookkeeping time (created, updated) in UTC to the microsecond: sync orders edits by it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
