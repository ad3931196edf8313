"""Sparklines and Braille routes, drawn exactly from hand-made numbers."""

import pytest

from fittrack.cli.render.drawing import SPARKS, resample, route, sparkline


def _dots(lines: list[str]) -> set[tuple[int, int]]:
    """The (x, y) of every Braille dot drawn, y downwards."""
    bits = {0x01: (0, 0), 0x02: (0, 1), 0x04: (0, 2), 0x40: (0, 3)}
    bits |= {0x08: (1, 0), 0x10: (1, 1), 0x20: (1, 2), 0x80: (1, 3)}
    found = set()
    for row, line in enumerate(lines):
        for column, char in enumerate(line):
            code = ord(char) - 0x2800
            assert 0 <= code <= 0xFF, char
            for bit, (dx, dy) in bits.items():
                if code & bit:
                    found.add((column * 2 + dx, row * 4 + dy))
    return found


@pytest.mark.parametrize(
    ("values", "width", "expected"),
    [
        ([1, 2, 3, 4], 10, [1, 2, 3, 4]),
        ([1, 3, 5, 7], 2, [2.0, 6.0]),
        ([1, None, None, 7], 2, [1.0, 7.0]),
        ([None, None, 5, 7], 2, [None, 6.0]),
        ([1, 2, 3], 0, []),
    ],
)
def test_resample_averages_buckets(values: list, width: int, expected: list) -> None:
    assert resample(values, width) == expected


def test_a_sparkline_rises_with_its_values() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == SPARKS
    assert sparkline([7, 0]) == SPARKS[-1] + SPARKS[0]


def test_a_sparkline_of_equal_values_is_flat_and_gaps_are_blank() -> None:
    assert sparkline([5, 5, 5]) == SPARKS[3] * 3
    assert sparkline([1, None, 2]) == SPARKS[0] + " " + SPARKS[-1]
    assert sparkline([None, float("nan")]) == ""
    assert sparkline([]) == ""


def test_a_sparkline_fits_its_width() -> None:
    assert len(sparkline(list(range(10_000)), width=30)) == 30


def test_a_route_north_is_up_and_its_aspect_is_kept() -> None:
    # Due north along a meridian: one column of dots, the start (south) at the bottom.
    lines = route([0.0, 0.01], [0.0, 0.0], width=10, height=5)
    dots = _dots(lines)
    assert {x for x, _ in dots} == {0}
    assert {y for _, y in dots} == set(range(20))
    # Twice as wide as tall (at the equator): twice as many dots across as down.
    lines = route([0.0, 0.0, 0.01, 0.01, 0.0], [0.0, 0.02, 0.02, 0.0, 0.0], width=40, height=20)
    dots = _dots(lines)
    width = max(x for x, _ in dots) + 1
    height = max(y for _, y in dots) + 1
    assert width == 80 and height == 40
    # A closed rectangle: every corner drawn.
    assert {(0, 0), (79, 0), (0, 39), (79, 39)} <= dots


def test_a_missing_position_breaks_the_line() -> None:
    joined = _dots(route([0.0, 0.0], [0.0, 0.01], width=10, height=2))
    broken = _dots(route([0.0, None, 0.0], [0.0, None, 0.01], width=10, height=2))
    assert len(joined) == 20
    assert broken == {(0, 0), (19, 0)}


@pytest.mark.parametrize(
    ("lat", "lon"),
    [([], []), ([45.0], [7.0]), ([None, 45.0], [None, 7.0]), ([float("nan"), 1.0], [2.0, 3.0])],
)
def test_a_route_of_fewer_than_two_positions_draws_nothing(lat: list, lon: list) -> None:
    assert route(lat, lon) == []


def test_a_route_of_one_place_repeated_is_one_dot() -> None:
    assert _dots(route([45.0, 45.0, 45.0], [7.0, 7.0, 7.0])) == {(0, 0)}


def test_a_new_segment_breaks_the_line() -> None:
    # Two segments of one point each, 0.01° apart: two dots, not a line between them.
    lat, lon = [0.0, 0.0], [0.0, 0.01]
    assert len(_dots(route(lat, lon, width=10, height=2))) == 20
    assert _dots(route(lat, lon, width=10, height=2, breaks={1})) == {(0, 0), (19, 0)}
