"""Reading days and moments: tables of what is read and refused, DST edges, and round trips."""

import contextlib
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
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

from fittrack.core.dates import checked_date, parse_day, parse_when, quote
from fittrack.core.moments import isoformat
from fittrack.errors import UsageError

PARIS = ZoneInfo("Europe/Paris")


# (text, the instant it names with tz Berlin and now NOW)
VALID_WHEN = [
    ("now", NOW),
    ("NOW", NOW),
    ("today", utc(2026, 11, 19, 23)),
    ("yesterday", utc(2026, 11, 18, 23)),
    ("today 07:30", utc(2026, 11, 20, 6, 30)),
    ("today at 07:30", utc(2026, 11, 20, 6, 30)),
    ("yesterday 18:00", utc(2026, 11, 19, 17)),
    ("yesterday 6pm", utc(2026, 11, 19, 17)),
    ("-7d", utc(2026, 11, 13, 12)),
    ("-3h", utc(2026, 11, 20, 9)),
    ("-90m", utc(2026, 11, 20, 10, 30)),
    ("-90 min", utc(2026, 11, 20, 10, 30)),
    ("-2w", utc(2026, 11, 6, 12)),
    ("-30s", utc(2026, 11, 20, 11, 59, 30)),
    ("18:00", utc(2026, 11, 20, 17)),
    ("7:05", utc(2026, 11, 20, 6, 5)),
    ("07:05:30", utc(2026, 11, 20, 6, 5, 30)),
    ("7pm", utc(2026, 11, 20, 18)),
    ("7:30 am", utc(2026, 11, 20, 6, 30)),
    ("12am", utc(2026, 11, 19, 23)),
    ("12pm", utc(2026, 11, 20, 11)),
    ("2026-11-20 07:00", utc(2026, 11, 20, 6)),
    ("2026-11-20T07:00", utc(2026, 11, 20, 6)),
    ("2026-11-20T07:00:00", utc(2026, 11, 20, 6)),
    ("2026-11-20 7:00", utc(2026, 11, 20, 6)),
    ("2026-11-20T07:00:00+01:00", utc(2026, 11, 20, 6)),
    ("2026-11-20T07:00:00-05:00", utc(2026, 11, 20, 12)),
    ("2026-11-20T06:00:00Z", utc(2026, 11, 20, 6)),
    ("2026-11-20 07:00 +0530", utc(2026, 11, 20, 1, 30)),
    ("20261120T0700", utc(2026, 11, 20, 6)),
    ("2026-11-20T24:00", utc(2026, 11, 20, 23)),  # ISO's end of day: the next midnight
    ("2026-11-20T07:00:00+00:19:32", utc(2026, 11, 20, 6, 40, 28)),
    ("20261120", utc(2026, 11, 19, 23)),
    ("2026-11-20", utc(2026, 11, 19, 23)),
    ("2026/11/20 7pm", utc(2026, 11, 20, 18)),
    ("20 Nov 2026 07:00", utc(2026, 11, 20, 6)),
    ("November 20, 2026", utc(2026, 11, 19, 23)),
    ("20th nov. 2026 7:30 pm", utc(2026, 11, 20, 18, 30)),
    ("Fri, 20 Nov 2026 07:00:00 +0100", utc(2026, 11, 20, 6)),
    ("20 Nov 2026 07:00 UTC", utc(2026, 11, 20, 7)),
    ("2026.11.20 07:00", utc(2026, 11, 20, 6)),
    # Summer time in Berlin (+02:00) for a summer date, whatever the offset now.
    ("2026-07-01 07:00", utc(2026, 7, 1, 5)),
]

INVALID_WHEN = [
    "",
    "5",
    "12.5",
    "march",
    "tomorrow",
    "next monday",  # the future: not a date a workout is logged at
    "last",
    "monday whenever",
    "last monday 25:00",
    "3 fortnights ago",
    "3h",  # "ago" is what says which way
    "ago",
    "garbage",
    "2026",
    "2026-11",
    "Nov 2026",
    "Nov 20",  # no year
    "05/06/2026",  # day or month first?
    "20.11.2026",
    "2026-02-30",
    "2026-13-01",
    "20261301",
    "2026-11-20 25:00",
    "2026-11-20x07:00",
    "25:00",
    "7:60",
    "13pm",
    "7",
    "today 25:00",
    "today whenever",
    "-7",
    "-7y",
    "+3h",
    "-99999999999999d",
    "2026-11-20 07:00 CET",  # an abbreviation dateutil would only warn about
    "20 nov 2026 07:00 GMT+3",  # dateutil reads this as three hours *west*
    "2026-11-20T07:00+25:00",
    "20 nov 2026 07:00 +25:00",
    "2026/11/20 -0800",  # an offset without a time
    "2026 29",  # dateutil: 20:26 on the 29th
    "of 29 nov 29 2026",
    "Mon, 20 Nov 2026",  # the 20th is a Friday
    "feb 30 2026",
    "2026/2/30",
    "20 nov 2026 24:00",
    "0000-01-01",
    "1 2 3",
]


@pytest.mark.parametrize(("text", "expected"), VALID_WHEN)
def test_parse_when_reads(text: str, expected: datetime) -> None:
    parsed = parse_when(text, BERLIN, NOW)
    assert parsed.utcoffset() is not None
    assert instant(parsed) == expected


@pytest.mark.parametrize("text", INVALID_WHEN)
def test_parse_when_refuses_naming_the_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_when(text, BERLIN, NOW)
    assert f"'{text}'" in str(caught.value) if text else "no date" in str(caught.value)


# (text, what the message says is impossible about it): the real reason, not a list of forms.
IMPOSSIBLE_DATES = [
    ("2026-02-31", "invalid date '2026-02-31': February 2026 has 28 days"),
    ("2026-02-30", "invalid date '2026-02-30': February 2026 has 28 days"),
    ("2025-02-29", "invalid date '2025-02-29': February 2025 has 28 days"),
    ("2100-02-29", "invalid date '2100-02-29': February 2100 has 28 days"),
    ("2026-04-31", "invalid date '2026-04-31': April 2026 has 30 days"),
    ("2026-11-31 07:00", "invalid date '2026-11-31': November 2026 has 30 days"),
    ("2026-02-00", "invalid date '2026-02-00': days of the month start at 01"),
    ("2026-13-01", "invalid date '2026-13-01': there is no month 13: months go from 01 to 12"),
    ("20261301", "invalid date '20261301': there is no month 13: months go from 01 to 12"),
    ("2026-00-10", "invalid date '2026-00-10': there is no month 0: months go from 01 to 12"),
    ("feb 30 2026", "invalid date 'feb 30 2026': February 2026 has 28 days"),
    ("2026/2/30", "invalid date '2026/2/30': February 2026 has 28 days"),
]


@pytest.mark.parametrize(("text", "message"), IMPOSSIBLE_DATES)
def test_impossible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_when(text, BERLIN, NOW)
    assert str(caught.value) == message


# --from/--to/--date read only YYYY-MM-DD and YYYYMMDD as dates.
IMPOSSIBLE_DAYS = [case for case in IMPOSSIBLE_DATES if re.fullmatch(r"[0-9-]+", case[0])]


@pytest.mark.parametrize(("text", "message"), IMPOSSIBLE_DAYS)
def test_impossible_days_say_why(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_day(text, BERLIN, TODAY)
    assert str(caught.value) == message


# Dates people type, read with now = Friday 2026-11-20 13:00 in Berlin (NOW) and with now =
# Monday 2026-11-23 13:00 there (MONDAY_NOW): a weekday is the most recent one not in the future
# (today on that day), "last" the one before today.
MONDAY_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PEOPLE_WHEN = [
    # (text, now, the instant it names in Berlin)
    ("monday", NOW, utc(2026, 11, 15, 23)),
    ("Monday", NOW, utc(2026, 11, 15, 23)),
    ("mon", NOW, utc(2026, 11, 15, 23)),
    ("monday", MONDAY_NOW, utc(2026, 11, 22, 23)),
    ("last monday", NOW, utc(2026, 11, 15, 23)),
    ("last monday", MONDAY_NOW, utc(2026, 11, 15, 23)),
    ("friday", NOW, utc(2026, 11, 19, 23)),
    ("last friday", NOW, utc(2026, 11, 12, 23)),
    ("last sunday", NOW, utc(2026, 11, 14, 23)),
    ("last  Sunday", MONDAY_NOW, utc(2026, 11, 21, 23)),
    ("saturday", NOW, utc(2026, 11, 13, 23)),
    ("monday 18:00", NOW, utc(2026, 11, 16, 17)),
    ("last sunday 9am", NOW, utc(2026, 11, 15, 8)),
    ("last sunday at 07:30", NOW, utc(2026, 11, 15, 6, 30)),
    ("2 days ago", NOW, utc(2026, 11, 18, 12)),
    ("1 day ago", NOW, utc(2026, 11, 19, 12)),
    ("2 weeks ago", NOW, utc(2026, 11, 6, 12)),
    ("3h ago", NOW, utc(2026, 11, 20, 9)),
    ("3 hours ago", NOW, utc(2026, 11, 20, 9)),
    ("90 min ago", NOW, utc(2026, 11, 20, 10, 30)),
    ("45m ago", NOW, utc(2026, 11, 20, 11, 15)),
    ("30s ago", NOW, utc(2026, 11, 20, 11, 59, 30)),
    ("yesterday 18:00", NOW, utc(2026, 11, 19, 17)),
    ("yesterday 18:00", MONDAY_NOW, utc(2026, 11, 22, 17)),
    ("today 07:30", NOW, utc(2026, 11, 20, 6, 30)),
    ("today 07:30", MONDAY_NOW, utc(2026, 11, 23, 6, 30)),
]


@pytest.mark.parametrize(("text", "now", "expected"), PEOPLE_WHEN)
def test_dates_people_type(text: str, now: datetime, expected: datetime) -> None:
    assert instant(parse_when(text, BERLIN, now)) == expected


def test_days_ago_keep_the_wall_clock_across_dst() -> None:
    # 2026-10-25 is 25 hours long in Berlin: "2 days ago" is the same time of day, not 48 hours.
    now = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)  # 13:00 CET
    assert instant(parse_when("2 days ago", BERLIN, now)) == utc(2026, 10, 24, 11)  # 13:00 CEST


def test_local_times_are_in_the_zone_and_offsets_are_kept() -> None:
    assert parse_when("2026-11-20 07:00", BERLIN, NOW).tzinfo is BERLIN
    given_offset = parse_when("2026-11-20T07:00:00+05:30", BERLIN, NOW)
    assert given_offset.utcoffset() == timedelta(hours=5, minutes=30)
    assert isoformat(given_offset) == "2026-11-20T07:00:00+05:30"
    assert parse_when("now", BERLIN, NOW).tzinfo is BERLIN


def test_paris_just_after_midnight_is_the_previous_utc_day() -> None:
    assert parse_when("2026-12-01 00:10", PARIS, NOW) == utc(2026, 11, 30, 23, 10)


# (zone, local text, instant): the DST edges. Repeated hours mean their first occurrence.
DST_WHEN = [
    (BERLIN, "2026-03-29 01:59", utc(2026, 3, 29, 0, 59)),
    (BERLIN, "2026-03-29 03:00", utc(2026, 3, 29, 1, 0)),
    (BERLIN, "2026-10-25 02:30", utc(2026, 10, 25, 0, 30)),  # CEST, not CET
    (BERLIN, "2026-10-25 03:00", utc(2026, 10, 25, 2, 0)),
    (NEW_YORK, "2026-03-08 03:30", utc(2026, 3, 8, 7, 30)),
    (NEW_YORK, "2026-11-01 01:30", utc(2026, 11, 1, 5, 30)),  # EDT, not EST
    (LORD_HOWE, "2026-10-04 02:30", utc(2026, 10, 3, 15, 30)),
    (LORD_HOWE, "2026-04-05 01:45", utc(2026, 4, 4, 14, 45)),  # +11:00, not +10:30
    (KOLKATA, "2026-11-20 07:00", utc(2026, 11, 20, 1, 30)),
    # Midnight is skipped in Santiago on 2026-09-06: the day starts at 01:00.
    (SANTIAGO, "2026-09-06", utc(2026, 9, 6, 4)),
]


@pytest.mark.parametrize(("tz", "text", "expected"), DST_WHEN)
def test_parse_when_across_dst(tz: ZoneInfo, text: str, expected: datetime) -> None:
    assert instant(parse_when(text, tz, NOW)) == expected


@pytest.mark.parametrize(
    ("tz", "text"),
    [
        (BERLIN, "2026-03-29 02:30"),
        (BERLIN, "2026-03-29T02:00"),
        (NEW_YORK, "2026-03-08 02:30"),
        (LORD_HOWE, "2026-10-04 02:15"),
        (SANTIAGO, "2026-09-06 00:30"),
    ],
)
def test_parse_when_refuses_skipped_local_times(tz: ZoneInfo, text: str) -> None:
    with pytest.raises(UsageError, match="does not exist") as caught:
        parse_when(text, tz, NOW)
    assert text in str(caught.value)
    assert str(tz) in str(caught.value)


def test_skipped_time_today_is_refused_too() -> None:
    now = datetime(2026, 3, 29, 10, tzinfo=UTC)
    with pytest.raises(UsageError, match="does not exist"):
        parse_when("02:30", BERLIN, now)
    with pytest.raises(UsageError, match="does not exist"):
        parse_when("today 02:30", BERLIN, now)


def test_days_back_are_calendar_days_hours_back_are_elapsed() -> None:
    # Monday after the spring change: a week back is the same wall time, 167 hours earlier.
    now = datetime(2026, 3, 30, 10, tzinfo=UTC)  # 12:00 CEST
    week_ago = parse_when("-7d", BERLIN, now)
    assert week_ago.replace(tzinfo=None) == datetime(2026, 3, 23, 12)
    assert now - week_ago == timedelta(hours=167)
    assert now - parse_when("-24h", BERLIN, now) == timedelta(hours=24)


def test_today_in_a_zone_where_midnight_is_skipped() -> None:
    now = datetime(2026, 9, 6, 15, tzinfo=UTC)
    assert parse_when("today", SANTIAGO, now) == utc(2026, 9, 6, 4)


def test_today_follows_the_zone_not_utc() -> None:
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # already the 21st in Berlin and Kolkata
    assert parse_when("today", BERLIN, late) == utc(2026, 11, 20, 23)
    assert parse_when("today", KOLKATA, late) == utc(2026, 11, 20, 18, 30)
    assert parse_when("today", NEW_YORK, late) == utc(2026, 11, 20, 5)


def test_parse_when_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("now", BERLIN, datetime(2026, 11, 20))


TODAY = date(2026, 11, 20)

VALID_DAYS = [
    ("2026-11-20", date(2026, 11, 20)),
    ("2026-1-5", date(2026, 1, 5)),
    ("20261120", date(2026, 11, 20)),
    ("2024-02-29", date(2024, 2, 29)),
    ("today", TODAY),
    ("Today", TODAY),
    ("yesterday", date(2026, 11, 19)),
    ("-7d", date(2026, 11, 13)),
    ("-7 days", date(2026, 11, 13)),
    ("-0d", TODAY),
    ("-2w", date(2026, 11, 6)),
    (" 2026-11-20 ", date(2026, 11, 20)),
    # TODAY is a Friday: a weekday is the most recent one not in the future, "last" before today.
    ("friday", TODAY),
    ("last friday", date(2026, 11, 13)),
    ("monday", date(2026, 11, 16)),
    ("last monday", date(2026, 11, 16)),
    ("MON", date(2026, 11, 16)),
    ("last sunday", date(2026, 11, 15)),
    ("sun", date(2026, 11, 15)),
    ("2 days ago", date(2026, 11, 18)),
    ("0 days ago", TODAY),
    ("3 weeks ago", date(2026, 10, 30)),
    ("1w ago", date(2026, 11, 13)),
]

INVALID_DAYS = [
    "",
    "2026-02-30",
    "2025-02-29",
    "2026-13-01",
    "20261301",
    "2026-11-20 07:00",
    "2026-11-20T07:00",
    "18:00",
    "now",
    "-3h",
    "3h ago",  # a moment: a whole day would count more than asked
    "90 min ago",
    "yesterday 18:00",
    "today 07:30",
    "monday 18:00",
    "last sunday 9am",
    "next monday",
    "junk",
    "2026",
    "2026-11",
    "11/20/2026",
    "-99999999999999w",
]


@pytest.mark.parametrize(("text", "day"), VALID_DAYS)
def test_parse_day_reads(text: str, day: date) -> None:
    assert parse_day(text, BERLIN, TODAY) == day


@pytest.mark.parametrize("text", INVALID_DAYS)
def test_parse_day_refuses_naming_the_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_day(text, BERLIN, TODAY)
    assert f"'{text}'" in str(caught.value) if text else "no date" in str(caught.value)


def test_a_moment_where_a_day_is_asked_says_so() -> None:
    with pytest.raises(UsageError) as caught:
        parse_day("3h ago", BERLIN, TODAY)
    assert str(caught.value).startswith("'3h ago' is a moment; this option takes a whole day — use")


# Hypothesis: what isoformat writes, parse_when reads back as the same instant.

_moments = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2100, 12, 31),
    timezones=st.sampled_from(ZONES),
).map(lambda moment: moment.replace(microsecond=0))


@given(_moments, st.sampled_from(ZONES))
def test_isoformat_round_trip(moment: datetime, tz: ZoneInfo) -> None:
    parsed = parse_when(isoformat(moment), tz, NOW)
    assert instant(parsed) == instant(moment)
    assert parsed.utcoffset() == moment.utcoffset()


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.sampled_from(ZONES),
)
@example(datetime(2038, 11, 7, 1, 0, fold=1), ZoneInfo("America/New_York"))  # found by Hypothesis
def test_local_wall_time_round_trip(naive: datetime, tz: ZoneInfo) -> None:
    # fold=0: the first occurrence (Hypothesis may draw fold=1, which the typed text cannot say).
    aware = naive.replace(tzinfo=tz, fold=0)
    assume(aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive)  # not in a gap
    parsed = parse_when(naive.isoformat(sep=" "), tz, NOW)
    assert instant(parsed) == instant(aware)  # the first occurrence of a repeated time
    assert parsed.replace(tzinfo=None) == naive


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_parse_day_round_trip(day: date) -> None:
    assert parse_day(day.isoformat(), BERLIN, TODAY) == day
    assert parse_day(day.strftime("%Y%m%d").zfill(8), BERLIN, TODAY) == day


@given(st.text(max_size=40), st.sampled_from(ZONES))
def test_parse_when_raises_only_usage_errors(text: str, tz: tzinfo) -> None:
    try:
        parsed = parse_when(text, tz, NOW)
    except UsageError:
        return
    assert parsed.utcoffset() is not None


_DATE_LIKE = st.text(alphabet="0123456789-:/. TZtodayesrnwhmp+", max_size=25)


@given(_DATE_LIKE, st.sampled_from(ZONES))
def test_date_like_text_raises_only_usage_errors(text: str, tz: tzinfo) -> None:
    try:
        parsed = parse_when(text, tz, NOW)
    except UsageError:
        pass
    else:
        assert parsed.utcoffset() is not None
    with contextlib.suppress(UsageError):
        parse_day(text, tz, TODAY)


def test_fixed_offset_results_are_plain_timezones() -> None:
    parsed = parse_when("2026-11-20T07:00:00+01:00", BERLIN, NOW)
    assert parsed.tzinfo == timezone(timedelta(hours=1))
    assert parse_when("2026-11-20T06:00:00Z", BERLIN, NOW).tzinfo is UTC


def test_everyday_forms_do_not_import_dateutil() -> None:
    # dateutil.parser costs ~60 ms to import; the forms people type every day must not need it,
    # nor the free-form grammar that uses it.
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from fittrack.core.dates import parse_day, parse_when\n"
        "from fittrack.core.zones import resolve_timezone\n"
        "tz = resolve_timezone('Europe/Berlin')\n"
        "now = datetime(2026, 11, 20, 12, tzinfo=UTC)\n"
        "for text in ['now', 'today 07:30', '-3h', '18:00', '20261120', '2026-11-20 07:00',\n"
        "             '2026-11-20T07:00:00+01:00', '2026-11-20T06:00:00Z']:\n"
        "    parse_when(text, tz, now)\n"
        "parse_day('-7d', tz, now.date())\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.startswith('dateutil') or m == 'fittrack.core.written_dates'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((2026, 2, 30), "February 2026 has 28 days"),
        ((2028, 2, 30), "February 2028 has 29 days"),
        ((2026, 13, 1), "there is no month 13"),
        ((2026, 11, 0), "days of the month start at 01"),
        ((0, 1, 1), "invalid date 'x' — use YYYY-MM-DD"),
    ],
)
def test_checked_date_names_what_is_impossible(fields: tuple[int, int, int], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        checked_date(*fields, "x")


def test_checked_date_returns_a_possible_date() -> None:
    assert checked_date(2028, 2, 29, "2028-02-29") == date(2028, 2, 29)


def test_quote() -> None:
    assert quote("2026-11-20") == "'2026-11-20'"
    assert quote("a\tb") == "'a\\tb'"
