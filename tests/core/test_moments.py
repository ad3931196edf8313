"""Moments between storage and display: the UTC bounds of local days, the storage conversions,
and DST-correct arithmetic."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.core.zone_support import (
    BERLIN,
    KOLKATA,
    LORD_HOWE,
    NEW_YORK,
    NOW,
    SANTIAGO,
    ZONES,
    instant,
    utc,
)

from fittrack.core.dates import parse_when
from fittrack.core.moments import (
    add_seconds,
    from_utc,
    isoformat,
    local_day_bounds,
    seconds_between,
    stamp,
    to_utc_naive,
    utc_offset_minutes,
)
from fittrack.errors import UsageError

# (zone, day, UTC start, length)
DAY_BOUNDS = [
    (BERLIN, date(2026, 3, 29), utc(2026, 3, 28, 23), timedelta(hours=23)),
    (BERLIN, date(2026, 10, 25), utc(2026, 10, 24, 22), timedelta(hours=25)),
    (BERLIN, date(2026, 11, 20), utc(2026, 11, 19, 23), timedelta(hours=24)),
    (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 5), timedelta(hours=23)),
    (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 4), timedelta(hours=25)),
    (LORD_HOWE, date(2026, 10, 4), utc(2026, 10, 3, 13, 30), timedelta(hours=23, minutes=30)),
    (LORD_HOWE, date(2026, 4, 5), utc(2026, 4, 4, 13), timedelta(hours=24, minutes=30)),
    (KOLKATA, date(2026, 11, 20), utc(2026, 11, 19, 18, 30), timedelta(hours=24)),
    (SANTIAGO, date(2026, 9, 6), utc(2026, 9, 6, 4), timedelta(hours=23)),
    (SANTIAGO, date(2026, 4, 4), utc(2026, 4, 4, 3), timedelta(hours=25)),
]


@pytest.mark.parametrize(("tz", "day", "start", "length"), DAY_BOUNDS)
def test_local_day_bounds(tz: ZoneInfo, day: date, start: datetime, length: timedelta) -> None:
    first, end = local_day_bounds(day, tz)
    assert first == start
    assert end - first == length
    assert first.utcoffset() == timedelta(0)
    assert end == local_day_bounds(day + timedelta(days=1), tz)[0]


def test_local_day_bounds_at_the_ends_of_the_calendar() -> None:
    first, end = local_day_bounds(date.max, NEW_YORK)
    assert first < end
    assert end.replace(tzinfo=None) == datetime.max
    first, end = local_day_bounds(date.min, KOLKATA)
    assert first.replace(tzinfo=None) == datetime.min
    assert first < end


def test_storage_conversions() -> None:
    moment = parse_when("2026-11-20 07:00", BERLIN, NOW)
    assert to_utc_naive(moment) == datetime(2026, 11, 20, 6)
    assert utc_offset_minutes(moment) == 60
    assert utc_offset_minutes(parse_when("2026-11-20 07:00", KOLKATA, NOW)) == 330
    assert utc_offset_minutes(parse_when("2026-11-20 07:00", NEW_YORK, NOW)) == -300
    back = from_utc(datetime(2026, 11, 20, 6), 60)
    assert back == moment
    assert isoformat(back) == "2026-11-20T07:00:00+01:00"
    assert isoformat(from_utc(datetime(2026, 11, 20, 6), 0)) == "2026-11-20T06:00:00+00:00"
    assert isoformat(datetime(2026, 11, 20, 6, 0, 0, 999_999, tzinfo=UTC)).endswith(
        "06:00:00+00:00"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: to_utc_naive(datetime(2026, 11, 20)),
        lambda: utc_offset_minutes(datetime(2026, 11, 20)),
        lambda: isoformat(datetime(2026, 11, 20)),
        lambda: from_utc(utc(2026, 11, 20), 60),
    ],
)
def test_storage_conversions_refuse_the_wrong_kind_of_datetime(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError):
        call()


def test_elapsed_time_across_dst_is_real_time() -> None:
    # Berlin, 2026-03-29: 01:30 CET to 03:30 CEST is one hour, not the two the wall clock shows.
    before = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    after = datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert seconds_between(before, after) == 3600
    assert add_seconds(before, 3600) == after
    assert add_seconds(before, 3600).utcoffset() == timedelta(hours=2)
    assert add_seconds(after, -3600).replace(tzinfo=None) == before.replace(tzinfo=None)


def test_add_seconds_past_the_calendar_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="further from today"):
        add_seconds(datetime(9999, 12, 31, 23, tzinfo=UTC), 7200)


def test_stamp_is_utc_to_the_microsecond() -> None:
    moment = datetime(2026, 11, 20, 7, 0, 0, 5, tzinfo=BERLIN)
    assert stamp(moment) == "2026-11-20T06:00:00.000005+00:00"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.sampled_from(ZONES))
def test_day_bounds_tile_the_timeline(day: date, tz: ZoneInfo) -> None:
    start, end = local_day_bounds(day, tz)
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    assert start.astimezone(tz).date() == day
    assert (end - timedelta(microseconds=1)).astimezone(tz).date() == day
    assert instant(parse_when(day.isoformat(), tz, NOW)) == start
