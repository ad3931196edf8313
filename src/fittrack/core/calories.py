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
"""

import math
from dataclasses import dataclass

from fittrack.core.activity_types import ActivityType, met_for
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
