"""The API's request and response bodies (pydantic), named as the template names them:
``ActivityBase`` (what a person says about a workout), ``ActivityCreate`` (POST),
``ActivityUpdate`` (PUT, the whole record: sync sends its stamps too), ``ActivityPublic`` (what
comes back). Keys and units are those of the CLI's JSON (PRODUCT.md): snake_case, SI numbers, ISO
8601 times with their offset. The seed's ``duration`` (minutes), ``calories`` and ``workload`` are
added to an activity, and ``currentValue`` to a progress.

Every body refuses unknown fields, non-finite numbers and values no workout has (422).
"""

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from fittrack.core.goals import MAX_CALORIES_KCAL as MAX_GOAL_KCAL
from fittrack.core.profile import MAX_HEIGHT_CM, MAX_HR, MIN_HEIGHT_CM, MIN_HR
from fittrack.core.quantities import (
    MAX_CALORIES_KCAL,
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", min_length=1, max_length=32)]
"""An activity type: a built-in slug (``run``) or a person's own (``climbing``)."""


def _storable(text: str) -> str:
    # PostgreSQL's text cannot hold U+0000, and no database (nor UTF-8) a lone UTF-16 surrogate
    # ("\ud800" in JSON): refused here, for every backend, rather than a 500.
    if "\x00" in text:
        raise ValueError("text must not contain the NUL character (U+0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone UTF-16 surrogate)") from None
    return text


Text = Annotated[str, AfterValidator(_storable)]

Note = Annotated[Text, StringConstraints(max_length=MAX_NOTE_CHARS)]
"""Notes are free text, as long as the CLI takes them (``core.quantities``)."""
CaloriesMethod = Literal["given", "met", "met_corrected", "heart_rate"]
"""How an activity's calories were had (``core.calories.CALORIES_METHODS``)."""
Source = Literal["manual", "csv", "json", "gpx", "tcx", "fit", "strava", "garmin", "api"]


def _day_text(value: object) -> object:
    # Only YYYY-MM-DD: pydantic alone reads "1728000" as a Unix time (1970-01-21).
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("a day is written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_day_text), Field(ge=date(1900, 1, 1), le=date(2200, 12, 31))]
"""A calendar day as ``YYYY-MM-DD``."""
Pause = Annotated[list[Day | None], Field(min_length=2, max_length=2)]
"""A paused stretch of a goal: [first paused day, last paused day or null while still paused].
(A list rather than a tuple: OpenAPI tools read a tuple's ``prefixItems`` unevenly.)"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=False)


class ActivityBase(_Strict):
    """What a person says about one workout."""

    type: Slug
    start: AwareDatetime
    end: AwareDatetime
    duration_s: float | None = Field(
        default=None,
        ge=0,
        le=MAX_DURATION_S,
        description="moving time, seconds; without it, end − start (the seed's minimal activity)",
    )
    distance_m: float | None = Field(default=None, ge=0, le=MAX_DISTANCE_M)
    note: Note = ""


class ActivityCreate(ActivityBase):
    """A new activity (POST): the server picks its id; calories are estimated unless given."""

    duration_s: float | None = Field(
        default=None,
        gt=0,
        le=MAX_DURATION_S,
        description="moving time, seconds; default end − start",
    )
    calories_kcal: float | None = Field(default=None, ge=0, le=MAX_CALORIES_KCAL)
    source: Source = "api"


class ActivityUpdate(ActivityBase):
    """An activity stored under the client's UUID (PUT, idempotent).

    A client that keeps its own stamps (``fittrack sync``) sends ``updated_at`` (and
    ``deleted_at`` for a deletion): the newer write wins, and a deletion stays a deletion. Without
    ``updated_at`` the server stamps the write now.
    """

    # What a device stored: an estimate may exceed what a person would type (500 h of walking).
    calories_kcal: float | None = Field(default=None, ge=0, le=MAX_GOAL_KCAL)
    calories_estimated: bool | None = None
    calories_method: CaloriesMethod | None = Field(
        default=None, description="how the calories were had; sent with calories_kcal"
    )
    workload: float | None = Field(default=None, ge=0, le=MAX_DURATION_S / 60 * 25)
    source: Source = "api"
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    deleted_at: AwareDatetime | None = None


class ActivityPublic(BaseModel):
    """An activity as the API shows it: every saved field, plus the seed's names."""

    id: str
    type: str
    start: str
    end: str
    duration_s: float
    distance_m: float | None
    calories_kcal: float
    calories_estimated: bool
    calories_method: CaloriesMethod
    workload: float
    note: str
    source: str
    created_at: str
    updated_at: str
    deleted_at: str | None
    duration: float = Field(description="moving time in minutes (the seed's field)")
    calories: float = Field(description="kcal (the seed's field)")


class ActivityPage(BaseModel):
    """One page of a list, newest first; ``next_cursor`` fetches the next (null: no more)."""

    items: list[ActivityPublic]
    next_cursor: str | None


class GoalBase(_Strict):
    """A target per day, week, month or year (SI: metres, seconds, a count, kcal)."""

    name: Annotated[Text, StringConstraints(max_length=MAX_NAME_CHARS)] = ""
    period: Literal["day", "week", "month", "year"]
    metric: Literal["distance", "duration", "count", "calories", "elevation"]
    target: float = Field(gt=0, le=MAX_DISTANCE_M, description="SI: metres, seconds, a count, kcal")
    activity_type: Slug | None = None
    start_date: Day
    end_date: Day | None = None
    paused: bool = False


class GoalCreate(GoalBase):
    """A new goal (POST): the server picks its id."""


class GoalUpdate(GoalBase):
    """A goal stored under the client's UUID (PUT, idempotent; stamps as for activities)."""

    pauses: list[Pause] = Field(default_factory=list, max_length=10_000)
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    deleted_at: AwareDatetime | None = None


class GoalPublic(BaseModel):
    """A goal as the API shows it."""

    id: str
    name: str
    period: str
    metric: str
    target: float
    activity_type: str | None
    start_date: str
    end_date: str | None
    paused: bool
    pauses: list[list[str | None]]
    created_at: str
    updated_at: str
    deleted_at: str | None


class ProgressPublic(BaseModel):
    """A goal in its current period (PRODUCT.md's PROGRESS), plus the seed's ``currentValue``."""

    goal: GoalPublic
    period_start: str
    period_end: str
    current: float
    currentValue: float
    target: float
    percent: float
    expected: float
    remaining: float
    needed_per_day: float
    days_left: int
    status: Literal["new", "on_track", "behind", "success", "due", "paused"]


class ProfileBody(_Strict):
    """The person's settings the server needs: the zone and week start periods are read in."""

    weight_kg: float | None = Field(default=None, gt=0, le=1000)
    timezone: Annotated[Text, StringConstraints(max_length=64)] | None = None
    units: Literal["metric", "imperial"] = "metric"
    week_start: Literal["monday", "sunday"] = "monday"
    # The body figures, for the calorie estimates (``core.profile``'s ranges). A client that
    # sends none of them (one from before them) leaves the stored ones as they are.
    birth_date: Day | None = None
    sex: Literal["female", "male"] | None = None
    height_cm: float | None = Field(default=None, ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM)
    resting_hr: int | None = Field(default=None, ge=MIN_HR, le=MAX_HR)
    max_hr: int | None = Field(default=None, ge=MIN_HR, le=MAX_HR)
    updated_at: AwareDatetime | None = None


class ProfilePublic(BaseModel):
    """The profile as stored (defaults when never set)."""

    weight_kg: float | None
    timezone: str | None
    units: str
    week_start: str
    birth_date: str | None
    sex: str | None
    height_cm: float | None
    resting_hr: int | None
    max_hr: int | None
    updated_at: str | None


class Changes(BaseModel):
    """What changed after a cursor, oldest change first, deletions included (``deleted_at``).

    Pass ``cursor`` as ``since`` to get what changes next; ``more`` says a page was cut short.
    """

    activities: list[ActivityPublic]
    goals: list[GoalPublic]
    profile: ProfilePublic | None
    cursor: int
    more: bool


BATCH_MAX = 1000
"""The most activities (and, separately, goals) one batch carries."""


class ActivityItem(ActivityUpdate):
    """An activity in a batch: its id travels with it."""

    id: uuid.UUID


class GoalItem(GoalUpdate):
    """A goal in a batch."""

    id: uuid.UUID


class Batch(_Strict):
    """Many writes in one request and one transaction: what ``fittrack sync`` pushes.

    ``since`` is the client's change cursor: a write that wins over a change made after it is
    reported ``replaced``, so the client can list the edit that lost.
    """

    since: int | None = Field(default=None, ge=0, le=2**62)

    activities: list[ActivityItem] = Field(default_factory=list, max_length=BATCH_MAX)
    goals: list[GoalItem] = Field(default_factory=list, max_length=BATCH_MAX)


class ActivityResult(BaseModel):
    """What became of one activity of a batch: ``kept`` means the server kept its own newer or
    deleted row (the write lost; ``stored`` is that row), ``replaced`` that the write won over a
    change the client had not seen."""

    id: str
    result: Literal["created", "updated", "replaced", "unchanged", "kept"]
    stored: ActivityPublic | None = None


class GoalResult(BaseModel):
    """What became of one goal of a batch (as for activities)."""

    id: str
    result: Literal["created", "updated", "replaced", "unchanged", "kept"]
    stored: GoalPublic | None = None


class BatchResult(BaseModel):
    """One result per item, in the order sent; and the user's change cursor before and after
    the batch (a client whose cursor was ``cursor_before`` may move it to ``cursor_after``:
    nothing but this batch was written in between)."""

    activities: list[ActivityResult]
    goals: list[GoalResult]
    cursor_before: int
    cursor_after: int


class Me(BaseModel):
    """Who a token belongs to."""

    id: str
    email: str
