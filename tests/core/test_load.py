"""Fitness, fatigue and form, checked against hand computations of the impulse-response model."""

import math
from datetime import date, timedelta

import pytest

from fittrack.core.load import LoadDay, daily_loads, load_series

D0 = date(2024, 1, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_a_constant_load_converges_to_itself() -> None:
    daily = {day(n): 100.0 for n in range(400)}
    last = load_series(daily, day(399), day(399))[0]
    assert last.fitness == pytest.approx(100.0, rel=1e-3)
    assert last.fatigue == pytest.approx(100.0, rel=1e-9)
    assert last.form == pytest.approx(0.0, abs=0.2)


@pytest.mark.parametrize(("days", "attr"), [(42, "fitness"), (7, "fatigue")])
def test_a_single_impulse_decays_with_its_time_constant(days: int, attr: str) -> None:
    series = load_series({D0: 100.0}, D0, day(days))
    start = getattr(series[0], attr)
    assert start == pytest.approx(100.0 * (1 - math.exp(-1 / days)))
    assert getattr(series[days], attr) == pytest.approx(start / math.e)


def test_first_days_by_hand() -> None:
    kf, ka = 1 - math.exp(-1 / 42), 1 - math.exp(-1 / 7)
    series = load_series({D0: 60.0, day(1): 30.0}, D0, day(2))
    f0, a0 = 60 * kf, 60 * ka
    f1, a1 = f0 + (30 - f0) * kf, a0 + (30 - a0) * ka
    assert series[0] == LoadDay(D0, 60.0, pytest.approx(f0), pytest.approx(a0), 0.0)
    assert series[1] == LoadDay(
        day(1), 30.0, pytest.approx(f1), pytest.approx(a1), pytest.approx(f0 - a0)
    )
    assert series[2].load == 0.0
    assert series[2].form == pytest.approx(f1 - a1)


def test_form_sign_after_a_hard_block_and_a_rest() -> None:
    daily = {day(n): 50.0 for n in range(60)} | {day(n): 200.0 for n in range(60, 67)}
    series = load_series(daily, day(60), day(90))
    assert series[7].form < 0  # the day after a hard week: tired
    assert series[-1].form > 0  # after three weeks of rest: fresh
    assert series[1].form == pytest.approx(series[0].fitness - series[0].fatigue)  # yesterday's


def test_days_before_first_seed_the_series() -> None:
    seeded = load_series({day(-30): 300.0}, D0, D0)[0]
    assert seeded.load == 0.0 and seeded.fitness > 0 and seeded.fatigue > 0
    assert load_series({day(-30): 300.0, day(40): 5.0}, D0, day(1))[-1].date == day(1)


def test_empty_and_reversed_ranges() -> None:
    assert load_series({}, D0, day(2)) == [LoadDay(day(n), 0.0, 0.0, 0.0, 0.0) for n in range(3)]
    assert load_series({D0: 10.0}, day(1), D0) == []


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_impossible_loads_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="load of 2024-01-01"):
        load_series({D0: bad}, D0, D0)


def test_daily_loads_sums_a_day() -> None:
    assert daily_loads([(D0, 10.0), (day(1), 5.0), (D0, 2.5)]) == {D0: 12.5, day(1): 5.0}


def test_json_day() -> None:
    assert load_series({D0: 10.0}, D0, D0)[0].to_json() == {
        "date": "2024-01-01",
        "load": 10.0,
        "fitness": 0.2,
        "fatigue": 1.3,
        "form": 0.0,
    }
