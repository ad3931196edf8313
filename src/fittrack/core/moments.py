"""Moments between storage and display: naive UTC plus an offset in storage, ISO 8601 in JSON,
the UTC bounds of a local day, and DST-correct arithmetic on aware datetimes.

Storage keeps naive UTC plus the UTC offset in minutes (:func:`to_utc_naive`,
:func:`utc_offset_minutes`, :func:`from_utc`); JSON carries :func:`isoformat`, bookkeeping times
:func:`stamp`. Reading what a person types is :mod:`fittrack.core.dates`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from fittrack.errors import UsageError

__all__ = [
    "add_seconds",
    "from_utc",
    "isoformat",
    "local_day_bounds",
    "seconds_between",
    "stamp",
    "to_utc_naive",
    "utc_offset_minutes",
]


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


def stamp(moment: datetime) -> str:
    """A bookkeeping time (created, updated) in UTC to the microsecond: sync orders edits by it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
