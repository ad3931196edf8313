"""Distances, durations, weights and calories: what is read, what is refused, round trips."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fittrack.core.display import (
    format_distance,
    format_distance_exact,
    format_duration,
    format_pace,
    format_weight,
)
from fittrack.core.quantities import (
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    parse_calories,
    parse_distance,
    parse_duration,
    parse_weight,
    read_positional,
)
from fittrack.errors import UsageError

VALID_DISTANCES = [
    ("5k", 5000.0),
    ("5K", 5000.0),
    ("5km", 5000.0),
    ("5 km", 5000.0),
    ("5KM", 5000.0),
    ("  5km  ", 5000.0),
    ("3.1mi", 4988.9664),
    ("3.1 mi", 4988.9664),
    ("10 miles", 16093.44),
    ("1 mile", 1609.344),
    ("800m", 800.0),
    ("1500 m", 1500.0),
    ("1,500m", 1500.0),
    ("1,500 metres", 1500.0),
    ("12,345,678m", 12_345_678.0),
    ("1650yd", 1508.76),
    ("1650 yards", 1508.76),
    ("100 yds", 91.44),
    ("0.5km", 500.0),
    (".5km", 500.0),
    ("5.km", 5000.0),
    ("21.0975 kilometres", 21097.5),
    ("half", 21097.5),
    ("Half Marathon", 21097.5),
    ("marathon", 42195.0),
    ("100000km", 100_000_000.0),
]

INVALID_DISTANCES = [
    "5",  # no unit: km? mi? m?
    "5.5",
    "1,500",
    "0km",
    "0.0 m",
    "-5km",
    "\N{MINUS SIGN}5km",
    "nan",
    "inf",
    "5q",
    "5ft",
    "km",
    "5 k m",
    "1,50m",  # a comma that does not group thousands
    "1,5km",  # a decimal comma
    "5e3m",
    "0x10km",
    "five km",
    "5min",
    "27:30",
    "100001km",
    "1234567890123m",
]


def classify_positional(
    tokens: list[str], *, tracks_distance: bool
) -> tuple[float | None, float | None]:
    """(metres, seconds) that ``read_positional`` found among ``tokens``."""
    found = read_positional(tokens, tracks_distance=tracks_distance)
    return found.distance_m, found.duration_s


@pytest.mark.parametrize(("text", "metres"), VALID_DISTANCES)
def test_parse_distance_reads(text: str, metres: float) -> None:
    assert parse_distance(text) == metres


@pytest.mark.parametrize("text", INVALID_DISTANCES)
def test_parse_distance_refuses_naming_the_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_distance(text)
    assert f"'{text.strip()}'" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_distance_refuses_nothing(text: str) -> None:
    with pytest.raises(UsageError, match="no distance"):
        parse_distance(text)


def test_bare_number_distance_suggests_units() -> None:
    with pytest.raises(UsageError, match=r"5km, 5mi or 5m"):
        parse_distance("5")


def test_non_positive_distance_says_so() -> None:
    for text in ("0km", "-5km", "nan"):
        with pytest.raises(UsageError, match="distance must be positive"):
            parse_distance(text)


VALID_DURATIONS = [
    ("27:30", 1650.0),
    ("0:45", 45.0),
    ("75:30", 4530.0),  # minutes may run past 59 in m:ss, as race results write them
    ("1:05:00", 3900.0),
    ("10:00:00", 36000.0),
    ("3:59.4", 239.4),
    ("45m", 2700.0),
    ("45min", 2700.0),
    ("45 min", 2700.0),
    ("45 mins", 2700.0),
    ("45 minutes", 2700.0),
    ("45M", 2700.0),
    ("1h30m", 5400.0),
    ("1h 30m", 5400.0),
    ("1 h 30 min", 5400.0),
    ("1h30", 5400.0),
    ("1.5h", 5400.0),
    ("1.5 hours", 5400.0),
    ("2h", 7200.0),
    ("2hrs", 7200.0),
    ("1 hour", 3600.0),
    ("90s", 90.0),
    ("90sec", 90.0),
    ("90 seconds", 90.0),
    ("1h5m30s", 3930.0),
    ("1h 5m 30s", 3930.0),
    ("5m30s", 330.0),
    ("5m30", 330.0),
    ("1h30m15", 5415.0),
    ("0.5s", 0.5),
    ("10000h", 36_000_000.0),
]

INVALID_DURATIONS = [
    "27:75",  # seconds ≥ 60 in clock form
    "27:60",
    "1:75:00",
    "1:05:75",
    "1h75m",
    "5m60s",
    "45",  # no unit: minutes? seconds?
    "1.5",
    "0:00",
    "0s",
    "0h0m",
    "-5min",
    "-27:30",
    "garbage",
    "h",
    "30m1h",  # units out of order
    "1h1h",
    "1s30",
    "5km",
    "27:3",
    "1:2:3",
    "27:30:00:00",
    "1:05:",
    "nan",
    "10001h",
]


@pytest.mark.parametrize(("text", "seconds"), VALID_DURATIONS)
def test_parse_duration_reads(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", INVALID_DURATIONS)
def test_parse_duration_refuses_naming_the_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_duration(text)
    assert f"'{text}'" in str(caught.value)


def test_parse_duration_refuses_nothing() -> None:
    with pytest.raises(UsageError, match="no duration"):
        parse_duration("")


def test_clock_form_says_what_is_wrong() -> None:
    with pytest.raises(UsageError, match="seconds must be under 60"):
        parse_duration("27:75")
    with pytest.raises(UsageError, match="minutes must be under 60"):
        parse_duration("1:75:00")


# (tokens, tracks_distance, distance_m, duration_s)
POSITIONAL = [
    ([], True, None, None),
    (["5k", "27:30"], True, 5000.0, 1650.0),
    (["27:30", "5k"], True, 5000.0, 1650.0),
    (["3.1mi"], True, 4988.9664, None),
    (["1:05:00"], True, None, 3900.0),
    (["1500", "m"], True, 1500.0, None),
    (["1500", "m", "30:00"], True, 1500.0, 1800.0),
    (["5", "km", "45", "min"], True, 5000.0, 2700.0),
    (["45", "m"], True, None, 2700.0),
    # Nm on its own: metres from 200 for a type that tracks distance, minutes otherwise.
    (["800m"], True, 800.0, None),
    (["200m"], True, 200.0, None),
    (["199m"], True, None, 199 * 60.0),
    (["45m"], True, None, 2700.0),
    (["45m"], False, None, 2700.0),
    (["800m"], False, None, 800 * 60.0),
    # Nm beside another quantity takes the other role.
    (["5k", "45m"], True, 5000.0, 2700.0),
    (["45m", "5k"], True, 5000.0, 2700.0),
    (["800m", "20:00"], True, 800.0, 1200.0),
    (["100m", "0:12"], True, 100.0, 12.0),
    (["800m", "1h"], False, 800.0, 3600.0),
    # Two ambiguous ones settle left to right.
    (["800m", "20m"], True, 800.0, 1200.0),
    (["45m", "800m"], True, 800.0, 2700.0),
    # A duration the shell split in two is one duration.
    (["1h", "30m"], True, None, 5400.0),
    (["1h", "30"], True, None, 5400.0),
    (["1", "h", "30", "m"], True, None, 5400.0),
    (["1h", "30m", "15s"], True, None, 5415.0),
    (["5k", "1h", "5m"], True, 5000.0, 3900.0),
    (["1h", "800m"], True, 800.0, 3600.0),
    (["2h", "5", "km"], True, 5000.0, 7200.0),
    (["half", "marathon", "1:45:00"], True, 21097.5, 6300.0),
    (["marathon"], True, 42195.0, None),
    (["5k"], False, 5000.0, None),
]


@pytest.mark.parametrize(("tokens", "tracks", "metres", "seconds"), POSITIONAL)
def test_classify_positional(
    tokens: list[str], tracks: bool, metres: float | None, seconds: float | None
) -> None:
    assert classify_positional(tokens, tracks_distance=tracks) == (metres, seconds)


# (tokens, what the message must contain)
POSITIONAL_REFUSED = [
    (["5q"], "'5q' is neither a distance"),
    (["5k", "5q"], "'5q' is neither a distance"),
    (["5k", "3mi"], "'3mi'"),
    (["27:30", "45min"], "'45min'"),
    (["45min", "30m", "20m"], "two durations"),
    (["5"], "'5' has no unit"),
    (["27:75"], "seconds must be under 60"),
    (["-5km"], "distance must be positive"),
    (["5k", ""], "empty quantity"),
    (["km"], "'km'"),
]


@pytest.mark.parametrize(("tokens", "message"), POSITIONAL_REFUSED)
def test_classify_positional_refuses(tokens: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        classify_positional(tokens, tracks_distance=True)
    assert message in str(caught.value)


VALID_WEIGHTS = [
    ("72kg", 72.0),
    ("72 kg", 72.0),
    ("72.5 KG", 72.5),
    ("72 kilos", 72.0),
    ("160lb", 72.5747792),
    ("160lbs", 72.5747792),
    ("160 pounds", 72.5747792),
    ("11st", 69.85322498),
    ("11 stone", 69.85322498),
    ("11st 4lb", 71.66759446),
    ("11st4", 71.66759446),
    ("20kg", 20.0),
    ("400kg", 400.0),
]

INVALID_WEIGHTS = ["72", "", "72 g", "5kg", "401kg", "-72kg", "0kg", "heavy", "kg", "72kg 3"]


@pytest.mark.parametrize(("text", "kg"), VALID_WEIGHTS)
def test_parse_weight_reads(text: str, kg: float) -> None:
    assert parse_weight(text) == pytest.approx(kg, abs=1e-9)


@pytest.mark.parametrize("text", INVALID_WEIGHTS)
def test_parse_weight_refuses_naming_the_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_weight(text)
    if text:
        assert f"'{text}'" in str(caught.value)


def test_bare_weight_hints_at_units() -> None:
    with pytest.raises(UsageError, match="72kg or 72lb"):
        parse_weight("72")


VALID_CALORIES = [
    ("450", 450.0),
    ("450kcal", 450.0),
    ("450 kcal", 450.0),
    ("450 KCAL", 450.0),
    ("450cal", 450.0),
    ("450 Cal", 450.0),
    ("1,200 kcal", 1200.0),
    ("0", 0.0),
    ("0kcal", 0.0),
    ("99.5", 99.5),
]

INVALID_CALORIES = ["", "-5", "-450kcal", "lots", "450kj", "450 joules", "100001", "nan"]


@pytest.mark.parametrize(("text", "kcal"), VALID_CALORIES)
def test_parse_calories_reads(text: str, kcal: float) -> None:
    assert parse_calories(text) == kcal


@pytest.mark.parametrize("text", INVALID_CALORIES)
def test_parse_calories_refuses_naming_the_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_calories(text)
    if text:
        assert f"'{text}'" in str(caught.value)


@pytest.mark.parametrize(
    ("metres", "units", "shown"),
    [
        (5000, "metric", "5.00 km"),
        (5000, "imperial", "3.11 mi"),
        (800, "metric", "800 m"),
        (999.4, "metric", "999 m"),
        (999.6, "metric", "1.00 km"),
        (42195, "metric", "42.20 km"),
        (1609.344, "imperial", "1.00 mi"),
        (91.44, "imperial", "100 yd"),
    ],
)
def test_format_distance(metres: float, units: str, shown: str) -> None:
    assert format_distance(metres, units) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (1650, "27:30"),
        (3900, "1:05:00"),
        (59.4, "0:59"),
        (59.5, "1:00"),
        (3599.5, "1:00:00"),
        (0, "0:00"),
        (36000, "10:00:00"),
        (360000, "100:00:00"),
    ],
)
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "metres", "units", "shown"),
    [
        (1650, 5000, "metric", "5:30 /km"),
        (1650, 5000, "imperial", "8:51 /mi"),
        (3600, 1000, "metric", "1:00:00 /km"),
        (1650, 0, "metric", "--:-- /km"),
    ],
)
def test_format_pace(seconds: float, metres: float, units: str, shown: str) -> None:
    assert format_pace(seconds, metres, units) == shown


def test_format_weight() -> None:
    assert format_weight(72, "metric") == "72.0 kg"
    assert format_weight(72, "imperial") == "158.7 lb"


def test_formatting_refuses_unknown_units() -> None:
    with pytest.raises(ValueError, match="units"):
        format_distance(5000, "furlongs")


@given(st.integers(min_value=1, max_value=100 * 3600))
def test_duration_round_trip(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.integers(min_value=1, max_value=int(MAX_DISTANCE_M)))
def test_distance_round_trip_integer_metres(metres: int) -> None:
    assert parse_distance(format_distance_exact(metres)) == metres


@given(st.floats(min_value=1e-4, max_value=MAX_DISTANCE_M))
def test_distance_round_trip_any_metres(metres: float) -> None:
    assert parse_distance(format_distance_exact(metres)) == metres


@given(st.text(max_size=40))
def test_parsers_raise_only_usage_errors(text: str) -> None:
    for parse in (parse_distance, parse_duration, parse_weight, parse_calories):
        try:
            value = parse(text)
        except UsageError:
            continue
        assert value == value and 0 <= value <= max(MAX_DISTANCE_M, MAX_DURATION_S)


@pytest.mark.parametrize(
    "text",
    ["0" * 5000 + "5km", "5." + "0" * 5000 + "km", "0" * 5000 + ":30", "1" * 5000 + "h", "9" * 400],
)
def test_huge_numbers_are_refused_or_read(text: str) -> None:
    for parse in (parse_distance, parse_duration, parse_weight, parse_calories):
        with contextlib.suppress(UsageError):
            parse(text)
    assert parse_distance("0" * 5000 + "5km") == 5000.0


_QUANTITY_LIKE = st.text(alphabet="0123456789.,:-hmskmiydt ", max_size=12)


@given(_QUANTITY_LIKE)
def test_quantity_like_text_raises_only_usage_errors(text: str) -> None:
    for parse in (parse_distance, parse_duration, parse_weight, parse_calories):
        with contextlib.suppress(UsageError):
            parse(text)


@given(st.lists(_QUANTITY_LIKE, max_size=4), st.booleans())
def test_classify_positional_raises_only_usage_errors(tokens: list[str], tracks: bool) -> None:
    try:
        metres, seconds = classify_positional(tokens, tracks_distance=tracks)
    except UsageError:
        return
    assert metres is None or metres > 0
    assert seconds is None or seconds > 0


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["27m", "30s"], (None, 1650.0)),
        (["5k", "27m", "30s"], (5000.0, 1650.0)),
        (["27m", "30 sec"], (None, 1650.0)),
    ],
)
def test_minutes_then_seconds_is_one_duration(
    tokens: list[str], expected: tuple[float | None, float | None]
) -> None:
    assert classify_positional(tokens, tracks_distance=True) == expected
