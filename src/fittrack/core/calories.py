"""Calories and workload from MET values.

The Compendium's own definition is used: 1 MET = 1 kcal per kg of body mass per hour, so

    kcal = MET × body mass (kg) × moving hours

This is gross energy (Compendium METs include the resting cost). ``shared/data/MET.md`` (pitfalls
1-3) lists the alternatives and why they are not used here: the ACSM oxygen form
``MET × 3.5 × kg / 200`` per minute is the same formula times 1.05 (70 kg, MET 9.8, 30 min:
360.15 kcal instead of 343.0), and a net figure ``(MET − 1) × kg × h`` (308.0 kcal) would disagree
with the devices and apps that report gross. Duration is moving time, not elapsed time, or stops
would earn calories.

Values are rounded to 0.1, half up (236.25 → 236.3; Python's ``round`` would give 236.2).

Estimates that know the person (:func:`personal_energy`), each chosen only when the profile
(and the track) carry what it needs, and named in ``calories_method``:

- ``given``: a calorie value from the user or the device file, as always.
- ``heart_rate``: Keytel LR, Goedecke JH, Noakes TD, Hiiloskorpi H, Laukkanen R, van der Merwe L,
  Lambert EV. *Prediction of energy expenditure from heart rate monitoring during submaximal
  exercise.* J Sports Sci. 2005;23(3):289-297, the equation without VO2max::

      men:   kJ/min = −55.0969 + 0.6309 × HR + 0.1988 × kg + 0.2017 × years
      women: kJ/min = −20.4022 + 0.4472 × HR − 0.1263 × kg + 0.0740 × years

  with HR the activity's average heart rate and 4.184 kJ to the kcal, times the moving minutes.
  It was fitted on adults (18-45) exercising at 90 bpm and more; below 90 bpm (or under 18) the
  line extrapolates to nonsense (a 60 kg man of 20 at 60 bpm burns −0.3 kcal a minute), so it
  falls back to METs there.
- ``met_corrected``: the MET as a multiple of this person's own resting metabolic rate rather
  than the standard one. A Compendium MET is a multiple of a standard resting rate, 3.5 ml
  O2/kg/min (1 kcal/kg/h); a person's own is often lower (older, heavier, female) or higher,
  which is why the 2011 and 2024 Adult Compendium (Herrmann et al. 2024, following Kozey et al.
  2010) describe correcting METs by the person's RMR from the Harris-Benedict equation
  (``corrected MET = MET × 3.5 / RMR`` in ml/kg/min, :func:`corrected_met`, kept as the
  activity's intensity for that person). For the calories, the activity costs MET times that
  person's own resting rate::

      kcal = MET × RMR (kcal/day) ÷ 24 × moving hours

  so a person whose RMR per kg is below the standard gets fewer calories than the plain
  estimate, one above it more (the plain estimate is this formula at exactly 1 kcal/kg/h).
  ``HARRIS_BENEDICT`` holds the revised equation (Roza & Shizgal 1984, the default) and the
  original (Harris & Benedict 1919); ``shared/data/MET.md`` names neither. Multiplying the
  corrected MET by the standard 1 kcal/kg/h instead would give a person with a lower resting
  rate *more* calories for the same work, which no measurement supports.
- ``met``: the plain estimate above.

Workload stays MET-minutes of the uncorrected MET, so training load compares across people and
methods.
"""

import math
from dataclasses import dataclass
from datetime import date

from fittrack.core.activity_types import ActivityType, met_for
from fittrack.core.profile import Profile, age_on
from fittrack.errors import UsageError

DEFAULT_WEIGHT_KG = 70.0


def _round1(value: float) -> float:
    return math.floor(value * 10 + 0.5) / 10


def _check_duration(duration_s: float) -> None:
    if not (math.isfinite(duration_s) and duration_s >= 0):
        raise UsageError(f"duration {duration_s:g} s is not valid — give 0 seconds or more")


def estimate_calories(met: float, weight_kg: float, duration_s: float) -> float:
    """Gross kcal: MET × kg × moving hours, rounded to 0.1 (see the module docstring)."""
    if not (math.isfinite(weight_kg) and weight_kg > 0):
        raise UsageError(
            f"body weight {weight_kg:g} kg is not valid — give more than 0 kg, e.g. 70"
        )
    _check_duration(duration_s)
    return _round1(met * weight_kg * duration_s / 3600)


def workload(met: float, duration_s: float) -> float:
    """MET-minutes (MET × moving minutes), rounded to 0.1."""
    _check_duration(duration_s)
    return _round1(met * duration_s / 60)


@dataclass(frozen=True)
class Energy:
    """What one activity cost: the MET used, calories and whether they were estimated, workload.

    ``weight_assumed`` is true when the estimate used ``DEFAULT_WEIGHT_KG`` because no body weight
    was known, so the output can say so.
    """

    met: float
    calories_kcal: float
    calories_estimated: bool
    workload: float
    weight_assumed: bool


def energy_for(
    activity_type: ActivityType,
    distance_m: float | None,
    duration_s: float | None,
    weight_kg: float | None,
    calories_kcal: float | None,
) -> Energy:
    """Energy for one activity; a calorie value from the user or a device wins over the estimate.

    Without a duration there is nothing to estimate from: 0 kcal (estimated) and 0 workload.
    ``weight_assumed`` is set only when the default weight actually went into an estimate.
    """
    met = met_for(activity_type, distance_m, duration_s)
    load = workload(met, duration_s) if duration_s else 0.0
    if calories_kcal is not None:
        if not (math.isfinite(calories_kcal) and calories_kcal >= 0):
            raise UsageError(f"calories {calories_kcal:g} is not valid — give 0 kcal or more")
        return Energy(met, float(calories_kcal), False, load, False)
    if not duration_s:
        return Energy(met, 0.0, True, 0.0, False)
    weight_assumed = weight_kg is None
    weight = DEFAULT_WEIGHT_KG if weight_kg is None else weight_kg
    return Energy(met, estimate_calories(met, weight, duration_s), True, load, weight_assumed)


CALORIES_METHODS = ("given", "met", "met_corrected", "heart_rate")
STANDARD_RMR_ML_KG_MIN = 3.5
KCAL_PER_LITRE_O2 = 5.0
KJ_PER_KCAL = 4.184
KEYTEL_MIN_HR = 90.0
KEYTEL_MIN_AGE = 18

HARRIS_BENEDICT: dict[str, dict[str, tuple[float, float, float, float]]] = {
    # kcal/day = a + b × kg + c × cm − d × years
    "revised": {  # Roza AM, Shizgal HM. Am J Clin Nutr. 1984;40(1):168-182.
        "male": (88.362, 13.397, 4.799, 5.677),
        "female": (447.593, 9.247, 3.098, 4.330),
    },
    "original": {  # Harris JA, Benedict FG. Carnegie Institution of Washington, 1919.
        "male": (66.4730, 13.7516, 5.0033, 6.7550),
        "female": (655.0955, 9.5634, 1.8496, 4.6756),
    },
}

KEYTEL: dict[str, tuple[float, float, float, float]] = {
    # kJ/min = a + b × HR + c × kg + d × years (Keytel et al. 2005, without VO2max)
    "male": (-55.0969, 0.6309, 0.1988, 0.2017),
    "female": (-20.4022, 0.4472, -0.1263, 0.0740),
}


def rmr_kcal_per_day(
    weight_kg: float, height_cm: float, age_years: int, sex: str, equation: str = "revised"
) -> float:
    """Resting metabolic rate by Harris-Benedict (``revised`` or ``original``)."""
    a, b, c, d = HARRIS_BENEDICT[equation][sex]
    return a + b * weight_kg + c * height_cm - d * age_years


def rmr_ml_kg_min(rmr_kcal_day: float, weight_kg: float) -> float:
    """kcal/day as ml O2 per kg per minute, at 5 kcal a litre of oxygen."""
    return rmr_kcal_day / 1440 / KCAL_PER_LITRE_O2 * 1000 / weight_kg


def corrected_met(met: float, rmr_ml: float) -> float:
    """The Compendium's corrected MET: ``MET × 3.5 / RMR`` (ml/kg/min)."""
    return met * STANDARD_RMR_ML_KG_MIN / rmr_ml


def heart_rate_kcal(
    heart_rate_avg: float, weight_kg: float, age_years: int, sex: str, duration_s: float
) -> float | None:
    """Keytel et al. 2005 kcal, rounded to 0.1; None outside the equation's range."""
    if heart_rate_avg < KEYTEL_MIN_HR or age_years < KEYTEL_MIN_AGE:
        return None
    a, b, c, d = KEYTEL[sex]
    kj_per_min = a + b * heart_rate_avg + c * weight_kg + d * age_years
    if kj_per_min <= 0:
        return None
    return _round1(kj_per_min / KJ_PER_KCAL * duration_s / 60)


@dataclass(frozen=True)
class PersonalEnergy:
    """An :class:`Energy` that says which estimate it used (``calories_method``).

    ``met`` and ``workload`` are the Compendium's; ``corrected_met`` is set when the corrected
    MET went into the calories.
    """

    met: float
    calories_kcal: float
    calories_estimated: bool
    calories_method: str
    workload: float
    weight_assumed: bool
    corrected_met: float | None = None


def personal_energy(
    activity_type: ActivityType,
    distance_m: float | None,
    duration_s: float | None,
    profile: Profile,
    calories_kcal: float | None,
    *,
    day: date | None,
    heart_rate_avg: float | None = None,
) -> PersonalEnergy:
    """Energy by the best method the data allows: given, heart rate, corrected METs, METs.

    ``day`` is the activity's local date (for the age; core reads no clock); ``heart_rate_avg``
    the track's average. The order: a given value wins; then heart rate (measured on this person
    during this activity) when the profile has sex, birth date and weight and the average is in
    Keytel's range; then corrected METs when it also has a height; else :func:`energy_for`.
    """
    plain = energy_for(activity_type, distance_m, duration_s, profile.weight_kg, calories_kcal)
    result = PersonalEnergy(
        plain.met,
        plain.calories_kcal,
        plain.calories_estimated,
        "given" if calories_kcal is not None else "met",
        plain.workload,
        plain.weight_assumed,
    )
    weight, sex, born = profile.weight_kg, profile.sex, profile.birth_date
    if calories_kcal is not None or not duration_s or None in (weight, sex, born, day):
        return result
    assert weight is not None and sex is not None and born is not None and day is not None
    age = age_on(born, day)
    if heart_rate_avg is not None and math.isfinite(heart_rate_avg):
        kcal = heart_rate_kcal(heart_rate_avg, weight, age, sex, duration_s)
        if kcal is not None:
            return PersonalEnergy(plain.met, kcal, True, "heart_rate", plain.workload, False, None)
    if profile.height_cm is not None:
        rmr = rmr_ml_kg_min(rmr_kcal_per_day(weight, profile.height_cm, age, sex), weight)
        if rmr > 0:
            met = corrected_met(plain.met, rmr)
            rmr_day = rmr_kcal_per_day(weight, profile.height_cm, age, sex)
            kcal = _round1(plain.met * rmr_day / 24 * duration_s / 3600)
            return PersonalEnergy(
                plain.met, kcal, True, "met_corrected", plain.workload, False, met
            )
    return result
