"""Periods, goals and progress: calendar periods across DST in several zones, targets read and
refused, each status across a period's life, the numbers at fixed moments, and streaks."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fittrack.core.goals import (
    GOAL_KEYS,
    METRICS,
    Goal,
    describe,
    format_amount,
    generated_name,
    parse_target,
    target_unit,
)
from fittrack.core.moments import local_day_bounds
from fittrack.core.periods import (
    PERIODS,
    Period,
    check_period,
    period_containing,
    periods_ending_at,
    shift,
    utc_bounds,
)
from fittrack.core.progress import (
    STATUSES,
    PeriodResult,
    goal_periods,
    is_active,
    progress,
    streaks,
)
from fittrack.errors import UsageError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
ZONES = [ZoneInfo("UTC"), BERLIN, NEW_YORK, LORD_HOWE, KOLKATA, ZoneInfo("America/Santiago")]

D = date.fromisoformat
STAMP = datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=UTC)


def end_of(day: date, tz: tzinfo) -> datetime:
    """What ``--date DAY`` means: the end of that day in ``tz``."""
    return local_day_bounds(day, tz)[1]


def local(text: str, tz: tzinfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def make_goal(**changes: object) -> Goal:
    goal = Goal(
        id="3f0c1a5e-8d2b-4c61-9a7e-2b5d4f6e8a90",
        name="20 km a week of run",
        period="week",
        metric="distance",
        target=20000.0,
        activity_type="run",
        start_date=D("2026-01-05"),
        end_date=None,
        paused=False,
        pauses=(),
        created_at=STAMP,
        updated_at=STAMP,
    )
    return replace(goal, **changes)  # type: ignore[arg-type]


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("day", "day"),
        ("Daily", "day"),
        ("d", "day"),
        ("week", "week"),
        ("WEEKLY", "week"),
        (" w ", "week"),
        ("month", "month"),
        ("monthly", "month"),
        ("M", "month"),
        ("year", "year"),
        ("yearly", "year"),
        ("y", "year"),
    ],
)
def test_check_period_reads_names_adjectives_and_letters(text: str, period: str) -> None:
    assert check_period(text) == period


@pytest.mark.parametrize("text", ["fortnight", "", "  ", "hour", "weak", "2w", "annually!"])
def test_check_period_refuses_other_words(text: str) -> None:
    with pytest.raises(UsageError, match="use day, week, month or year"):
        check_period(text)


def test_check_period_message_names_the_word() -> None:
    with pytest.raises(UsageError) as caught:
        check_period("fortnight")
    assert str(caught.value) == "unknown period 'fortnight' — use day, week, month or year"


@pytest.mark.parametrize(
    ("day", "period", "week_start", "first", "last"),
    [
        ("2026-11-18", "day", "monday", "2026-11-18", "2026-11-18"),
        # Wednesday: Monday weeks run Mon–Sun, Sunday weeks Sun–Sat.
        ("2026-11-18", "week", "monday", "2026-11-16", "2026-11-22"),
        ("2026-11-18", "week", "sunday", "2026-11-15", "2026-11-21"),
        # A Sunday is the last day of a Monday week and the first of a Sunday week.
        ("2026-11-22", "week", "monday", "2026-11-16", "2026-11-22"),
        ("2026-11-22", "week", "sunday", "2026-11-22", "2026-11-28"),
        # A Monday is the first day of a Monday week and the second of a Sunday week.
        ("2026-11-16", "week", "monday", "2026-11-16", "2026-11-22"),
        ("2026-11-16", "week", "sunday", "2026-11-15", "2026-11-21"),
        # Weeks across a month and a year end.
        ("2026-12-31", "week", "monday", "2026-12-28", "2027-01-03"),
        ("2027-01-01", "week", "sunday", "2026-12-27", "2027-01-02"),
        ("2026-01-31", "month", "monday", "2026-01-01", "2026-01-31"),
        ("2026-02-01", "month", "monday", "2026-02-01", "2026-02-28"),
        ("2026-04-30", "month", "monday", "2026-04-01", "2026-04-30"),
        ("2026-12-31", "month", "sunday", "2026-12-01", "2026-12-31"),
        ("2028-02-29", "month", "monday", "2028-02-01", "2028-02-29"),
        ("2028-02-01", "month", "monday", "2028-02-01", "2028-02-29"),
        ("2100-02-15", "month", "monday", "2100-02-01", "2100-02-28"),  # not a leap year
        ("2028-02-29", "year", "monday", "2028-01-01", "2028-12-31"),
        ("2026-07-04", "year", "sunday", "2026-01-01", "2026-12-31"),
        # DST Sundays are ordinary days of their week.
        ("2026-03-29", "week", "monday", "2026-03-23", "2026-03-29"),
        ("2026-10-25", "week", "monday", "2026-10-19", "2026-10-25"),
        ("2026-03-08", "week", "sunday", "2026-03-08", "2026-03-14"),
    ],
)
def test_period_containing(day: str, period: str, week_start: str, first: str, last: str) -> None:
    p = period_containing(D(day), period, week_start)
    assert p == Period(D(first), D(last))
    assert p.contains(D(day))


@pytest.mark.parametrize(
    ("day", "period", "days"),
    [
        ("2026-11-18", "day", 1),
        ("2026-03-29", "day", 1),  # a 23-hour day in Berlin is still one day
        ("2026-11-18", "week", 7),
        ("2026-01-31", "month", 31),
        ("2026-02-10", "month", 28),
        ("2028-02-10", "month", 29),
        ("2026-04-10", "month", 30),
        ("2026-06-01", "year", 365),
        ("2028-06-01", "year", 366),
    ],
)
def test_period_days(day: str, period: str, days: int) -> None:
    assert period_containing(D(day), period, "monday").days == days


def test_february_2028_and_the_year_2028_contain_the_29th() -> None:
    february = period_containing(D("2028-02-10"), "month", "monday")
    year = period_containing(D("2028-02-29"), "year", "sunday")
    assert february.contains(D("2028-02-29"))
    assert not february.contains(D("2028-03-01"))
    assert year.contains(D("2028-02-29"))
    assert (february.days, year.days) == (29, 366)


# (zone, a day of the week, week start, first day, UTC start, UTC end, hours)
DST_WEEKS = [
    # Summer time begins on Sunday 2026-03-29 at 02:00: the week loses an hour.
    (BERLIN, "2026-03-29", "monday", "2026-03-23", "2026-03-22T23:00", "2026-03-29T22:00", 167),
    # And ends on Sunday 2026-10-25 at 03:00: the week gains one.
    (BERLIN, "2026-10-25", "monday", "2026-10-19", "2026-10-18T22:00", "2026-10-25T23:00", 169),
    (BERLIN, "2026-10-25", "sunday", "2026-10-25", "2026-10-24T22:00", "2026-10-31T23:00", 169),
    (NEW_YORK, "2026-03-08", "sunday", "2026-03-08", "2026-03-08T05:00", "2026-03-15T04:00", 167),
    (NEW_YORK, "2026-03-08", "monday", "2026-03-02", "2026-03-02T05:00", "2026-03-09T04:00", 167),
    (NEW_YORK, "2026-11-01", "sunday", "2026-11-01", "2026-11-01T04:00", "2026-11-08T05:00", 169),
    (NEW_YORK, "2026-11-18", "monday", "2026-11-16", "2026-11-16T05:00", "2026-11-23T05:00", 168),
    # Lord Howe Island moves its clocks by half an hour.
    (
        LORD_HOWE,
        "2026-04-05",
        "monday",
        "2026-03-30",
        "2026-03-29T13:00",
        "2026-04-05T13:30",
        168.5,
    ),
    (
        LORD_HOWE,
        "2026-10-04",
        "monday",
        "2026-09-28",
        "2026-09-27T13:30",
        "2026-10-04T13:00",
        167.5,
    ),
    # Kolkata: +05:30 all year, so weeks start at 18:30 UTC the evening before.
    (KOLKATA, "2026-03-29", "monday", "2026-03-23", "2026-03-22T18:30", "2026-03-29T18:30", 168),
    (KOLKATA, "2026-10-25", "sunday", "2026-10-25", "2026-10-24T18:30", "2026-10-31T18:30", 168),
]


@pytest.mark.parametrize(
    ("tz", "day", "week_start", "first", "utc_start", "utc_end", "hours"), DST_WEEKS
)
def test_week_utc_bounds_across_dst(
    tz: ZoneInfo,
    day: str,
    week_start: str,
    first: str,
    utc_start: str,
    utc_end: str,
    hours: float,
) -> None:
    week = period_containing(D(day), "week", week_start)
    start, end = utc_bounds(week, tz)
    assert week.first == D(first)
    assert week.days == 7
    assert start == datetime.fromisoformat(utc_start).replace(tzinfo=UTC)
    assert end == datetime.fromisoformat(utc_end).replace(tzinfo=UTC)
    assert (end - start) / timedelta(hours=1) == hours
    # Both ends are local midnights.
    assert start.astimezone(tz).timetuple()[3:6] == (0, 0, 0)
    assert end.astimezone(tz).timetuple()[3:6] == (0, 0, 0)


@pytest.mark.parametrize(
    ("tz", "period", "day", "hours"),
    [
        (BERLIN, "day", "2026-03-29", 23),
        (BERLIN, "day", "2026-10-25", 25),
        (LORD_HOWE, "day", "2026-10-04", 23.5),
        (BERLIN, "month", "2026-03-01", 31 * 24 - 1),
        (BERLIN, "month", "2026-10-01", 31 * 24 + 1),
        (NEW_YORK, "month", "2028-02-01", 29 * 24),
        (BERLIN, "year", "2026-01-01", 365 * 24),  # the hour lost in March comes back in October
        (KOLKATA, "year", "2028-01-01", 366 * 24),
    ],
)
def test_utc_bounds_length(tz: ZoneInfo, period: str, day: str, hours: float) -> None:
    start, end = utc_bounds(period_containing(D(day), period, "monday"), tz)
    assert (end - start) / timedelta(hours=1) == hours


@pytest.mark.parametrize(
    ("first", "period", "n", "expected_first", "expected_last"),
    [
        ("2026-11-18", "day", 1, "2026-11-19", "2026-11-19"),
        ("2026-03-01", "day", -1, "2026-02-28", "2026-02-28"),
        ("2026-11-16", "week", 1, "2026-11-23", "2026-11-29"),
        ("2026-11-16", "week", -52, "2025-11-17", "2025-11-23"),
        ("2026-01-01", "month", 1, "2026-02-01", "2026-02-28"),  # Jan 31 → Feb, not "Feb 31"
        ("2028-01-01", "month", 1, "2028-02-01", "2028-02-29"),
        ("2028-03-01", "month", -1, "2028-02-01", "2028-02-29"),
        ("2026-11-01", "month", 2, "2027-01-01", "2027-01-31"),
        ("2026-01-01", "month", -1, "2025-12-01", "2025-12-31"),
        ("2026-01-01", "month", -25, "2023-12-01", "2023-12-31"),
        ("2027-01-01", "year", 1, "2028-01-01", "2028-12-31"),
        ("2026-01-01", "year", -3, "2023-01-01", "2023-12-31"),
        ("2026-05-01", "month", 0, "2026-05-01", "2026-05-31"),
    ],
)
def test_shift(first: str, period: str, n: int, expected_first: str, expected_last: str) -> None:
    p = period_containing(D(first), period, "monday")
    assert shift(p, period, "monday", n) == Period(D(expected_first), D(expected_last))


def test_shift_sunday_weeks() -> None:
    week = period_containing(D("2026-11-18"), "week", "sunday")
    assert shift(week, "week", "sunday", 1) == Period(D("2026-11-22"), D("2026-11-28"))


def test_periods_ending_at_is_oldest_first_and_ends_with_the_day() -> None:
    months = periods_ending_at(D("2028-03-15"), "month", "monday", 3)
    assert months == [
        Period(D("2028-01-01"), D("2028-01-31")),
        Period(D("2028-02-01"), D("2028-02-29")),
        Period(D("2028-03-01"), D("2028-03-31")),
    ]
    assert periods_ending_at(D("2028-03-15"), "week", "sunday", 0) == []
    assert periods_ending_at(D("2028-03-15"), "day", "monday", 1) == [
        Period(D("2028-03-15"), D("2028-03-15"))
    ]


def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        period_containing(D("2026-11-18"), "fortnight", "monday")
    with pytest.raises(ValueError):
        period_containing(D("2026-11-18"), "week", "tuesday")
    with pytest.raises(ValueError):
        Period(D("2026-11-18"), D("2026-11-17"))
    with pytest.raises(ValueError):
        periods_ending_at(D("2026-11-18"), "week", "monday", -1)


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
kinds = st.sampled_from(PERIODS)
week_starts = st.sampled_from(["monday", "sunday"])


@given(days, kinds, week_starts)
def test_consecutive_periods_tile_the_calendar(day: date, period: str, week_start: str) -> None:
    p = period_containing(day, period, week_start)
    after = shift(p, period, week_start, 1)
    before = shift(p, period, week_start, -1)
    assert after.first == p.last + timedelta(days=1)
    assert before.last == p.first - timedelta(days=1)
    assert shift(after, period, week_start, -1) == p


@given(days, kinds, week_starts)
def test_every_day_is_in_exactly_the_period_containing_it(
    day: date, period: str, week_start: str
) -> None:
    p = period_containing(day, period, week_start)
    assert p.contains(day)
    assert not shift(p, period, week_start, 1).contains(day)
    assert not shift(p, period, week_start, -1).contains(day)
    # Every day of the period names that same period.
    assert period_containing(p.first, period, week_start) == p
    assert period_containing(p.last, period, week_start) == p
    if period == "week":
        assert p.days == 7
        assert p.first.weekday() == (0 if week_start == "monday" else 6)


@given(days, kinds, week_starts, st.integers(min_value=-30, max_value=30))
def test_shift_goes_back_and_forth(day: date, period: str, week_start: str, n: int) -> None:
    p = period_containing(day, period, week_start)
    assert shift(shift(p, period, week_start, n), period, week_start, -n) == p
    assert (shift(p, period, week_start, n) > p) == (n > 0)


@given(
    st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 12, 31)),
    kinds,
    week_starts,
    st.sampled_from(ZONES),
)
def test_utc_bounds_of_consecutive_periods_meet(
    day: date, period: str, week_start: str, tz: ZoneInfo
) -> None:
    p = period_containing(day, period, week_start)
    start, end = utc_bounds(p, tz)
    assert start < end
    assert end == utc_bounds(shift(p, period, week_start, 1), tz)[0]
    # Never off by a day: DST shifts, and the odd historical change of a zone's standard offset
    # (Lord Howe in 1981 moved by 90 minutes in one year), stay within two hours.
    assert abs((end - start) - timedelta(days=p.days)) <= timedelta(hours=2)


# --- targets ---------------------------------------------------------------------------------

VALID_TARGETS = [
    ("20km", "distance", 20000.0),
    ("20 km", "distance", 20000.0),
    ("20K", "distance", 20000.0),
    ("10mi", "distance", 16093.44),
    ("10 miles", "distance", 16093.44),
    ("5000m", "distance", 5000.0),
    ("1,000m", "distance", 1000.0),
    ("1000 m", "distance", 1000.0),
    ("800 metres", "distance", 800.0),
    ("0.8km", "distance", 800.0),
    ("+5km", "distance", 5000.0),
    ("half", "distance", 21097.5),
    ("150min", "duration", 9000.0),
    ("150 min", "duration", 9000.0),
    ("150 minutes", "duration", 9000.0),
    ("3h", "duration", 10800.0),
    ("1.5h", "duration", 5400.0),
    ("1h30m", "duration", 5400.0),
    ("1h 30m", "duration", 5400.0),
    ("0h45m", "duration", 2700.0),
    ("2:30:00", "duration", 9000.0),
    ("3times", "count", 3.0),
    ("3 times", "count", 3.0),
    ("1 time", "count", 1.0),
    ("3x", "count", 3.0),
    ("3 X", "count", 3.0),
    ("3×", "count", 3.0),
    ("3 sessions", "count", 3.0),
    ("1 session", "count", 1.0),
    ("3 workouts", "count", 3.0),
    ("12 activities", "count", 12.0),
    ("3.0times", "count", 3.0),
    ("2000kcal", "calories", 2000.0),
    ("2000 kcal", "calories", 2000.0),
    ("2000cal", "calories", 2000.0),
    ("2,000 calories", "calories", 2000.0),
    ("200000kcal", "calories", 200000.0),  # a year's target may pass one activity's limit
    ("  20km  ", "distance", 20000.0),
]


@pytest.mark.parametrize(("text", "metric", "value"), VALID_TARGETS)
def test_parse_target(text: str, metric: str, value: float) -> None:
    parsed_metric, parsed_value = parse_target(text)
    assert parsed_metric == metric
    assert parsed_value == pytest.approx(value)


INVALID_TARGETS = [
    ("20", "a target needs a unit: 20km, 10mi, 150min, 3h, 3times or 2000kcal"),
    ("2.5", "a target needs a unit"),
    ("-20", "a target needs a unit"),
    ("", "no target given"),
    ("   ", "no target given"),
    ("0km", "more than zero"),
    ("0", "a target needs a unit"),
    ("0 times", "more than zero"),
    ("0kcal", "more than zero"),
    ("0:00", "more than zero"),
    ("0h0m", "more than zero"),
    ("-5km", "more than zero"),
    ("\N{MINUS SIGN}5km", "more than zero"),
    ("-3times", "more than zero"),
    ("2.5times", "whole number"),
    ("3.5x", "whole number"),
    ("150m", "could be minutes or metres — write 150min or 150 metres"),
    ("800m", "write 800min or 800 metres"),
    ("45 m", "write 45min or 45 metres"),
    ("1h75m", "under 60"),
    ("200000km", "over 100000 km"),
    ("20000000kcal", "over 10000000 kcal"),
    ("1000000times", "check the number"),
    ("5q", "can't read '5q' as a target"),
    ("km", "can't read 'km' as a target"),
    ("twenty km", "can't read"),
    ("3 laps", "can't read"),
    ("20km a week", "can't read"),
]


@pytest.mark.parametrize(("text", "message"), INVALID_TARGETS)
def test_parse_target_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_target(text)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


@given(st.text(max_size=20))
def test_parse_target_returns_or_refuses(text: str) -> None:
    try:
        metric, value = parse_target(text)
    except UsageError:
        return
    assert metric in METRICS
    assert value > 0


# --- goals -----------------------------------------------------------------------------------


def test_goal_to_json_is_the_goal_shape() -> None:
    goal = make_goal(end_date=D("2026-12-31"), updated_at=STAMP.astimezone(BERLIN))
    data = goal.to_json()
    assert tuple(data) == GOAL_KEYS
    assert data == {
        "id": "3f0c1a5e-8d2b-4c61-9a7e-2b5d4f6e8a90",
        "name": "20 km a week of run",
        "period": "week",
        "metric": "distance",
        "target": 20000.0,
        "activity_type": "run",
        "start_date": "2026-01-05",
        "end_date": "2026-12-31",
        "paused": False,
        "created_at": "2026-11-01T09:30:15.123456+00:00",
        "updated_at": "2026-11-01T09:30:15.123456+00:00",
    }


def test_goal_to_json_nulls() -> None:
    data = make_goal(activity_type=None, end_date=None, paused=True).to_json()
    assert (data["activity_type"], data["end_date"], data["paused"]) == (None, None, True)
    assert "pauses" not in data
    assert "deleted_at" not in data


@pytest.mark.parametrize(
    ("metric", "target", "period", "activity_type", "units", "unit", "text"),
    [
        ("distance", 20000.0, "week", "run", "metric", None, "Run 20 km a week"),
        ("distance", 20000.0, "week", "run", "metric", "km", "Run 20 km a week"),
        ("distance", 20000.0, "week", None, "imperial", None, "12.43 mi a week"),
        ("distance", 160934.4, "month", "run", "metric", "mi", "Run 100 mi a month"),
        ("distance", 16093.44, "month", "ride", "imperial", None, "Ride 10 mi a month"),
        ("distance", 800.0, "day", "swim", "metric", None, "Swim 800 m a day"),
        ("distance", 1500.0, "day", "swim", "imperial", "m", "Swim 1500 m a day"),
        ("distance", 1828.8, "week", "swim", "metric", "yd", "Swim 2000 yd a week"),
        ("distance", 12500.0, "week", None, "metric", None, "12.5 km a week"),
        ("distance", 8000.0, "week", "mountain-bike", "metric", "km", "Mountain bike 8 km a week"),
        ("duration", 9000.0, "week", None, "metric", "min", "150 min a week"),
        ("duration", 9000.0, "week", None, "metric", None, "2 h 30 min a week"),
        ("duration", 9000.0, "week", None, "metric", "h", "2.5 h a week"),
        ("duration", 10800.0, "week", None, "metric", None, "3 h a week"),
        ("duration", 1800.0, "day", "yoga", "metric", None, "Yoga 30 min a day"),
        ("count", 3.0, "week", None, "metric", None, "3 workouts a week"),
        ("count", 1.0, "day", None, "metric", None, "1 workout a day"),
        ("count", 1.0, "day", "yoga", "metric", None, "Yoga once a day"),
        ("count", 2.0, "week", "swim", "imperial", None, "Swim twice a week"),
        ("count", 4.0, "week", "run", "metric", None, "Run 4 times a week"),
        ("calories", 2000.0, "month", None, "metric", None, "2000 kcal a month"),
        ("calories", 100000.0, "year", None, "imperial", None, "100000 kcal a year"),
    ],
)
def test_describe(
    metric: str,
    target: float,
    period: str,
    activity_type: str | None,
    units: str,
    unit: str | None,
    text: str,
) -> None:
    goal = make_goal(metric=metric, target=target, period=period, activity_type=activity_type)
    assert describe(goal, units, unit) == text


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("100mi", "mi"),
        ("100 miles", "mi"),
        ("20km", "km"),
        ("20k", "km"),
        ("5000m", "m"),
        ("2,000 yd", "yd"),
        ("150min", "min"),
        ("150 minutes", "min"),
        ("3h", "h"),
        ("2.5 hours", "h"),
        ("1h30m", None),
        ("2:30:00", None),
        ("half", None),
        ("3times", None),
        ("2000kcal", None),
        ("150m", None),  # refused as a target: no unit to speak of
        ("", None),
    ],
)
def test_target_unit(text: str, unit: str | None) -> None:
    assert target_unit(text) == unit


@pytest.mark.parametrize(
    ("name", "units", "expected"),
    [
        ("Run 100 mi a month", "metric", (True, "mi")),
        ("Run 160.93 km a month", "metric", (True, None)),
        ("160.93 km a month of run", "metric", (True, None)),  # the name fittrack gave before
        ("Spring block", "metric", (False, None)),
    ],
)
def test_generated_name(name: str, units: str, expected: tuple[bool, str | None]) -> None:
    goal = make_goal(
        metric="distance", target=160934.4, period="month", activity_type="run", name=name
    )
    assert generated_name(goal, units) == expected


@pytest.mark.parametrize(
    ("metric", "value", "units", "text"),
    [
        ("distance", 20000.0, "metric", "20.00 km"),
        ("distance", 800.0, "metric", "800 m"),
        ("distance", 16093.44, "imperial", "10.00 mi"),
        ("duration", 9000.0, "metric", "2:30:00"),
        ("duration", 1650.0, "imperial", "27:30"),
        ("count", 3.0, "metric", "3"),
        ("count", 0.0, "metric", "0"),
        ("calories", 2000.0, "metric", "2000 kcal"),
        ("calories", 1234.6, "imperial", "1235 kcal"),
    ],
)
def test_format_amount(metric: str, value: float, units: str, text: str) -> None:
    assert format_amount(metric, value, units) == text


def test_format_amount_refuses_unknown_metrics() -> None:
    with pytest.raises(ValueError):
        format_amount("steps", 1.0, "metric")


@pytest.mark.parametrize(
    ("changes", "day", "active"),
    [
        ({}, "2026-01-05", True),
        ({}, "2026-01-04", False),
        ({"end_date": D("2026-06-30")}, "2026-06-30", True),
        ({"end_date": D("2026-06-30")}, "2026-07-01", False),
        ({"paused": True}, "2026-06-30", True),
        ({"deleted_at": STAMP}, "2026-06-30", False),
    ],
)
def test_is_active(changes: dict[str, object], day: str, active: bool) -> None:
    assert is_active(make_goal(**changes), D(day)) is active


# --- progress --------------------------------------------------------------------------------

# A 20 km weekly run goal in Berlin, in the ordinary week Mon 2026-11-16 … Sun 2026-11-22 (CET).
WEEK = Period(D("2026-11-16"), D("2026-11-22"))
WEEK_GOAL = make_goal()


@pytest.mark.parametrize(
    ("as_of", "current", "status", "expected", "days_left"),
    [
        # Before the week begins: new, nothing expected yet, all 7 days left.
        ("2026-11-15T12:00", 0.0, "new", 0.0, 7),
        ("2026-11-15T12:00", 25000.0, "new", 0.0, 7),
        # Its first instant: begun, nothing counts yet.
        ("2026-11-16T00:00", 0.0, "new", 0.0, 7),
        # Nothing logged by Wednesday noon is still new, not behind.
        ("2026-11-18T12:00", 0.0, "new", 20000 * 2.5 / 7, 5),
        # End of Wednesday (--date 2026-11-18): 3 of 7 days gone, Thursday to Sunday left.
        ("2026-11-19T00:00", 10000.0, "on_track", 20000 * 3 / 7, 4),
        ("2026-11-19T00:00", 20000 * 3 / 7, "on_track", 20000 * 3 / 7, 4),
        ("2026-11-19T00:00", 5000.0, "behind", 20000 * 3 / 7, 4),
        ("2026-11-19T00:00", 20000.0, "success", 20000 * 3 / 7, 4),
        ("2026-11-19T00:00", 26000.0, "success", 20000 * 3 / 7, 4),
        # Sunday evening, one day left.
        ("2026-11-22T18:00", 19000.0, "behind", 20000 * (6 + 18 / 24) / 7, 1),
        # After the week: success stays success, short is due.
        ("2026-11-23T00:00", 20000.0, "success", 20000.0, 0),
        ("2026-11-23T00:00", 19999.0, "due", 20000.0, 0),
        ("2026-11-23T00:00", 0.0, "due", 20000.0, 0),
        ("2027-03-01T08:00", 21000.0, "success", 20000.0, 0),
    ],
)
def test_status_across_a_week(
    as_of: str, current: float, status: str, expected: float, days_left: int
) -> None:
    p = progress(WEEK_GOAL, WEEK, current, local(as_of, BERLIN), BERLIN)
    assert p.status == status
    assert p.expected == pytest.approx(expected)
    assert p.days_left == days_left
    assert p.remaining == pytest.approx(max(20000 - current, 0))
    assert p.needed_per_day == pytest.approx(max(20000 - current, 0) / max(days_left, 1))
    assert p.percent == pytest.approx(100 * current / 20000)
    assert (p.period_start, p.period_end, p.target) == (WEEK.first, WEEK.last, 20000.0)


def test_end_of_wednesday_numbers() -> None:
    p = progress(WEEK_GOAL, WEEK, 6000.0, end_of(D("2026-11-18"), BERLIN), BERLIN)
    assert p.expected == pytest.approx(20000 * 3 / 7)
    assert p.days_left == 4
    assert p.remaining == 14000.0
    assert p.needed_per_day == pytest.approx(3500.0)
    assert p.percent == pytest.approx(30.0)
    assert p.status == "behind"


def test_the_as_of_zone_does_not_matter_only_the_instant() -> None:
    in_berlin = progress(WEEK_GOAL, WEEK, 6000.0, end_of(D("2026-11-18"), BERLIN), BERLIN)
    in_utc = progress(
        WEEK_GOAL, WEEK, 6000.0, end_of(D("2026-11-18"), BERLIN).astimezone(UTC), BERLIN
    )
    assert in_berlin == in_utc


@pytest.mark.parametrize(
    ("tz", "week_day", "date_", "elapsed_hours", "week_hours", "days_left"),
    [
        # Expected follows real time: the lost or gained hour falls on Sunday, after Wednesday.
        (BERLIN, "2026-03-29", "2026-03-25", 72, 167, 4),
        (BERLIN, "2026-10-25", "2026-10-21", 72, 169, 4),
        # Past the change the hour is in the elapsed part too.
        (BERLIN, "2026-10-25", "2026-10-25", 169, 169, 0),
        (NEW_YORK, "2026-03-08", "2026-03-03", 48, 167, 5),  # end of Tuesday
        (LORD_HOWE, "2026-04-05", "2026-04-01", 72, 168.5, 4),
        (LORD_HOWE, "2026-10-04", "2026-10-04", 167.5, 167.5, 0),
        (LORD_HOWE, "2026-10-04", "2026-10-03", 144, 167.5, 1),
        (KOLKATA, "2026-03-29", "2026-03-25", 72, 168, 4),
    ],
)
def test_expected_and_days_left_at_fixed_dates_across_dst(
    tz: ZoneInfo,
    week_day: str,
    date_: str,
    elapsed_hours: float,
    week_hours: float,
    days_left: int,
) -> None:
    week = period_containing(D(week_day), "week", "monday")
    p = progress(WEEK_GOAL, week, 1000.0, end_of(D(date_), tz), tz)
    assert p.expected == pytest.approx(20000 * elapsed_hours / week_hours)
    assert p.days_left == days_left
    assert p.needed_per_day == pytest.approx(19000 / max(days_left, 1))


def test_sunday_week_start() -> None:
    week = period_containing(D("2026-11-18"), "week", "sunday")  # Sun 15 … Sat 21
    p = progress(WEEK_GOAL, week, 0.0, end_of(D("2026-11-18"), NEW_YORK), NEW_YORK)
    assert (p.period_start, p.period_end) == (D("2026-11-15"), D("2026-11-21"))
    assert p.expected == pytest.approx(20000 * 4 / 7)
    assert p.days_left == 3
    assert p.status == "new"


def test_year_goal_in_2028() -> None:
    goal = make_goal(period="year", target=1_000_000.0, start_date=D("2028-01-01"))
    year = period_containing(D("2028-02-29"), "year", "monday")
    p = progress(goal, year, 200_000.0, end_of(D("2028-02-29"), UTC), UTC)
    assert year.days == 366
    assert p.days_left == 366 - 60
    assert p.expected == pytest.approx(1_000_000 * 60 / 366)
    assert p.needed_per_day == pytest.approx(800_000 / 306)
    assert p.status == "on_track"


def test_month_goal_on_29_february_2028() -> None:
    goal = make_goal(period="month", metric="count", target=12.0)
    month = period_containing(D("2028-02-29"), "month", "monday")
    assert month.days == 29
    midway = progress(goal, month, 5.0, end_of(D("2028-02-14"), BERLIN), BERLIN)
    assert midway.days_left == 15
    assert midway.expected == pytest.approx(12 * 14 / 29)
    last_day = progress(goal, month, 11.0, local("2028-02-29T20:00", BERLIN), BERLIN)
    assert (last_day.days_left, last_day.status) == (1, "behind")
    assert last_day.needed_per_day == pytest.approx(1.0)
    done = progress(goal, month, 11.0, end_of(D("2028-02-29"), BERLIN), BERLIN)
    assert (done.days_left, done.status) == (0, "due")


@pytest.mark.parametrize(
    ("pauses", "paused", "current", "status"),
    [
        # Paused on the Tuesday of the week, resumed on the Wednesday.
        (((D("2026-11-17"), D("2026-11-18")),), False, 5000.0, "paused"),
        # Still paused since Tuesday.
        (((D("2026-11-17"), None),), True, 5000.0, "paused"),
        # A pause that started before the week and ended in it.
        (((D("2026-11-01"), D("2026-11-16")),), False, 5000.0, "paused"),
        # Success beats paused.
        (((D("2026-11-17"), None),), True, 20000.0, "success"),
        # A pause that ended the day before the week does not touch it.
        (((D("2026-11-01"), D("2026-11-15")),), False, 5000.0, "behind"),
        # As of the end of Wednesday, a pause starting on Thursday has not happened yet.
        (((D("2026-11-19"), D("2026-11-20")),), False, 5000.0, "behind"),
        # Flagged paused without an open interval: paused as of today.
        ((), True, 5000.0, "paused"),
        (((D("2026-10-01"), D("2026-10-03")),), True, 5000.0, "paused"),
    ],
)
def test_paused_periods(
    pauses: tuple[tuple[date, date | None], ...], paused: bool, current: float, status: str
) -> None:
    goal = make_goal(pauses=pauses, paused=paused)
    p = progress(goal, WEEK, current, end_of(D("2026-11-18"), BERLIN), BERLIN)
    assert p.status == status


def test_a_past_paused_week_stays_paused_and_the_others_are_judged() -> None:
    goal = make_goal(pauses=((D("2026-11-10"), D("2026-11-12")),))
    as_of = end_of(D("2026-11-25"), BERLIN)
    weeks = goal_periods(goal, D("2026-11-25"), "monday", 3)
    statuses = [progress(goal, week, 1000.0, as_of, BERLIN).status for week in weeks]
    assert statuses == ["paused", "due", "behind"]


def test_progress_to_json_is_the_progress_shape() -> None:
    p = progress(WEEK_GOAL, WEEK, 6000.0, end_of(D("2026-11-18"), BERLIN), BERLIN)
    data = p.to_json()
    assert list(data) == [
        "goal",
        "period_start",
        "period_end",
        "current",
        "target",
        "percent",
        "expected",
        "remaining",
        "needed_per_day",
        "days_left",
        "status",
    ]
    assert data == {
        "goal": WEEK_GOAL.to_json(),
        "period_start": "2026-11-16",
        "period_end": "2026-11-22",
        "current": 6000.0,
        "target": 20000.0,
        "percent": 30.0,
        "expected": 8571.43,
        "remaining": 14000.0,
        "needed_per_day": 3500.0,
        "days_left": 4,
        "status": "behind",
    }


def test_percent_never_rounds_up_to_done() -> None:
    p = progress(WEEK_GOAL, WEEK, 19_995.0, end_of(D("2026-11-18"), BERLIN), BERLIN)
    assert p.to_json()["percent"] == 99.9
    done = progress(WEEK_GOAL, WEEK, 20_000.0, end_of(D("2026-11-18"), BERLIN), BERLIN)
    assert done.to_json()["percent"] == 100.0


def test_period_result_to_json_is_the_period_shape() -> None:
    p = progress(WEEK_GOAL, WEEK, 20000.004, end_of(D("2026-11-25"), BERLIN), BERLIN)
    result = p.result()
    assert result == PeriodResult(WEEK.first, WEEK.last, 20000.004, 20000.0, "success")
    assert result.to_json() == {
        "period_start": "2026-11-16",
        "period_end": "2026-11-22",
        "current": 20000.0,
        "target": 20000.0,
        "status": "success",
    }


@given(
    st.floats(min_value=0, max_value=60000, allow_nan=False),
    st.integers(min_value=-3 * 24 * 60, max_value=10 * 24 * 60),
    st.sampled_from(ZONES),
)
def test_progress_invariants(current: float, minutes: int, tz: ZoneInfo) -> None:
    start, end = utc_bounds(WEEK, tz)
    as_of = start + timedelta(minutes=minutes)
    p = progress(WEEK_GOAL, WEEK, current, as_of, tz)
    assert p.status in STATUSES
    assert 0 <= p.expected <= p.target
    assert 0 <= p.days_left <= WEEK.days
    assert p.needed_per_day * max(p.days_left, 1) == pytest.approx(p.remaining)
    assert (p.days_left == 0) == (as_of >= end)
    assert (p.status == "due") == (as_of >= end and current < p.target)
    if as_of < start:
        assert (p.status, p.expected, p.days_left) == ("new", 0.0, 7)


# --- a goal's periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "as_of_day", "count", "firsts"),
    [
        # Started on a Thursday: its first week is the whole week from that Monday.
        (
            {"start_date": D("2026-11-05")},
            "2026-11-18",
            None,
            ["2026-11-02", "2026-11-09", "2026-11-16"],
        ),
        ({"start_date": D("2026-11-05")}, "2026-11-18", 2, ["2026-11-09", "2026-11-16"]),
        (
            {"start_date": D("2026-11-05")},
            "2026-11-18",
            10,
            ["2026-11-02", "2026-11-09", "2026-11-16"],
        ),
        ({"start_date": D("2026-11-05")}, "2026-11-18", 0, []),
        ({"start_date": D("2026-11-05")}, "2026-11-05", None, ["2026-11-02"]),
        # Not started yet.
        ({"start_date": D("2026-11-20")}, "2026-11-18", None, []),
        # Ended: the period containing end_date is the last.
        (
            {"start_date": D("2026-11-05"), "end_date": D("2026-11-10")},
            "2026-12-31",
            None,
            ["2026-11-02", "2026-11-09"],
        ),
        (
            {"period": "month", "start_date": D("2027-12-15")},
            "2028-03-01",
            None,
            ["2027-12-01", "2028-01-01", "2028-02-01", "2028-03-01"],
        ),
        (
            {"period": "year", "start_date": D("2026-06-01")},
            "2028-02-29",
            2,
            ["2027-01-01", "2028-01-01"],
        ),
        (
            {"period": "day", "start_date": D("2028-02-27")},
            "2028-03-01",
            None,
            ["2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01"],
        ),
    ],
)
def test_goal_periods(
    changes: dict[str, object], as_of_day: str, count: int | None, firsts: list[str]
) -> None:
    goal = make_goal(**changes)
    periods = goal_periods(goal, D(as_of_day), "monday", count)
    assert [p.first for p in periods] == [D(first) for first in firsts]
    for p in periods:
        assert p == period_containing(p.first, goal.period, "monday")


def test_goal_periods_sunday_weeks() -> None:
    goal = make_goal(start_date=D("2026-11-15"))  # a Sunday
    periods = goal_periods(goal, D("2026-11-22"), "sunday", None)
    assert periods == [
        Period(D("2026-11-15"), D("2026-11-21")),
        Period(D("2026-11-22"), D("2026-11-28")),
    ]


def test_a_goal_started_mid_week_counts_the_whole_week() -> None:
    goal = make_goal(start_date=D("2026-11-19"))  # Thursday
    (week,) = goal_periods(goal, D("2026-11-19"), "monday", None)
    assert week == WEEK
    # The target is not prorated: as of the end of Thursday, 4 of 7 days of it are expected.
    p = progress(goal, week, 0.0, end_of(D("2026-11-19"), BERLIN), BERLIN)
    assert p.expected == pytest.approx(20000 * 4 / 7)
    assert p.target == 20000.0


# --- streaks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "current", "longest"),
    [
        ([], 0, 0),
        (["success"], 1, 1),
        (["due"], 0, 0),
        (["success", "success", "due", "success"], 1, 2),
        (["success", "success", "success", "due"], 0, 3),
        # A paused period neither breaks nor extends a run.
        (["success", "paused", "success"], 2, 2),
        (["success", "paused", "paused", "success", "due"], 0, 2),
        (["paused"], 0, 0),
        (["due", "paused", "success"], 1, 1),
        # The period still in progress does not break the current run…
        (["success", "success", "on_track"], 2, 2),
        (["success", "success", "behind"], 2, 2),
        (["success", "success", "new"], 2, 2),
        (["success", "paused", "behind"], 1, 1),
        # …and counts once it is a success.
        (["success", "success", "success"], 3, 3),
        # Only the last period can be in progress; earlier ones break the run.
        (["success", "behind", "success"], 1, 1),
        (["success", "new", "success", "on_track"], 1, 1),
        (["due", "due", "behind"], 0, 0),
    ],
)
def test_streaks(statuses: list[str], current: int, longest: int) -> None:
    assert streaks(statuses) == (current, longest)


def test_streaks_from_progress_with_a_paused_week() -> None:
    goal = make_goal(start_date=D("2026-10-26"), pauses=((D("2026-11-04"), D("2026-11-06")),))
    as_of = end_of(D("2026-11-18"), BERLIN)
    values = {D("2026-10-26"): 21000.0, D("2026-11-02"): 3000.0, D("2026-11-09"): 20000.0}
    periods = goal_periods(goal, D("2026-11-18"), "monday", None)
    statuses = [
        progress(goal, p, values.get(p.first, 1000.0), as_of, BERLIN).status for p in periods
    ]
    assert statuses == ["success", "paused", "success", "behind"]
    assert streaks(statuses) == (2, 2)
