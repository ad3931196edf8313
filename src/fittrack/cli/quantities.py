"""Reading the quantities ``log`` and ``edit`` take: positional ones and their --flag twins."""

from dataclasses import dataclass
from datetime import datetime

from fittrack.cli.common import Session
from fittrack.core.activity import (
    ActivityRecord,
    check_plausible,
    ended_when_logged,
    resolve_span,
)
from fittrack.core.activity_types import ActivityType
from fittrack.core.dates import parse_when
from fittrack.core.moments import add_seconds, seconds_between
from fittrack.core.quantities import parse_calories, parse_distance, parse_duration, read_positional
from fittrack.errors import UsageError


@dataclass(frozen=True)
class Inputs:
    """What the person typed, parsed; None where they said nothing."""

    start: datetime | None
    end: datetime | None
    duration_s: float | None
    distance_m: float | None
    calories_kcal: float | None
    distance_text: str | None = None
    """The distance as typed (a positional token or --distance), for hints at a slip."""
    duration_text: str | None = None
    """The duration as typed, likewise."""

    def is_empty(self) -> bool:
        """True when nothing at all was given."""
        return all(v is None for v in vars(self).values())


@dataclass(frozen=True)
class Span:
    """A complete time span and the other quantities of a new activity."""

    start: datetime
    end: datetime
    duration_s: float
    distance_m: float | None
    calories_kcal: float | None
    distance_text: str | None = None
    duration_text: str | None = None


def parse_inputs(
    session: Session,
    kind: ActivityType,
    quantities: list[str],
    *,
    start: str | None,
    end: str | None,
    distance: str | None,
    duration: str | None,
    calories: str | None,
) -> Inputs:
    """Parse every quantity; a positional one and its flag may not both be given."""
    for token in quantities:
        if token.startswith("-") and token.lstrip("-")[:1].isalpha():
            raise UsageError(f"no such option: {token} — see --help for the options")
    found = read_positional(quantities, tracks_distance=kind.tracks_distance)
    distance_m, duration_s = found.distance_m, found.duration_s
    distance_text, duration_text = found.distance_text, found.duration_text
    if distance is not None:
        if distance_m is not None:
            raise UsageError("two distances given (a positional one and --distance); keep one")
        distance_m, distance_text = parse_distance(distance), distance
    if duration is not None:
        if duration_s is not None:
            raise UsageError("two durations given (a positional one and --duration); keep one")
        duration_s, duration_text = parse_duration(duration), duration
    return Inputs(
        start=None if start is None else parse_when(start, session.tz, session.now),
        end=None if end is None else parse_when(end, session.tz, session.now),
        duration_s=duration_s,
        distance_m=distance_m,
        calories_kcal=None if calories is None else parse_calories(calories),
        distance_text=distance_text,
        duration_text=duration_text,
    )


def read_quantities(
    session: Session,
    kind: ActivityType,
    quantities: list[str],
    *,
    start: str | None,
    end: str | None,
    distance: str | None,
    duration: str | None,
    calories: str | None,
) -> Span:
    """The quantities of a new activity, its span completed (it ends now unless told otherwise)."""
    given = parse_inputs(
        session,
        kind,
        quantities,
        start=start,
        end=end,
        distance=distance,
        duration=duration,
        calories=calories,
    )
    first, last, moving = resolve_span(given.start, given.end, given.duration_s, session.now)
    return Span(
        first,
        last,
        moving,
        given.distance_m,
        given.calories_kcal,
        given.distance_text,
        given.duration_text,
    )


def edited_span(old: ActivityRecord, given: Inputs) -> tuple[datetime, datetime, float]:
    """The start, end and moving time after an edit that changed some of them.

    A changed start moves the whole activity; a changed end keeps the start. A changed duration
    keeps the start too, except for an activity that ended when it was logged (logged without a
    start, see :func:`~fittrack.core.activity.ended_when_logged`): that one keeps its end and
    moves its start. When the old activity had no pauses (moving time = end − start) it keeps
    having none.
    """
    if given.start is None and given.end is None and given.duration_s is None:
        return old.start, old.end, old.duration_s
    old_span = seconds_between(old.start, old.end)
    no_pauses = abs(old_span - old.duration_s) < 1
    if given.start is not None and given.end is not None:
        moving_given = given.duration_s
        if moving_given is None and not no_pauses:
            moving_given = min(old.duration_s, max(seconds_between(given.start, given.end), 0))
        return resolve_span(given.start, given.end, moving_given, given.start)
    if given.start is not None:
        moving = given.duration_s if given.duration_s is not None else old.duration_s
        length = moving if no_pauses else max(old_span, moving)
        return given.start, add_seconds(given.start, length), moving
    if given.end is not None:
        span = seconds_between(old.start, given.end)
        if given.duration_s is not None:
            moving = given.duration_s
        else:
            moving = span if no_pauses else min(old.duration_s, max(span, 0))
        return resolve_span(old.start, given.end, moving, given.end)
    assert given.duration_s is not None
    moving = given.duration_s
    if not (no_pauses or moving > old_span):
        return old.start, old.end, moving
    if ended_when_logged(old):
        return add_seconds(old.end, -moving), old.end, moving
    return old.start, add_seconds(old.start, moving), moving


def misplaced_type(session: Session, first: str, rest: list[str]) -> UsageError | None:
    """The error for ``log 5k run 25:00``: a quantity where the type belongs; None otherwise."""
    readings = []
    for reader, what in ((parse_distance, "a distance"), (parse_duration, "a duration")):
        try:
            reader(first)
        except UsageError:
            continue
        readings.append(what)
    if not readings:
        return None
    import shlex  # only on this error path

    what = readings[0] if len(readings) == 1 else "a quantity"
    for index, token in enumerate(rest):
        try:
            session.resolve_type(token)
        except UsageError:
            continue
        order = [token, first, *rest[:index], *rest[index + 1 :]]
        return UsageError(
            f"'{first}' is {what}, not an activity type — the type comes first: "
            f"fittrack log {shlex.join(order)}"
        )
    return UsageError(
        f"'{first}' is {what}, not an activity type — the type comes first, e.g. "
        f"fittrack log run {shlex.join([first, *rest])}"
    )


def check_speed(
    session: Session, kind: ActivityType, record: ActivityRecord, given: Inputs | Span
) -> None:
    """Refuse an implausible speed, with a hint drawn from what was typed (``core.activity``)."""
    check_plausible(
        kind,
        record.distance_m,
        record.duration_s,
        distance_text=given.distance_text,
        duration_text=given.duration_text,
        units=session.profile.units,
    )
