"""Pace, speed and distances in each sport's own terms (``format_figure``,
``format_sport_distance``), and every built-in type's figure."""

import pytest

from fittrack.core.activity_types import BUILTIN_TYPES, FIGURES
from fittrack.core.display import format_figure, format_speed, format_sport_distance


@pytest.mark.parametrize(
    ("figure", "seconds", "metres", "units", "text"),
    [
        ("pace", 1650.0, 5000.0, "metric", "5:30 /km"),
        ("pace", 3000.0, 10000.0, "imperial", "8:03 /mi"),
        ("pace", 10800.0, 12000.0, "metric", "15:00 /km"),
        ("speed", 5400.0, 42000.0, "metric", "28.0 km/h"),
        ("speed", 5400.0, 42000.0, "imperial", "17.4 mph"),
        ("speed", 3600.0, 100000.0, "metric", "100.0 km/h"),
        ("pace100", 1800.0, 1500.0, "metric", "2:00 /100m"),
        ("pace100", 1800.0, 1500.0, "imperial", "1:50 /100yd"),
        ("pace100", 95.0, 100.0, "metric", "1:35 /100m"),
        ("pace500", 1260.0, 5000.0, "metric", "2:06 /500m"),
        ("pace500", 1260.0, 5000.0, "imperial", "2:06 /500m"),  # ergs show /500m everywhere
        ("pace", 1650.0, 0.0, "metric", "--:-- /km"),
        ("speed", 0.0, 5000.0, "imperial", "-- mph"),
        ("pace100", 600.0, 0.0, "imperial", "--:-- /100yd"),
        ("pace500", 600.0, float("nan"), "metric", "--:-- /500m"),
    ],
)
def test_format_figure(figure: str, seconds: float, metres: float, units: str, text: str) -> None:
    assert format_figure(figure, seconds, metres, units) == text


@pytest.mark.parametrize(
    ("figure", "units"), [("lap", "metric"), ("pace", "nautical"), ("speed", "")]
)
def test_format_figure_refuses_what_it_does_not_know(figure: str, units: str) -> None:
    with pytest.raises(ValueError):
        format_figure(figure, 60.0, 100.0, units)


def test_format_speed_is_the_speed_figure() -> None:
    assert format_speed(3600.0, 30000.0, "metric") == "30.0 km/h"


@pytest.mark.parametrize(
    ("metres", "units", "figure", "text"),
    [
        (1500.0, "metric", "pace100", "1500 m"),
        (3800.0, "metric", "pace100", "3800 m"),
        (1500.0, "imperial", "pace100", "1640 yd"),
        (3800.0, "imperial", "pace100", "4156 yd"),
        (50.0, "metric", "pace100", "50 m"),
        (1500.0, "metric", "pace", "1.50 km"),
        (1500.0, "imperial", "pace", "0.93 mi"),
        (42000.0, "metric", "speed", "42.00 km"),
        (5000.0, "imperial", "pace500", "3.11 mi"),
        (800.0, "metric", None, "800 m"),
    ],
)
def test_format_sport_distance(metres: float, units: str, figure: str | None, text: str) -> None:
    assert format_sport_distance(metres, units, figure) == text


@pytest.mark.parametrize(
    ("slug", "figure"),
    [
        ("run", "pace"),
        ("walk", "pace"),
        ("hike", "pace"),
        ("ride", "speed"),
        ("mountain-bike", "speed"),
        ("swim", "pace100"),
        ("row", "pace500"),
    ],
)
def test_each_sport_has_its_figure(slug: str, figure: str) -> None:
    assert {t.slug: t.figure for t in BUILTIN_TYPES}[slug] == figure


def test_every_built_in_type_has_a_known_figure() -> None:
    assert all(t.figure in FIGURES for t in BUILTIN_TYPES)
