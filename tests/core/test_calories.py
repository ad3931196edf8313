"""Calories (gross, 1 kcal/kg/h) and workload (MET-minutes)."""

import math
from dataclasses import replace
from datetime import date

import pytest

from fittrack.core.activity_types import BUILTIN_TYPES, KMH_PER_MPH, met_for
from fittrack.core.calories import (
    CALORIES_METHODS,
    DEFAULT_WEIGHT_KG,
    Energy,
    corrected_met,
    energy_for,
    estimate_calories,
    heart_rate_kcal,
    personal_energy,
    rmr_kcal_per_day,
    rmr_ml_kg_min,
    workload,
)
from fittrack.core.profile import Profile
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


# --- estimates that know the person --------------------------------------------------------

DAY = date(2024, 6, 1)
MAN = Profile(weight_kg=70.0, sex="male", birth_date=date(1994, 6, 1), height_cm=175.0)  # 30 on DAY


@pytest.mark.parametrize(
    ("equation", "sex", "kg", "cm", "years", "kcal_day"),
    [
        # 88.362 + 13.397·70 + 4.799·175 − 5.677·30
        ("revised", "male", 70, 175, 30, 1695.667),
        # 447.593 + 9.247·60 + 3.098·165 − 4.330·40
        ("revised", "female", 60, 165, 40, 1340.383),
        # 66.4730 + 13.7516·70 + 5.0033·175 − 6.7550·30
        ("original", "male", 70, 175, 30, 1702.0125),
        # 655.0955 + 9.5634·60 + 1.8496·165 − 4.6756·40
        ("original", "female", 60, 165, 40, 1347.0595),
    ],
)
def test_harris_benedict_vectors(
    equation: str, sex: str, kg: float, cm: float, years: int, kcal_day: float
) -> None:
    assert rmr_kcal_per_day(kg, cm, years, sex, equation) == pytest.approx(kcal_day, abs=1e-6)


def test_rmr_in_ml_per_kg_min_and_the_corrected_met() -> None:
    # 1695.667 kcal/day ÷ 1440 ÷ 5 kcal/l × 1000 ÷ 70 kg = 1695.667 / 504
    rmr = rmr_ml_kg_min(1695.667, 70)
    assert rmr == pytest.approx(3.364419, abs=1e-6)
    assert corrected_met(9.3, rmr) == pytest.approx(9.67478, abs=1e-5)
    assert corrected_met(9.3, 3.5) == 9.3  # the standard person is not corrected


@pytest.mark.parametrize(
    ("hr", "kg", "years", "sex", "minutes", "kcal"),
    [
        # (−55.0969 + 0.6309·150 + 0.1988·70 + 0.2017·30) / 4.184 × 30 = 426.66
        (150, 70, 30, "male", 30, 426.7),
        # (−20.4022 + 0.4472·150 − 0.1263·60 + 0.074·30) / 4.184 × 30 = 296.27
        (150, 60, 30, "female", 30, 296.3),
        # (−55.0969 + 0.6309·90 + 0.1988·80 + 0.2017·45) / 4.184 × 60 = 382.38
        (90, 80, 45, "male", 60, 382.4),
        (89.9, 80, 45, "male", 60, None),  # below Keytel's range
        (150, 70, 17, "male", 30, None),  # not an adult
    ],
)
def test_keytel_vectors(
    hr: float, kg: float, years: int, sex: str, minutes: float, kcal: float | None
) -> None:
    assert heart_rate_kcal(hr, kg, years, sex, minutes * 60) == kcal


@pytest.mark.parametrize(
    ("profile", "given", "hr", "day", "method", "kcal"),
    [
        (MAN, 500.0, 150.0, DAY, "given", 500.0),
        (MAN, None, 150.0, DAY, "heart_rate", 426.7),
        # 80 bpm is below Keytel's range: 9.3 MET × 1695.667 kcal/day ÷ 24 × 0.5 h = 328.54
        (MAN, None, 80.0, DAY, "met_corrected", 328.5),
        (MAN, None, None, DAY, "met_corrected", 328.5),
        (replace(MAN, height_cm=None), None, 80.0, DAY, "met", 325.5),
        (replace(MAN, height_cm=None), None, 150.0, DAY, "heart_rate", 426.7),
        (replace(MAN, sex=None), None, 150.0, DAY, "met", 325.5),
        (replace(MAN, birth_date=None), None, 150.0, DAY, "met", 325.5),
        (MAN, None, 150.0, None, "met", 325.5),  # no day, no age
        (replace(MAN, weight_kg=None), None, 150.0, DAY, "met", 9.3 * 70 / 2),
        (replace(MAN, birth_date=date(2010, 1, 1)), None, 150.0, DAY, "met_corrected", None),
    ],
    ids=[
        "given wins",
        "heart rate",
        "low heart rate",
        "no heart rate",
        "no height",
        "heart rate without height",
        "no sex",
        "no birth date",
        "no day",
        "no weight",
        "a child: no Keytel",
    ],
)
def test_personal_energy_picks_a_method(
    profile: Profile,
    given: float | None,
    hr: float | None,
    day: date | None,
    method: str,
    kcal: float | None,
) -> None:
    run = TYPES["run"]
    speed = 6.1 * KMH_PER_MPH / 3.6  # 9.3 MET in the 2024 table
    energy = personal_energy(run, speed * 1800, 1800, profile, given, day=day, heart_rate_avg=hr)
    assert energy.calories_method == method
    assert energy.calories_method in CALORIES_METHODS
    if kcal is not None:
        assert energy.calories_kcal == kcal
    assert energy.met == 9.3
    assert energy.workload == 279.0  # uncorrected MET-minutes whatever the method
    assert energy.calories_estimated is (method != "given")
    assert energy.weight_assumed is (profile.weight_kg is None and given is None)
    assert (energy.corrected_met is not None) is (method == "met_corrected")


def test_a_younger_person_gets_a_higher_rmr_and_more_corrected_calories() -> None:
    run = TYPES["run"]
    old = personal_energy(run, 5000, 1800, MAN, None, day=DAY)
    young = personal_energy(
        run, 5000, 1800, replace(MAN, birth_date=date(2004, 6, 1)), None, day=DAY
    )
    assert young.calories_method == old.calories_method == "met_corrected"
    assert young.calories_kcal > old.calories_kcal
    # The corrected MET (an intensity for that person) goes the other way: a higher RMR makes
    # the same work a smaller multiple of it.
    assert young.corrected_met is not None and old.corrected_met is not None
    assert young.corrected_met < old.corrected_met


def test_personal_energy_without_duration_is_zero() -> None:
    energy = personal_energy(TYPES["run"], None, None, MAN, None, day=DAY, heart_rate_avg=150.0)
    assert (energy.calories_kcal, energy.calories_method, energy.workload) == (0.0, "met", 0.0)


def test_a_resting_rate_below_the_standard_gives_fewer_calories_than_the_plain_estimate() -> None:
    # 60 years, 160 cm, 90 kg, female: revised Harris-Benedict 1530.9 kcal/day, 0.709 kcal/kg/h
    woman = Profile(weight_kg=90.0, sex="female", birth_date=date(1964, 6, 1), height_cm=160.0)
    run = TYPES["run"]
    plain = personal_energy(run, 5000, 1800, replace(woman, height_cm=None), None, day=DAY)
    corrected = personal_energy(run, 5000, 1800, woman, None, day=DAY)
    assert (plain.calories_method, corrected.calories_method) == ("met", "met_corrected")
    rmr_day = 447.593 + 9.247 * 90 + 3.098 * 160 - 4.330 * 60
    assert corrected.calories_kcal == pytest.approx(plain.met * rmr_day / 24 * 0.5, abs=0.05)
    assert corrected.calories_kcal < 0.75 * plain.calories_kcal
