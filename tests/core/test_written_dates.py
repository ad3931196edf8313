"""Dates in other written forms, read directly by the strict free-form grammar.

``parse_when`` reaches it through its own tables (tests/core/test_dates.py); here it is held to
what it promises on its own.
"""

from datetime import datetime

import pytest

from fittrack.core.written_dates import read_free_form
from fittrack.errors import UsageError


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
