"""The profile's zone: its own when it names one, else the one the caller read from the machine."""

from datetime import date, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from fittrack.core.profile import (
    Profile,
    age_on,
    check_birth_date,
    check_heart_rate,
    check_heart_rates,
    check_height,
    check_sex,
)
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


# --- the body figures for personal calories ----------------------------------------------

TODAY = date(2026, 3, 1)


def test_the_new_fields_default_to_none_and_old_positional_calls_still_work() -> None:
    profile = Profile(72.0, "Europe/Berlin", "metric", "monday")
    assert (profile.birth_date, profile.sex, profile.height_cm) == (None, None, None)
    assert (profile.resting_hr, profile.max_hr) == (None, None)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1990, 5, 1), date(2026, 4, 30), 35),
        (date(1990, 5, 1), date(2026, 5, 1), 36),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
    ],
)
def test_age_on(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("text", "born"),
    [
        ("1990-05-01", date(1990, 5, 1)),
        (" 2021-03-01 ", date(2021, 3, 1)),
        ("1906-03-01", date(1906, 3, 1)),
    ],
)
def test_check_birth_date(text: str, born: date) -> None:
    assert check_birth_date(text, TODAY) == born


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1990-13-01", "is not a date — give YYYY-MM-DD"),
        ("01/05/1990", "is not a date"),
        ("19900501", "is not a date"),
        ("", "is not a date"),
        ("2026-03-02", "is in the future"),
        ("2021-03-02", "gives an age of 4 — give one between 5 and 120"),
        ("1905-03-01", "gives an age of 121"),
    ],
)
def test_check_birth_date_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as error:
        check_birth_date(text, TODAY)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("text", "sex"),
    [("female", "female"), ("F", "female"), (" Male ", "male"), ("m", "male"), ("MALE", "male")],
)
def test_check_sex(text: str, sex: str) -> None:
    assert check_sex(text) == sex


@pytest.mark.parametrize("text", ["", "x", "fem", "woman", "other"])
def test_check_sex_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="use female or male"):
        check_sex(text)


@pytest.mark.parametrize(
    ("text", "cm"),
    [
        ("180cm", 180.0),
        ("180 cm", 180.0),
        ("1.8m", 180.0),
        ("172.5cm", 172.5),
        ("71in", 180.3),
        ('71"', 180.3),
        ("5ft11", 180.3),
        ("5ft 11in", 180.3),
        ("5'11\"", 180.3),
        ("5'11", 180.3),
        ("6ft", 182.9),
        ("50cm", 50.0),
        ("272cm", 272.0),
    ],
)
def test_check_height(text: str, cm: float) -> None:
    assert check_height(text) == cm


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("180", "give it with its unit"),
        ("5ft12", "give it with its unit"),
        ("tall", "give it with its unit"),
        ("-180cm", "give it with its unit"),
        ("", "give it with its unit"),
        ("49cm", "49 cm is impossible — give one between 50 and 272 cm"),
        ("273cm", "273 cm is impossible"),
        ("10ft", "305 cm is impossible"),
    ],
)
def test_check_height_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_height(text)


@pytest.mark.parametrize(
    ("text", "bpm"), [("60", 60), ("60bpm", 60), (" 185 BPM ", 185), ("30", 30), ("250", 250)]
)
def test_check_heart_rate(text: str, bpm: int) -> None:
    assert check_heart_rate(text) == bpm


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("29", "29 bpm is impossible — give one between 30 and 250"),
        ("251", "251 bpm is impossible"),
        ("sixty", "is not a number of beats a minute"),
        ("60.5", "is not a number"),
        ("-60", "is not a number"),
    ],
)
def test_check_heart_rate_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_heart_rate(text, "resting heart rate")


def test_resting_must_be_below_max() -> None:
    check_heart_rates(50, 190)
    check_heart_rates(None, 190)
    check_heart_rates(50, None)
    with pytest.raises(UsageError, match="resting heart rate 190 bpm is not below the maximum 190"):
        check_heart_rates(190, 190)
