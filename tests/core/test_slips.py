"""Reading slips: decimal commas, speeds with a unit, which text gave each positional quantity,
implausible speeds and the reading that was probably meant, and which activity ended when logged."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fittrack.core.activity import (
    ActivityRecord,
    check_plausible,
    check_span_not_future,
    ended_when_logged,
    energy_changed,
)
from fittrack.core.activity_types import resolve_type
from fittrack.core.quantities import (
    parse_calories,
    parse_distance,
    parse_duration,
    parse_speed,
    parse_weight,
    read_positional,
)
from fittrack.errors import UsageError

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_distance, "1,5km", "'1,5km' has a decimal comma — did you mean 1.5km?"),
        (parse_distance, "12,25 mi", "did you mean 12.25mi?"),
        (parse_distance, "0,8k", "did you mean 0.8k?"),
        (parse_distance, "1,50km", "did you mean 1.50km?"),
        (parse_duration, "1,5h", "did you mean 1.5h?"),
        (parse_duration, "2,5 min", "did you mean 2.5min?"),
        (parse_weight, "72,5kg", "did you mean 72.5kg?"),
        (parse_calories, "450,5kcal", "did you mean 450.5kcal?"),
        (parse_speed, "2,5kmh", "did you mean 2.5kmh?"),
    ],
)
def test_a_decimal_comma_is_named(parse, text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (parse_distance, "1,500m", 1500.0),  # a thousands separator stays one
        (parse_distance, "1,500 km", 1_500_000.0),
        (parse_calories, "1,200 kcal", 1200.0),
    ],
)
def test_a_thousands_separator_still_reads(parse, text: str, value: float) -> None:
    assert parse(text) == value


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_distance, "1,5h"),  # a duration's unit: not a distance with a decimal comma
        (parse_duration, "1,5km"),
    ],
)
def test_a_decimal_comma_with_another_kinds_unit_is_just_unreadable(parse, text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert "decimal comma" not in str(caught.value)
    assert "can't read" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "kmh"),
    [
        ("30kmh", 30.0),
        ("30 km/h", 30.0),
        ("30kph", 30.0),
        ("12.5KMH", 12.5),
        ("20mph", 20 * 1.609344),
        ("20 mi/h", 20 * 1.609344),
        ("1000kmh", 1000.0),
    ],
)
def test_parse_speed(text: str, kmh: float) -> None:
    assert parse_speed(text) * 3.6 == pytest.approx(kmh)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no speed given"),
        ("30", "'30' has no unit — say 30kmh or 30mph"),
        ("30 knots", "unknown unit 'knots'"),
        ("fast", "can't read 'fast' as a speed"),
        ("0kmh", "speed must be positive"),
        ("-5mph", "speed must be positive"),
        ("1001kmh", "over 1000 km/h"),
    ],
)
def test_parse_speed_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_speed(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("tokens", "distance_text", "duration_text"),
    [
        (["12k", "1:05"], "12k", "1:05"),
        (["1h", "30m", "12k"], "12k", "1h 30m"),
        (["1500", "m", "30:00"], "1500 m", "30:00"),
        (["45m"], None, "45m"),
        (["800m"], "800m", None),
    ],
)
def test_read_positional_keeps_the_text_of_each(
    tokens: list[str], distance_text: str | None, duration_text: str | None
) -> None:
    found = read_positional(tokens, tracks_distance=True)
    assert (found.distance_text, found.duration_text) == (distance_text, duration_text)


@pytest.mark.parametrize(
    ("kind", "distance", "duration", "meant"),
    [
        ("run", "12k", "1:05", "did you mean 1:05:00 (1 h 5 min)?"),
        ("run", "8k", "0:45", "did you mean 0:45:00 (45 min)?"),
        ("run", "10k", "1:00", "did you mean 1:00:00 (1 h)?"),
        ("run", "10k", "45s", "did you mean 45min?"),
        ("ride", "90k", "3m", "did you mean 3h?"),
        ("ride", "90k", "3min", "did you mean 3h?"),
        ("swim", "1500k", "30:00", "did you mean 1500m?"),
        ("swim", "5mi", "40:00", "did you mean 5km?"),
        ("swim", "800mi", "20:00", "did you mean 800m?"),
        ("run", "5k", "3:00", "check the distance and the duration"),  # 3 h is too slow to offer
        ("run", None, None, "check the distance and the duration"),  # nothing typed to re-read
    ],
)
def test_check_plausible_offers_the_likely_reading(
    kind: str, distance: str | None, duration: str | None, meant: str
) -> None:
    tokens = [t for t in (distance, duration) if t is not None] or ["12k", "1:05"]
    found = read_positional(tokens, tracks_distance=True)
    with pytest.raises(UsageError) as caught:
        check_plausible(
            resolve_type(kind),
            found.distance_m,
            found.duration_s,
            distance_text=distance,
            duration_text=duration,
        )
    assert meant in str(caught.value)
    assert "--force" in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "metres", "seconds"),
    [
        ("run", 5000.0, 1500.0),
        ("run", 400.0, 40.0),  # 36 km/h: a sprint, just under the limit
        ("ride", 40000.0, 3600.0),
        ("swim", None, 1800.0),
        ("yoga", 5000.0, 60.0),  # no distance that counts, no limit
        ("strength", 10000.0, 10.0),
    ],
)
def test_check_plausible_passes_what_people_do(
    kind: str, metres: float | None, seconds: float
) -> None:
    check_plausible(resolve_type(kind), metres, seconds)


def _record(**changes: object) -> ActivityRecord:
    base = ActivityRecord(
        id="00000000-0000-4000-8000-000000000000",
        type="run",
        start=NOW - timedelta(minutes=25),
        end=NOW,
        duration_s=1500.0,
        distance_m=5000.0,
        calories_kcal=300.0,
        calories_estimated=True,
        workload=250.0,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"end": NOW - timedelta(seconds=0.4)}, True),
        ({"end": NOW - timedelta(seconds=1)}, False),
        ({"end": NOW - timedelta(hours=1)}, False),
        ({"source": "gpx"}, False),
        ({"updated_at": NOW + timedelta(days=1)}, True),  # later edits do not matter
    ],
)
def test_ended_when_logged(changes: dict[str, object], expected: bool) -> None:
    assert ended_when_logged(_record(**changes)) is expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"note": "x"}, False),
        (
            {
                "start": NOW - timedelta(days=1),
                "end": NOW - timedelta(days=1) + timedelta(minutes=25),
            },
            False,
        ),
        ({"type": "walk"}, True),
        ({"distance_m": 5200.0}, True),
        ({"distance_m": None}, True),
        ({"duration_s": 1600.0}, True),
    ],
)
def test_energy_changed(changes: dict[str, object], expected: bool) -> None:
    assert energy_changed(_record(), _record(**changes)) is expected


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        (NOW - timedelta(hours=1), NOW, None),
        (NOW - timedelta(hours=1), NOW + timedelta(seconds=1), "end"),
        (NOW + timedelta(seconds=1), NOW + timedelta(hours=1), "start"),
    ],
)
def test_check_span_not_future(start: datetime, end: datetime, refused: str | None) -> None:
    if refused is None:
        check_span_not_future(start, end, NOW)
        return
    with pytest.raises(UsageError) as caught:
        check_span_not_future(start, end, NOW)
    assert f"that would {refused} in the future" in str(caught.value)
