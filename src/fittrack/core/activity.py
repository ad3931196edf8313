"""Activities as the domain sees them: the record, its JSON shape, and the rules of logging one.

``ActivityRecord`` is what storage returns and what file formats produce; ``plan_activity`` turns
what a person typed (a type, some quantities, maybe a start or an end) into a complete record,
with the calories estimated from the MET tables unless the person gave them.
"""

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from fittrack.core.activity_types import ActivityType, implausible_speed_kmh
from fittrack.core.calories import PersonalEnergy, personal_energy
from fittrack.core.display import format_duration
from fittrack.core.moments import add_seconds, isoformat, seconds_between, stamp
from fittrack.core.profile import Profile
from fittrack.core.quantities import MAX_NOTE_CHARS, check_length
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
    "calories_method",
    "workload",
    "note",
    "source",
    "created_at",
    "updated_at",
)
"""The keys of the ACTIVITY JSON shape (PRODUCT.md), in order; also the CSV header (a CSV
written before ``calories_method`` existed still imports: its reader takes that column as
optional)."""


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
    # Required (keyword-only, so they can follow fields with defaults): whoever makes a record
    # says when, since core reads no clock.
    created_at: datetime = field(kw_only=True)
    updated_at: datetime = field(kw_only=True)
    deleted_at: datetime | None = None
    calories_method: str | None = None
    """given, met, met_corrected or heart_rate; None: not recorded (given when
    ``calories_estimated`` is false, else met)."""

    @property
    def method(self) -> str:
        """``calories_method``, with a row from before it was recorded read as it must have
        been made: ``given`` when not estimated, else ``met`` (the only estimate there was)."""
        if self.calories_method is not None:
            return self.calories_method
        return "met" if self.calories_estimated else "given"

    def to_json(self, *, deleted: bool = False, seed: bool = False) -> dict[str, Any]:
        """The ACTIVITY shape: snake_case keys, ISO 8601 times with offset, SI numbers.

        The one builder of an activity's JSON: ``--json``, the JSON export, sync and the API.
        ``deleted`` adds ``deleted_at`` (null for a live activity: sync, the API, a deletion
        shown); ``seed`` adds the seed API's ``duration`` (minutes) and ``calories``.
        """
        shape = {
            "id": self.id,
            "type": self.type,
            "start": isoformat(self.start),
            # One stored offset per activity: the end is shown at the start's, as storage keeps it.
            "end": isoformat(self.end.astimezone(timezone(self.start.utcoffset() or timedelta()))),
            "duration_s": self.duration_s,
            "distance_m": self.distance_m,
            "calories_kcal": self.calories_kcal,
            "calories_estimated": self.calories_estimated,
            "calories_method": self.method,
            "workload": self.workload,
            "note": self.note,
            "source": self.source,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
        }
        if deleted:
            shape["deleted_at"] = None if self.deleted_at is None else stamp(self.deleted_at)
        if seed:
            shape["duration"] = round(self.duration_s / 60, 2)
            shape["calories"] = self.calories_kcal
        return shape


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
    offered as the likely meaning (``core.slips``, loaded only then). The caller skips this check
    for ``--force``.
    """
    speed_kmh = implausible_speed_kmh(activity_type, distance_m, duration_s)
    if speed_kmh is None:
        return
    assert distance_m is not None and duration_s is not None
    from fittrack.core.slips import implausible_error

    raise implausible_error(
        activity_type,
        distance_m,
        duration_s,
        speed_kmh,
        distance_text=distance_text,
        duration_text=duration_text,
        units=units,
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


def _energy(
    activity_type: ActivityType,
    record_like: tuple[float | None, float | None, datetime],
    weight_kg: float | None,
    profile: Profile | None,
    calories_kcal: float | None,
    heart_rate_avg: float | None,
) -> PersonalEnergy:
    """The best estimate the profile allows (``core.calories.personal_energy``); the age is
    taken on the activity's local date (its start, at the offset the person was in)."""
    distance_m, duration_s, start = record_like
    person = profile if profile is not None else Profile(weight_kg=weight_kg)
    return personal_energy(
        activity_type,
        distance_m,
        duration_s,
        person,
        calories_kcal,
        day=start.date(),
        heart_rate_avg=heart_rate_avg,
    )


def plan_activity(
    activity_type: ActivityType,
    *,
    start: datetime,
    end: datetime,
    duration_s: float,
    distance_m: float | None,
    calories_kcal: float | None,
    weight_kg: float | None = None,
    profile: Profile | None = None,
    note: str = "",
    source: str = "manual",
    now: datetime,
    activity_id: str | None = None,
) -> tuple[ActivityRecord, PersonalEnergy]:
    """A new activity with its energy: calories from the MET tables unless given.

    With a ``profile`` (which then supplies the weight too) the estimate is the best its body
    figures allow; with only ``weight_kg`` it is the plain MET estimate. Either way the record
    says which in ``calories_method``.
    """
    check_length(note, "the note", MAX_NOTE_CHARS)
    check_quantities(distance_m, duration_s)
    check_span_not_future(start, end, now)
    energy = _energy(
        activity_type, (distance_m, duration_s, start), weight_kg, profile, calories_kcal, None
    )
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
        calories_method=energy.calories_method,
    )
    return record, energy


def with_energy(
    record: ActivityRecord,
    activity_type: ActivityType,
    *,
    weight_kg: float | None = None,
    profile: Profile | None = None,
    calories_kcal: float | None,
    heart_rate_avg: float | None = None,
) -> tuple[ActivityRecord, PersonalEnergy]:
    """The record with calories and workload worked out again after an edit.

    A calorie value the person gave earlier (not estimated) is kept unless a new one is given.
    ``heart_rate_avg`` is its track's average, when it has one.
    """
    if calories_kcal is None and not record.calories_estimated:
        calories_kcal = record.calories_kcal
    energy = _energy(
        activity_type,
        (record.distance_m, record.duration_s, record.start),
        weight_kg,
        profile,
        calories_kcal,
        heart_rate_avg,
    )
    updated = replace(
        record,
        calories_kcal=energy.calories_kcal,
        calories_estimated=energy.calories_estimated,
        workload=energy.workload,
        calories_method=energy.calories_method,
    )
    return updated, energy
