"""Calendar dates written out in full: checked field by field, ISO 8601, and the other common
written forms (``20 Nov 2026 07:00``, ``2026/11/20 7pm``) read by dateutil under a strict grammar.

Also the wording :mod:`fittrack.core.dates` shares with this module: how bad text is quoted and
the hints that list the accepted forms.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from fittrack.errors import UsageError

__all__ = [
    "DAY_HINT",
    "MONTHS",
    "WEEKDAYS",
    "WHEN_HINT",
    "checked_date",
    "day_error",
    "quote",
    "read_free_form",
    "read_iso",
    "when_error",
]

DAY_HINT = "use YYYY-MM-DD, YYYYMMDD, today, yesterday, monday, last sunday, -7d or 2 days ago"
WHEN_HINT = (
    "use 2026-11-20 07:00, 20261120, 18:00, now, today 07:30, yesterday 18:00, monday, "
    "last sunday, -3h, 3h ago or 2 days ago"
)

_DAY_MONTH_RE = r"(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}(?![0-9])"


def quote(text: str) -> str:
    """Text as an error message shows it: in quotes, or escaped when it has unprintable parts."""
    return f"'{text}'" if text.isprintable() else repr(text)


def day_error(text: str) -> UsageError:
    """``text`` is not a day fittrack can read."""
    return UsageError(f"invalid date {quote(text)} — {DAY_HINT}")


def when_error(text: str) -> UsageError:
    """``text`` is not a moment fittrack can read."""
    return UsageError(f"can't read {quote(text)} as a date and time — {WHEN_HINT}")


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
            raise day_error(text) from None
        length = calendar.monthrange(year, month)[1]
        reason = f"{_MONTH_NAMES[month - 1]} {year} has {length} days"
        if day == 0:
            reason = "days of the month start at 01"
    raise UsageError(f"invalid date {quote(text)}: {reason}")


def read_iso(text: str) -> datetime | None:
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


MONTHS = {
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
_FREE_TIME_RE = (
    r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[ap]\.?m\.?)?|[0-9]{1,2}[ap]\.?m\.?"
)
_FREE_OFFSET_RE = r"[+-][0-9]{2}(?::?[0-9]{2})?"
_FREE_DAY_RE = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_FREE_DATE_RE = r"([0-9]{4})([/.-])([0-9]{1,2})\2([0-9]{1,2})"


def read_free_form(stripped: str, lowered: str) -> datetime:
    """A full date in another common form, read by dateutil's general parser.

    dateutil guesses freely ("2026 29" is 20:26, "GMT+3" is three hours west), so the text is
    first held to a small grammar: a year-first numeric date (``2026/11/20``) or a month name, a
    day and a four-digit year; at most one time (``07:00``, ``7pm``), one UTC offset (``+01:00``,
    ``Z``, ``UTC``) and one weekday, which must agree with the date. The fields dateutil returns
    are then checked against the ones the text gave.
    """
    if re.search(_DAY_MONTH_RE, lowered):
        raise UsageError(
            f"can't tell the day from the month in {quote(stripped)} — "
            "write the date as YYYY-MM-DD, e.g. 2026-11-20 07:00"
        )
    wanted: dict[str, int] = {}
    counts = dict.fromkeys(["date", "time", "meridiem", "offset", "weekday"], 0)
    words: list[str] = []
    for token in re.findall(r"[^\s,]+", lowered):
        word = token.rstrip(".") if token.rstrip(".").isalpha() else token
        if word in MONTHS and "month" not in wanted:
            wanted["month"] = MONTHS[word]
        elif word in WEEKDAYS:
            counts["weekday"] += 1
            wanted["weekday"] = WEEKDAYS[word]
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
            raise when_error(stripped)
        words.append(word)
    if (
        not {"year", "month", "day"} <= wanted.keys()
        or max(counts.values()) > 1
        or counts["meridiem"] > counts["time"]
        or counts["offset"] > counts["time"]
    ):
        raise when_error(stripped)
    default = datetime.combine(
        checked_date(wanted["year"], wanted["month"], wanted["day"], stripped), time()
    )

    import warnings

    from dateutil.parser import parse

    try:
        with warnings.catch_warnings():
            # Anything dateutil only warns about (an unknown zone name) is refused here.
            warnings.simplefilter("error")
            parsed = parse(" ".join(words), default=default, fuzzy=False)
    except (ValueError, OverflowError, ArithmeticError, Warning):
        raise when_error(stripped) from None
    if (
        parsed.date() != default.date()
        or (parsed.tzinfo is not None) != bool(counts["offset"])
        or (not counts["time"] and parsed.time() != time())
    ):
        raise when_error(stripped)
    if "weekday" in wanted and parsed.weekday() != wanted["weekday"]:
        raise UsageError(f"{quote(stripped)}: {parsed:%Y-%m-%d} is a {parsed:%A}")
    return parsed
