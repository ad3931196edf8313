"""Activities as the domain sees them: the record, its JSON shape, and the rules of logging one.

``ActivityRecord`` is what storage returns and what file formats produce; ``plan_activity`` turns
what a person typed (a type, some quantities, maybe a start or an end) into a complete record,
with the calories estimated from the MET tables unless the person gave them.
"""

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from fittrack.core.activity_types import ActivityType, implausible_speed_kmh
from fittrack.core.calories import Energy, energy_for
from fittrack.core.dates import add_seconds, isoformat, seconds_between, stamp
from fittrack.core.quantities import (
    METRES_PER_MILE,
    format_distance,
    format_duration,
    parse_distance,
    parse_duration,
)
from fittrack.errors import UsageError

ACTIVITY_KEYS = (
    "id",
    "type",
    "start",
    "end",
    "duration_s",
    "distance_m",
    "calories_kcal",
    "calories_estimated",
    "workload",
    "note",
    "source",
    "created_at",
    "updated_at",
)
"""The keys of the ACTIVITY JSON shape (PRODUCT.md), in order; also the CSV header."""


@dataclass(frozen=True)
class ActivityRecord:
    """One activity. ``start``/``end`` carry the UTC offset the person was in; stamps are UTC."""

    id: str
    type: str
    start: datetime
    end: datetime
    duration_s: float
    distance_m: float | None
    calories_kcal: float
    calories_estimated: bool
    workload: float
    note: str = ""
    source: str = "manual"
    created_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    updated_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    deleted_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The ACTIVITY shape: snake_case keys, ISO 8601 times with offset, SI numbers."""
        return {
            "id": self.id,
            "type": self.type,
            "start": isoformat(self.start),
            # One stored offset per activity: the end is shown at the start's, as storage keeps it.
            "end": isoformat(self.end.astimezone(timezone(self.start.utcoffset() or timedelta()))),
            "duration_s": self.duration_s,
            "distance_m": self.distance_m,
            "calories_kcal": self.calories_kcal,
            "calories_estimated": self.calories_estimated,
            "workload": self.workload,
            "note": self.note,
            "source": self.source,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
        }


MIN_DURATION_S = 1.0
MIN_DISTANCE_M = 1.0
FUTURE_SLACK_S = 60.0
"""Clocks disagree by a little; a start up to a minute ahead of now is still 'now'."""


def check_quantities(distance_m: float | None, duration_s: float | None) -> None:
    """Refuse amounts too small to be a workout (almost always a typo)."""
    if duration_s is not None and duration_s < MIN_DURATION_S:
        raise UsageError(
            f"a moving time of {duration_s:g} s is too short — give at least a second, like 45s"
        )
    if distance_m is not None and distance_m < MIN_DISTANCE_M:
        raise UsageError(f"a distance of {distance_m:g} m is too short — give at least 1 m")


def check_not_future(start: datetime, now: datetime) -> None:
    """fittrack records what was done: an activity may not start after now."""
    if seconds_between(now, start) > FUTURE_SLACK_S:
        raise UsageError(
            f"that would start in the future ({isoformat(start)}); fittrack logs what you have "
            "done — give a past --start, or none to end it now"
        )


def check_span_not_future(start: datetime, end: datetime, now: datetime) -> None:
    """fittrack records what was done: an activity may neither start nor end after now.

    No slack: ``now`` is read once per command and every relative time (``now``, ``3h ago``) is
    taken from it, so an activity that ends "now" ends exactly at ``now``; there is no second clock
    to disagree with. (The server, which compares with clients' clocks, keeps
    :data:`FUTURE_SLACK_S` in :func:`check_not_future`.)
    """
    late = start if start > now else end
    if late > now:
        which = "start" if late is start else "end"
        shown = late.strftime("%Y-%m-%d %H:%M")
        raise UsageError(
            f"that would {which} in the future ({shown}, it is now {now.strftime('%H:%M')}) — "
            "fittrack logs what you have done: give an earlier --start, or none to end it now"
        )


def ended_when_logged(record: ActivityRecord) -> bool:
    """True for an activity logged without a start, which therefore ended when it was logged.

    Such an activity is recognised by what was stored, since no flag records it: a manual entry
    whose end equals its creation time to the second (``log`` gives both the same moment; a given
    ``--start`` or ``--end`` is typed to the minute at most, and hardly ever lands on that second).
    """
    return record.source == "manual" and abs(seconds_between(record.created_at, record.end)) < 1


def energy_changed(old: ActivityRecord, new: ActivityRecord) -> bool:
    """Whether an edit changed a value the calorie estimate depends on (type, distance, time)."""
    return (old.type, old.distance_m, old.duration_s) != (new.type, new.distance_m, new.duration_s)


_FASTER_THAN = {
    "run": "faster than anyone runs",
    "walk": "faster than anyone walks",
    "nordic-walk": "faster than anyone walks",
    "hike": "faster than anyone hikes",
    "ride": "faster than anyone rides",
    "mountain-bike": "faster than anyone rides a mountain bike",
    "indoor-ride": "faster than anyone rides",
    "swim": "faster than anyone swims",
    "open-water-swim": "faster than anyone swims",
    "row": "faster than anyone rows",
}
_CLOCK_MM_SS = r"([0-9]+):([0-9]{2})"
_NUMBER_UNIT = r"([0-9.,]+)\s*([a-z]+)"


def _hours_minutes(hours: int, minutes: int) -> str:
    parts = ([f"{hours} h"] if hours else []) + ([f"{minutes} min"] if minutes else [])
    return " ".join(parts) or "0 min"


def _duration_readings(text: str) -> list[tuple[str, float]]:
    """What a duration typed as ``text`` may have meant, most likely first: (as typed, seconds)."""
    normal = " ".join(text.split()).lower()
    clock = re.fullmatch(_CLOCK_MM_SS, normal)
    if clock is not None:  # m:ss meant as h:mm
        hours, minutes = int(clock.group(1)), int(clock.group(2))
        if minutes < 60:
            meant = f"{hours}:{minutes:02d}:00 ({_hours_minutes(hours, minutes)})"
            return [(meant, hours * 3600.0 + minutes * 60.0)]
        return []
    match = re.fullmatch(_NUMBER_UNIT, normal)
    if match is None:
        return []
    number, unit = match.groups()
    bigger = {"s": "min", "sec": "min", "secs": "min", "m": "h", "min": "h", "mins": "h"}
    if unit not in bigger:
        return []
    meant = f"{number}{bigger[unit]}"
    return [(meant, parse_duration(meant))]


def _distance_readings(text: str) -> list[tuple[str, float]]:
    """What a distance typed as ``text`` may have meant, most likely first: (as typed, metres)."""
    match = re.fullmatch(_NUMBER_UNIT, " ".join(text.split()).lower())
    if match is None:
        return []
    number, unit = match.groups()
    if unit in ("k", "km", "kms"):
        others = ["m"]  # 1500k meant 1500m
    elif unit in ("mi", "mile", "miles"):
        others = ["km", "m"]  # miles where kilometres (or metres) were meant
    else:
        return []
    return [(f"{number}{other}", parse_distance(f"{number}{other}")) for other in others]


def check_plausible(
    activity_type: ActivityType,
    distance_m: float | None,
    duration_s: float | None,
    *,
    distance_text: str | None = None,
    duration_text: str | None = None,
    units: str = "metric",
) -> None:
    """Refuse an average speed beyond what anyone does in ``activity_type`` (a notation slip).

    ``distance_text``/``duration_text`` are what the person typed, when they typed it: a reading of
    one of them that gives a plausible speed (``1:05`` as ``1:05:00``, ``1500k`` as ``1500m``) is
    offered as the likely meaning. The caller skips this check for ``--force``.
    """
    speed_kmh = implausible_speed_kmh(activity_type, distance_m, duration_s)
    if speed_kmh is None:
        return
    assert distance_m is not None and duration_s is not None
    limit = activity_type.max_speed_mps
    assert limit is not None
    candidates: list[tuple[str, float, float]] = []
    if duration_text is not None:
        candidates += [(m, distance_m, s) for m, s in _duration_readings(duration_text)]
    if distance_text is not None:
        candidates += [(m, d, duration_s) for m, d in _distance_readings(distance_text)]
    # A reading counts when it lands in the type's range: under the maximum, and not so slow
    # (a tenth of it) that it trades one slip for another (`10k 20:00` as twenty hours).
    meant = next((m for m, d, s in candidates if limit / 10 <= d / s <= limit), None)
    per_unit, unit = (METRES_PER_MILE / 1000, "mph") if units == "imperial" else (1.0, "km/h")
    shown_limit = f"{limit * 3.6 / per_unit:.0f} {unit}"
    shown_speed = f"{speed_kmh / per_unit:.0f} {unit}"
    if shown_speed == shown_limit:  # 80.5 km/h against 80: show the difference
        shown_speed = f"{speed_kmh / per_unit:.1f} {unit}"
    faster = _FASTER_THAN.get(activity_type.slug) if activity_type.builtin else None
    if faster is None:
        faster = f"over the {shown_limit} plausible for {activity_type.slug}"
    what = f"{format_distance(distance_m, units)} in {format_duration(duration_s)}"
    if meant is not None:
        raise UsageError(
            f"{what} is {shown_speed}, {faster} — did you mean {meant}? Add --force if it is right."
        )
    raise UsageError(
        f"{what} is {shown_speed}, {faster} — check the distance and the duration, "
        "or add --force if it is right."
    )


def resolve_span(
    start: datetime | None,
    end: datetime | None,
    duration_s: float | None,
    now: datetime,
) -> tuple[datetime, datetime, float]:
    """Start, end and moving time from whichever of them the person gave.

    With neither start nor end the activity ends now. The moving time may be shorter than
    end − start (pauses) but never longer.
    """
    if start is not None and end is not None:
        span = seconds_between(start, end)
        if span <= 0:
            raise UsageError(
                f"the end ({isoformat(end)}) is not after the start ({isoformat(start)}); "
                "give an --end later than --start"
            )
        if duration_s is None:
            return start, end, span
        if duration_s > span + 0.5:
            raise UsageError(
                f"a moving time of {format_duration(duration_s)} does not fit between the start "
                f"and the end ({format_duration(span)}); give a shorter duration or a later --end"
            )
        return start, end, duration_s
    if duration_s is None:
        raise UsageError(
            "how long was it? give a duration (27:30, 45min, 1h30m) or both --start and --end"
        )
    if start is not None:
        return start, add_seconds(start, duration_s), duration_s
    if end is None:
        end = now
    return add_seconds(end, -duration_s), end, duration_s


def plan_activity(
    activity_type: ActivityType,
    *,
    start: datetime,
    end: datetime,
    duration_s: float,
    distance_m: float | None,
    calories_kcal: float | None,
    weight_kg: float | None,
    note: str = "",
    source: str = "manual",
    now: datetime,
    activity_id: str | None = None,
) -> tuple[ActivityRecord, Energy]:
    """A new activity with its energy: calories from the MET tables unless given."""
    check_quantities(distance_m, duration_s)
    check_span_not_future(start, end, now)
    energy = energy_for(activity_type, distance_m, duration_s, weight_kg, calories_kcal)
    record = ActivityRecord(
        id=activity_id or str(uuid.uuid4()),
        type=activity_type.slug,
        start=start,
        end=end,
        duration_s=duration_s,
        distance_m=distance_m,
        calories_kcal=energy.calories_kcal,
        calories_estimated=energy.calories_estimated,
        workload=energy.workload,
        note=note,
        source=source,
        created_at=now,
        updated_at=now,
    )
    return record, energy


def with_energy(
    record: ActivityRecord,
    activity_type: ActivityType,
    *,
    weight_kg: float | None,
    calories_kcal: float | None,
) -> tuple[ActivityRecord, Energy]:
    """The record with calories and workload worked out again after an edit.

    A calorie value the person gave earlier (not estimated) is kept unless a new one is given.
    """
    if calories_kcal is None and not record.calories_estimated:
        calories_kcal = record.calories_kcal
    energy = energy_for(
        activity_type, record.distance_m, record.duration_s, weight_kg, calories_kcal
    )
    updated = replace(
        record,
        calories_kcal=energy.calories_kcal,
        calories_estimated=energy.calories_estimated,
        workload=energy.workload,
    )
    return updated, energy
