"""Progress of a goal in one period, the goal's periods, and streaks of successful periods.

Everything here is computed *as of* a moment the caller gives: now, or with ``--date DATE`` the end
of that day in the person's timezone (the local midnight after it), so that a script gets the same
answer whenever it runs. The current value (what the period's activities add up to) is measured
by storage with one SQL aggregate over the period's :func:`~fittrack.core.periods.utc_bounds`;
this module only judges it.

Rules (PRODUCT.md), and the choices made where it is silent:

- ``expected`` = target × the share of the period's real time (hours, from its UTC bounds) that has
  passed at ``as_of``, clamped to 0..1. In a 169-hour week across the end of summer time the end
  of Wednesday is 73/169 of the way, not 3/7.
- ``days_left`` = the period's days not yet over at ``as_of``: a day counts while it lasts and is
  over at the very instant it ends, so as of the end of DATE it is the days after DATE; the whole
  period before it begins, 0 once it has ended.
- ``remaining`` = max(target − current, 0); ``needed_per_day`` = remaining / max(days_left, 1);
  ``percent`` = 100 × current / target.
- ``status``, first that applies: ``new`` when the period has not begun at ``as_of`` (and then
  ``expected`` is 0); ``success`` when current ≥ target (it stays so for the rest of the period,
  paused or not); ``paused`` when the goal was paused on any of the period's days up to ``as_of``;
  ``due`` when the period has ended short; ``new`` when it has begun and nothing counts yet;
  ``on_track`` when current ≥ expected; ``behind`` otherwise.
- Pauses: ``Goal.pauses`` holds (first day, last day or None) intervals; an open one reaches to the
  day of ``as_of``, and days after ``as_of`` are not looked at (as of an earlier ``--date``, a later
  pause has not happened yet). A goal flagged ``paused`` with no open interval is taken as paused
  on the day of ``as_of``.
- A goal that starts mid-period counts that period in full: activities from the period's first
  day count and the target is not prorated (a weekly goal set on Thursday wants the whole week's
  distance, counting Monday's run). Likewise the period containing ``end_date`` is the goal's last
  and counts in full. This keeps one goal's periods the same calendar periods as every other
  goal's and as the weekly summary, and needs no fractional targets.
- Streaks (:func:`streaks`): runs of ``success`` periods, oldest first; ``paused`` periods neither
  break nor extend a run; the last period, while it is still in progress, does not break the
  current run (it is not over) but extends it once it is a success; ``due`` breaks it.
- JSON rounds for people and scripts alike: ``percent`` to 0.1 (and never shows 100.0 for a
  period short of its target), ``current``, ``expected``, ``remaining`` and ``needed_per_day`` to
  0.01 of their SI unit; ``target`` is the goal's own number, unrounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from fittrack.core.goals import Goal
from fittrack.core.periods import Period, period_containing, periods_ending_at, shift, utc_bounds

__all__ = [
    "IN_PROGRESS",
    "STATUSES",
    "PeriodResult",
    "Progress",
    "goal_periods",
    "is_active",
    "progress",
    "streaks",
]

STATUSES = ("new", "on_track", "behind", "success", "due", "paused")
IN_PROGRESS = ("new", "on_track", "behind")
"""Statuses of a period that has not ended (``success`` may or may not have)."""


def _rounded(value: float, places: int = 2) -> float:
    # round() of an integral float keeps it a float; +0.0 turns a rounded -0.0 into 0.0.
    return round(value, places) + 0.0


@dataclass(frozen=True)
class PeriodResult:
    """One period's value and status, as ``fittrack progress`` lists them."""

    period_start: date
    period_end: date
    current: float
    target: float
    status: str

    def to_json(self) -> dict[str, Any]:
        """The PERIOD shape of PRODUCT.md."""
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "current": _rounded(self.current),
            "target": self.target,
            "status": self.status,
        }


@dataclass(frozen=True)
class Progress:
    """A goal in one period as of a moment. Values are SI, unrounded; ``to_json`` rounds."""

    goal: Goal
    period_start: date
    period_end: date
    current: float
    target: float
    percent: float
    expected: float
    remaining: float
    needed_per_day: float
    days_left: int
    status: str

    def to_json(self) -> dict[str, Any]:
        """The PROGRESS shape of PRODUCT.md."""
        percent = _rounded(self.percent, 1)
        if self.current < self.target and percent >= 100:
            percent = 99.9  # 99.96 % is not done yet; 100.0 would say it is
        return {
            "goal": self.goal.to_json(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "current": _rounded(self.current),
            "target": self.target,
            "percent": percent,
            "expected": _rounded(self.expected),
            "remaining": _rounded(self.remaining),
            "needed_per_day": _rounded(self.needed_per_day),
            "days_left": self.days_left,
            "status": self.status,
        }

    def result(self) -> PeriodResult:
        """The period's line in the history (``fittrack progress``)."""
        return PeriodResult(
            self.period_start, self.period_end, self.current, self.target, self.status
        )


def _day_of(moment: datetime, tz: tzinfo) -> date:
    """The last local day that has begun before ``moment``: as of the end of DATE that is DATE,
    not the day after it, which begins at that very instant."""
    return (moment - timedelta(microseconds=1)).astimezone(tz).date()


def _paused_during(goal: Goal, period: Period, as_of_day: date) -> bool:
    intervals = list(goal.pauses)
    if goal.paused and all(last is not None for _, last in intervals):
        intervals.append((as_of_day, None))
    for first, last in intervals:
        end = as_of_day if last is None else min(last, as_of_day)
        if first <= end and first <= period.last and end >= period.first:
            return True
    return False


def progress(goal: Goal, period: Period, current: float, as_of: datetime, tz: tzinfo) -> Progress:
    """``goal`` in ``period`` (one of its periods, in ``tz``) with ``current`` counted toward it,
    as of the aware moment ``as_of``. See the module docstring for the rules."""
    if as_of.utcoffset() is None:
        raise ValueError("as_of must be an aware datetime")
    start, end = utc_bounds(period, tz)
    target = goal.target
    begun, ended = as_of >= start, as_of >= end

    span = (end - start).total_seconds()
    share = min(max((as_of - start).total_seconds() / span, 0.0), 1.0)
    expected = target * share

    if not begun:
        days_left = period.days
    elif ended:
        days_left = 0
    else:
        # The day as_of falls in is not over yet; at a day's last instant the next one has begun.
        days_left = (period.last - as_of.astimezone(tz).date()).days + 1

    remaining = max(target - current, 0.0)
    needed_per_day = remaining / max(days_left, 1)
    percent = 100.0 * current / target if target > 0 else 100.0

    if not begun:
        status = "new"
    elif current >= target:
        status = "success"
    elif _paused_during(goal, period, _day_of(as_of, tz)):
        status = "paused"
    elif ended:
        status = "due"
    elif current == 0:
        status = "new"
    elif current >= expected:
        status = "on_track"
    else:
        status = "behind"

    return Progress(
        goal=goal,
        period_start=period.first,
        period_end=period.last,
        current=current,
        target=target,
        percent=percent,
        expected=expected,
        remaining=remaining,
        needed_per_day=needed_per_day,
        days_left=days_left,
        status=status,
    )


def goal_periods(goal: Goal, as_of_day: date, week_start: str, count: int | None) -> list[Period]:
    """The goal's periods, oldest first: from the one containing ``start_date`` to the one
    containing ``as_of_day``, or that containing ``end_date`` when the goal ended earlier. With
    ``count``, only the last ``count`` of them. Empty when the goal starts after ``as_of_day``.
    """
    if count is not None and count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    last_day = as_of_day if goal.end_date is None else min(as_of_day, goal.end_date)
    if last_day < goal.start_date or count == 0:
        return []
    first = period_containing(goal.start_date, goal.period, week_start)
    if count is not None:
        # Generating only what is asked keeps a years-old daily goal cheap to show.
        recent = periods_ending_at(last_day, goal.period, week_start, count)
        return [p for p in recent if p >= first]
    periods = [first]
    while not periods[-1].contains(last_day):
        periods.append(shift(periods[-1], goal.period, week_start, 1))
    return periods


def streaks(statuses: Sequence[str]) -> tuple[int, int]:
    """(current, longest) run of ``success`` periods in ``statuses``, oldest first.

    ``paused`` periods are skipped; the last period, while in progress (``new``, ``on_track``,
    ``behind``), does not break the current run; anything else that is not ``success`` does.
    """
    current = longest = 0
    final = len(statuses) - 1
    for index, status in enumerate(statuses):
        if status == "success":
            current += 1
            longest = max(longest, current)
        elif status == "paused" or (index == final and status in IN_PROGRESS):
            continue
        else:
            current = 0
    return current, longest


def is_active(goal: Goal, day: date) -> bool:
    """Whether ``goal`` is in force on ``day``: not deleted, started, not ended. A paused goal is
    active (it shows, as paused)."""
    return (
        goal.deleted_at is None
        and goal.start_date <= day
        and (goal.end_date is None or goal.end_date >= day)
    )
