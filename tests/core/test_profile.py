"""The profile's zone: its own when it names one, else the one the caller read from the machine."""

from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from fittrack.core.profile import Profile
from fittrack.errors import UsageError

MACHINE = timezone(timedelta(hours=-3), "machine")


def _machine_zone_not_asked() -> tzinfo:
    raise AssertionError("the machine's zone was read although the profile names one")


def test_a_named_zone_is_the_profiles_own() -> None:
    assert Profile(timezone="Europe/Berlin").tz(_machine_zone_not_asked) == ZoneInfo(
        "Europe/Berlin"
    )
    assert Profile(timezone="europe/berlin").tz(_machine_zone_not_asked) == ZoneInfo(
        "Europe/Berlin"
    )


def test_without_a_zone_the_machines_is_used() -> None:
    assert Profile().tz(lambda: MACHINE) is MACHINE


def test_an_unknown_zone_is_a_usage_error_not_the_machines() -> None:
    with pytest.raises(UsageError, match="unknown timezone 'Mars/Olympus_Mons'"):
        Profile(timezone="Mars/Olympus_Mons").tz(_machine_zone_not_asked)
