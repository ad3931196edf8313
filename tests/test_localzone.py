"""The machine's timezone, from $TZ or the system's files."""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest

from fittrack.localzone import system_timezone, system_timezone_name

KOLKATA = ZoneInfo("Asia/Kolkata")


def test_system_timezone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert system_timezone_name() == "Asia/Kolkata"
    assert system_timezone() == KOLKATA
    monkeypatch.setenv("TZ", ":Europe/Berlin")
    assert system_timezone_name() == "Europe/Berlin"


def test_system_timezone_without_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")  # a POSIX rule, no IANA name
    assert system_timezone_name() is None
    assert isinstance(system_timezone(), tzinfo)


def test_system_timezone_from_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)
    name = system_timezone_name()
    zone = system_timezone()
    if name is not None:
        assert zone == ZoneInfo(name)
    assert datetime(2026, 11, 20, tzinfo=zone).utcoffset() is not None
