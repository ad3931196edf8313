"""Timezones by name: what resolves, what is refused, and the suggestions."""

import contextlib
from datetime import timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fittrack.core.zones import resolve_timezone, zone_name, zone_or_none
from fittrack.errors import UsageError


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        (" Europe/Berlin ", "Europe/Berlin"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Australia/Lord_Howe", "Australia/Lord_Howe"),
    ],
)
def test_resolve_timezone(name: str, key: str) -> None:
    assert resolve_timezone(name).key == key


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Europe/Berln", "unknown timezone 'Europe/Berln' — did you mean 'Europe/Berlin'?"),
        ("Berlin", "unknown timezone 'Berlin' — did you mean 'Europe/Berlin'?"),
        ("kolkata", "did you mean 'Asia/Kolkata'?"),
        ("Mars/Olympus_Mons", "unknown timezone 'Mars/Olympus_Mons'"),
        ("xyzzy", "use an IANA name"),
        ("", "no timezone"),
        ("Europe", "unknown timezone 'Europe'"),
        ("../etc/passwd", "unknown timezone '../etc/passwd'"),
        ("/etc/localtime", "unknown timezone '/etc/localtime'"),
    ],
)
def test_resolve_timezone_refuses(name: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_timezone(name)
    assert message in str(caught.value)


def test_zone_or_none_takes_exact_names_only() -> None:
    zone = zone_or_none("Europe/Berlin")
    assert zone is not None
    assert zone.key == "Europe/Berlin"
    for name in ("europe/berlin", "Mars/Olympus_Mons", "Europe", "../etc/passwd", ""):
        assert zone_or_none(name) is None


def test_zone_name() -> None:
    assert zone_name(resolve_timezone("Europe/Berlin")) == "Europe/Berlin"
    assert zone_name(timezone(timedelta(hours=1))) == "UTC+01:00"


@given(st.text(max_size=30))
def test_resolve_timezone_raises_only_usage_errors(name: str) -> None:
    with contextlib.suppress(UsageError):
        resolve_timezone(name)
