"""Calories (gross, 1 kcal/kg/h) and workload (MET-minutes)."""

import math

import pytest

from fittrack.core.activity_types import BUILTIN_TYPES, KMH_PER_MPH, met_for
from fittrack.core.calories import (
    DEFAULT_WEIGHT_KG,
    Energy,
    energy_for,
    estimate_calories,
    workload,
)
from fittrack.errors import UsageError

TYPES = {t.slug: t for t in BUILTIN_TYPES}

# The worked test vectors in MET.md that use a 2024 value:
# (case, slug, speed in mph or None, kg, duration_s, MET, exact kcal, kcal rounded half up to 0.1)
VECTORS = [
    ("run 6-6.3 mph 30 min", "run", 6.1, 70, 1800, 9.3, 325.5, 325.5),
    ("bike 12-13.9 mph 1 h", "ride", 13.0, 80, 3600, 8.0, 640.0, 640.0),
    ("Hatha yoga 1 h", "yoga", None, 60, 3600, 2.3, 138.0, 138.0),
    ("weights 8-15 reps 45 min", "strength", None, 90, 2700, 3.5, 236.25, 236.3),
    ("brisk walk 3.5 mph 45 min", "walk", 3.5, 70, 2700, 4.8, 252.0, 252.0),
    ("elliptical 45 min", "elliptical", None, 70, 2700, 5.0, 262.5, 262.5),
]


def distance_m(speed_mph: float | None, duration_s: float) -> float | None:
    return None if speed_mph is None else speed_mph * KMH_PER_MPH / 3.6 * duration_s


@pytest.mark.parametrize(
    ("slug", "speed_mph", "kg", "duration_s", "met", "exact", "rounded"),
    [v[1:] for v in VECTORS],
    ids=[v[0] for v in VECTORS],
)
def test_vectors(
    slug: str,
    speed_mph: float | None,
    kg: float,
    duration_s: float,
    met: float,
    exact: float,
    rounded: float,
) -> None:
    found = met_for(TYPES[slug], distance_m(speed_mph, duration_s), duration_s)
    assert found == met
    assert found * kg * duration_s / 3600 == pytest.approx(exact)
    assert estimate_calories(found, kg, duration_s) == rounded
    energy = energy_for(TYPES[slug], distance_m(speed_mph, duration_s), duration_s, kg, None)
    assert energy == Energy(
        met=met,
        calories_kcal=rounded,
        calories_estimated=True,
        workload=round(met * duration_s / 60, 1),
        weight_assumed=False,
    )


def test_gross_one_kcal_per_kg_hour_not_acsm_nor_net() -> None:
    # MET.md pitfalls 1 and 2: 70 kg, MET 9.8, 30 min: 343.0, not 360.15 (ACSM) nor 308.0 (net).
    assert estimate_calories(9.8, 70, 1800) == 343.0


@pytest.mark.parametrize(
    ("met", "kg", "duration_s", "kcal"),
    [
        (3.5, 90, 2700, 236.3),  # 236.25: half up
        (1.0, 60, 9, 0.2),  # 0.15
        (1.0, 60, 3, 0.1),  # 0.05
        (1.0, 60, 2, 0.0),  # 0.0333…
        (7.0, 70, 0, 0.0),
        (12.5, 72.3, 5025, 1261.5),  # 1261.4765…
    ],
)
def test_estimate_rounds_half_up_to_a_tenth(
    met: float, kg: float, duration_s: float, kcal: float
) -> None:
    assert estimate_calories(met, kg, duration_s) == kcal


@pytest.mark.parametrize(("kg", "duration_s"), [(0, 60), (-70, 60), (math.nan, 60), (70, -1)])
def test_estimate_rejects_bad_input(kg: float, duration_s: float) -> None:
    with pytest.raises(UsageError, match="is not valid"):
        estimate_calories(5.0, kg, duration_s)


@pytest.mark.parametrize(
    ("met", "duration_s", "minutes"),
    [(9.3, 1800, 279.0), (5.0, 2700, 225.0), (2.3, 61, 2.3), (3.5, 33, 1.9), (8.0, 0, 0.0)],
)
def test_workload_is_met_minutes(met: float, duration_s: float, minutes: float) -> None:
    assert workload(met, duration_s) == minutes


def test_workload_rejects_negative_duration() -> None:
    with pytest.raises(UsageError):
        workload(5.0, -60)


def test_default_weight() -> None:
    assert DEFAULT_WEIGHT_KG == 70.0


def test_no_weight_uses_70_kg_and_says_so() -> None:
    energy = energy_for(TYPES["elliptical"], None, 2700, None, None)
    assert energy == Energy(5.0, 262.5, True, 225.0, True)


def test_given_calories_win() -> None:
    energy = energy_for(TYPES["elliptical"], None, 2700, None, 506)
    assert energy == Energy(5.0, 506.0, False, 225.0, False)


def test_given_zero_calories_win() -> None:
    assert energy_for(TYPES["run"], 5000, 1500, 70, 0).calories_kcal == 0.0


@pytest.mark.parametrize("duration_s", [None, 0])
def test_no_duration_is_zero(duration_s: float | None) -> None:
    energy = energy_for(TYPES["run"], 5000, duration_s, None, None)
    assert energy == Energy(8.0, 0.0, True, 0.0, False)


def test_no_duration_with_given_calories() -> None:
    assert energy_for(TYPES["run"], None, None, 70, 300) == Energy(8.0, 300.0, False, 0.0, False)


def test_speed_picks_the_met() -> None:
    energy = energy_for(TYPES["run"], 5000, 27 * 60 + 30, 70, None)  # 10.9 km/h: 6.7-7 mph band
    assert energy.met == 10.5
    assert energy.calories_kcal == round(10.5 * 70 * 1650 / 3600, 1)


@pytest.mark.parametrize("kcal", [-1.0, math.nan, math.inf])
def test_bad_given_calories(kcal: float) -> None:
    with pytest.raises(UsageError, match=r"calories .* is not valid"):
        energy_for(TYPES["run"], None, 1800, 70, kcal)
