"""Full written dates, read directly: checked fields, ISO 8601, and the strict free-form grammar.

``parse_when`` reaches these through its own tables (tests/core/test_dates.py); here each reader
is held to what it promises on its own.
"""

from datetime import date, datetime, timedelta, timezone

import pytest

from fittrack.core.written_dates import checked_date, quote, read_free_form, read_iso
from fittrack.errors import UsageError


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


def test_read_iso() -> None:
    assert read_iso("2026-11-20T07:00") == datetime(2026, 11, 20, 7)
    assert read_iso("2026-11-20T24:00") == datetime(2026, 11, 21)  # isoparse's part of ISO
    assert read_iso("2026-11-20T07:00+01:00") == datetime(
        2026, 11, 20, 7, tzinfo=timezone(timedelta(hours=1))
    )
    assert read_iso("2026-11-20 7pm") is None  # left to the free-form reader


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 Nov 2026 07:00", datetime(2026, 11, 20, 7)),
        ("Fri, 20 Nov 2026", datetime(2026, 11, 20)),
        ("2026/11/20 7pm", datetime(2026, 11, 20, 19)),
        ("November 20th 2026 at 6:15 am", datetime(2026, 11, 20, 6, 15)),
    ],
)
def test_read_free_form(text: str, expected: datetime) -> None:
    assert read_free_form(text, text.lower()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("05/06/2026", "can't tell the day from the month"),
        ("Mon, 20 Nov 2026", "2026-11-20 is a Friday"),
        ("20 Nov 07:00", "can't read"),  # no year
        ("20 Nov 2026 07:00 08:00", "can't read"),  # two times
        ("2026 29", "can't read"),
    ],
)
def test_read_free_form_refuses_what_it_would_guess(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        read_free_form(text, text.lower())


def test_quote() -> None:
    assert quote("2026-11-20") == "'2026-11-20'"
    assert quote("a\tb") == "'a\\tb'"
