"""Training load: fitness, fatigue and form from each day's workload (Banister's impulse-response).

Each day's load is the workload of the activities that started that local day (MET-minutes: the
only load every activity has, with or without a heart rate or a power meter). Fitness and fatigue
are exponentially weighted averages of the daily loads, with time constants of 42 and 7 days, as
TrainingPeaks (CTL, ATL) and intervals.icu show them:

    fitness_d = fitness_(d-1) + (load_d − fitness_(d-1)) × (1 − e^(−1/42))
    fatigue_d = fatigue_(d-1) + (load_d − fatigue_(d-1)) × (1 − e^(−1/7))

The factor ``1 − e^(−1/τ)`` is the exact discrete form of Banister's continuous decay, so a single
load decays to 1/e of its effect after exactly τ days (TrainingPeaks' ``1/τ`` is the first-order
approximation; the two differ by 1.2 % per day for τ = 42). A constant daily load L makes both
converge to L.

**Form** is yesterday's fitness minus yesterday's fatigue (TrainingPeaks' TSB): how fresh one is
coming into the day, so today's session does not change today's form. Positive: fresh; negative:
tired.

Both start from 0 on the first day that has a load; days before ``first`` in ``daily`` seed the
series (a year's history makes the first shown day right), days after ``last`` are ignored.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

FITNESS_DAYS = 42
FATIGUE_DAYS = 7


@dataclass(frozen=True)
class LoadDay:
    date: date
    load: float
    fitness: float
    fatigue: float
    form: float

    def to_json(self) -> dict[str, object]:
        """PRODUCT.md's ``load --json`` day, rounded to 0.1."""
        return {
            "date": self.date.isoformat(),
            "load": round(self.load, 1),
            "fitness": round(self.fitness, 1),
            "fatigue": round(self.fatigue, 1),
            "form": round(self.form, 1),
        }


def daily_loads(entries: Iterable[tuple[date, float]]) -> dict[date, float]:
    """Sum (local day, workload) pairs into one load a day."""
    out: dict[date, float] = {}
    for day, load in entries:
        out[day] = out.get(day, 0.0) + load
    return out


def load_series(
    daily: Mapping[date, float],
    first: date,
    last: date,
    *,
    fitness_days: float = FITNESS_DAYS,
    fatigue_days: float = FATIGUE_DAYS,
) -> list[LoadDay]:
    """One ``LoadDay`` for each day from ``first`` to ``last`` inclusive (empty if last < first)."""
    for day, load in daily.items():
        if not (math.isfinite(load) and load >= 0):
            raise ValueError(f"the load of {day} is {load!r}, not 0 or more")
    if last < first:
        return []
    k_fit = 1 - math.exp(-1 / fitness_days)
    k_fat = 1 - math.exp(-1 / fatigue_days)
    earlier = [day for day in daily if day < first]
    day = min(earlier) if earlier else first
    fitness = fatigue = 0.0
    out = []
    while day <= last:
        load = daily.get(day, 0.0)
        form = fitness - fatigue
        fitness += (load - fitness) * k_fit
        fatigue += (load - fatigue) * k_fat
        if day >= first:
            out.append(LoadDay(day, load, fitness, fatigue, form))
        day += timedelta(days=1)
    return out
