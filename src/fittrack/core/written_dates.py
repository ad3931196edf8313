"""Full dates written in other common forms (``20 Nov 2026 07:00``, ``Fri, 20 Nov 2026``,
``2026/11/20 7pm``), read by dateutil's general parser under a strict grammar.

:mod:`fittrack.core.dates` loads this module only when a typed date is in none of the everyday
forms, so commands that read ``-7d`` or ``2026-11-20 07:00`` do not pay for it.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from fittrack.core.dates import WEEKDAYS, checked_date, quote, when_error
from fittrack.errors import UsageError

__all__ = ["read_free_form"]

_DAY_MONTH_RE = r"(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}(?![0-9])"


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
        if word in _MONTHS and "month" not in wanted:
            wanted["month"] = _MONTHS[word]
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
