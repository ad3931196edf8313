"""One mapper per record: a stored row, read by column name, to its domain value, and back.

Every reader of a row goes through here: the CLI's queries (``sqlite3.Row``), the sync client,
the server (SQLAlchemy rows' ``._mapping``, or any mapping of column name to value) and the
exports. A row is a ``Mapping[str, Any]``; stored times arrive as SQLite's UTC text or as the
datetimes PostgreSQL's driver returns, and both read the same.

Writing goes the other way: ``*_to_row`` gives the column values of a record, with times in the
form a backend stores (``to_db_time``, SQLite's text, by default; the server passes its own).
The column names come from ``storage.columns``, generated from the SQLModel tables.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import ActivityType
from fittrack.core.goals import Goal
from fittrack.core.profile import Profile
from fittrack.storage import columns

Row = Mapping[str, Any]
"""A stored row: column name to value (``sqlite3.Row``, a SQLAlchemy row's ``_mapping``, a dict)."""

TimeWriter = Callable[[datetime], Any]
"""How a backend stores an aware datetime (SQLite: :func:`to_db_time`)."""

NO_OWNER = ""
"""The ``owner`` of an activity or a goal on a person's own database: part of their key (id,
owner), so not NULL as the other tables' owner is (``storage.schema``)."""
KEYED_BY_OWNER = ("activity", "goal")
"""The tables whose rows are known by (id, owner): ``ON CONFLICT (id, owner)`` finds their rows."""

BOOKKEEPING = ("owner", "change_seq")
"""Columns of synced tables that are not part of the record: whose row it is, its change number."""


def _record_fields(table_columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in table_columns if name not in BOOKKEEPING)


ACTIVITY_FIELDS = _record_fields(columns.ACTIVITY)
"""The ``activity`` columns an ``ActivityRecord`` is made of."""
GOAL_FIELDS = _record_fields(columns.GOAL)
"""The ``goal`` columns a ``Goal`` is made of."""
PROFILE_FIELDS = ("weight_kg", "timezone", "units", "week_start")
"""The ``profile`` columns a ``Profile`` holds that sync and the server carry (the rest is the
row's bookkeeping, and ``BODY_FIELDS``)."""
BODY_FIELDS = ("birth_date", "sex", "height_cm", "resting_hr", "max_hr")
"""The optional ``profile`` columns about the person's body (migration 0009), for corrected METs
and heart-rate figures: read when a row has them, written by ``profile_body_to_row``."""
TYPE_FIELDS = ("slug", "name", "met", "aliases", "tracks_distance", "max_speed_mps", "figure")
"""The ``activity_type`` columns an ``ActivityType`` of one's own holds."""


def select_list(fields: tuple[str, ...], alias: str = "") -> str:
    """``id, type, …`` for a SELECT (each prefixed with ``alias.`` when given)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in fields)


def named_values(fields: tuple[str, ...]) -> str:
    """``:id, :type, …``: the placeholders of an INSERT taking a ``*_to_row`` dict."""
    return ", ".join(":" + name for name in fields)


def to_db_time(moment: datetime) -> str:
    """An aware datetime as the UTC text SQLModel's DateTime stores in SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def from_db_time(text: str) -> datetime:
    """Stored naive-UTC text back to an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def read_time(value: Any) -> datetime:
    """A stored moment as an aware UTC datetime: SQLite's text, or a driver's datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return from_db_time(str(value))


def _read_time_or_none(value: Any) -> datetime | None:
    return None if value is None else read_time(value)


def read_day(value: Any) -> date:
    """A stored calendar day: SQLite's ``YYYY-MM-DD`` text, or a driver's date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


def activity_from_row(row: Row) -> ActivityRecord:
    """An ``activity`` row (at least ``ACTIVITY_FIELDS``) as a record, shown at its own offset."""
    offset = timezone(timedelta(minutes=int(row["utc_offset_min"])))
    distance = row["distance_m"]
    return ActivityRecord(
        id=str(row["id"]),
        type=str(row["type"]),
        start=read_time(row["start_at"]).astimezone(offset),
        end=read_time(row["end_at"]).astimezone(offset),
        duration_s=float(row["duration_s"]),
        distance_m=None if distance is None else float(distance),
        calories_kcal=float(row["calories_kcal"]),
        calories_estimated=bool(row["calories_estimated"]),
        workload=float(row["workload"]),
        note=str(row["note"]),
        source=str(row["source"]),
        created_at=read_time(row["created_at"]),
        updated_at=read_time(row["updated_at"]),
        deleted_at=_read_time_or_none(row["deleted_at"]),
        calories_method=row["calories_method"],
    )


def activity_to_row(record: ActivityRecord, time: TimeWriter = to_db_time) -> dict[str, Any]:
    """The ``ACTIVITY_FIELDS`` values of a record (times through ``time``)."""
    return {
        "id": record.id,
        "created_at": time(record.created_at),
        "updated_at": time(record.updated_at),
        "deleted_at": None if record.deleted_at is None else time(record.deleted_at),
        "type": record.type,
        "start_at": time(record.start),
        "end_at": time(record.end),
        "utc_offset_min": _offset_minutes(record.start),
        "duration_s": record.duration_s,
        "distance_m": record.distance_m,
        "calories_kcal": record.calories_kcal,
        "calories_estimated": record.calories_estimated,
        "workload": record.workload,
        "note": record.note,
        "source": record.source,
        "calories_method": record.calories_method,
    }


def read_pauses(text: str) -> tuple[tuple[date, date | None], ...]:
    """The stored JSON list of ``[first paused day, last paused day or null]``."""
    return tuple(
        (date.fromisoformat(first), None if last is None else date.fromisoformat(last))
        for first, last in json.loads(text)
    )


def write_pauses(pauses: tuple[tuple[date, date | None], ...]) -> str:
    """Pauses as the stored JSON list."""
    return json.dumps([[a.isoformat(), None if b is None else b.isoformat()] for a, b in pauses])


def goal_from_row(row: Row) -> Goal:
    """A ``goal`` row (at least ``GOAL_FIELDS``) as a Goal."""
    end_date = row["end_date"]
    kind = row["activity_type"]
    return Goal(
        id=str(row["id"]),
        name=str(row["name"]),
        period=str(row["period"]),
        metric=str(row["metric"]),
        target=float(row["target"]),
        activity_type=None if kind is None else str(kind),
        start_date=read_day(row["start_date"]),
        end_date=None if end_date is None else read_day(end_date),
        paused=bool(row["paused"]),
        pauses=read_pauses(str(row["pauses"])),
        created_at=read_time(row["created_at"]),
        updated_at=read_time(row["updated_at"]),
        deleted_at=_read_time_or_none(row["deleted_at"]),
    )


def _iso_day(day: date) -> Any:
    return day.isoformat()


def goal_to_row(
    goal: Goal, time: TimeWriter = to_db_time, day: Callable[[date], Any] = _iso_day
) -> dict[str, Any]:
    """The ``GOAL_FIELDS`` values of a goal (times through ``time``, days through ``day``)."""
    return {
        "id": goal.id,
        "created_at": time(goal.created_at),
        "updated_at": time(goal.updated_at),
        "deleted_at": None if goal.deleted_at is None else time(goal.deleted_at),
        "name": goal.name,
        "period": goal.period,
        "metric": goal.metric,
        "target": goal.target,
        "activity_type": goal.activity_type,
        "start_date": day(goal.start_date),
        "end_date": None if goal.end_date is None else day(goal.end_date),
        "paused": goal.paused,
        "pauses": write_pauses(goal.pauses),
    }


def profile_from_row(row: Row) -> Profile:
    """A ``profile`` row (at least ``PROFILE_FIELDS``) as a Profile."""
    weight = row["weight_kg"]
    profile = Profile(
        weight_kg=None if weight is None else float(weight),
        timezone=row["timezone"],
        units=str(row["units"]),
        week_start=str(row["week_start"]),
    )
    # keys(): a sqlite3.Row has no "in" over its names (it iterates its values).
    if "birth_date" not in row.keys():  # noqa: SIM118  (a row of PROFILE_FIELDS only)
        return profile
    born, height = row["birth_date"], row["height_cm"]
    resting, top = row["resting_hr"], row["max_hr"]
    return replace(
        profile,
        birth_date=None if born is None else read_day(born),
        sex=row["sex"],
        height_cm=None if height is None else float(height),
        resting_hr=None if resting is None else int(resting),
        max_hr=None if top is None else int(top),
    )


def profile_to_row(profile: Profile) -> dict[str, Any]:
    """The ``PROFILE_FIELDS`` values of a profile."""
    return {
        "weight_kg": profile.weight_kg,
        "timezone": profile.timezone,
        "units": profile.units,
        "week_start": profile.week_start,
    }


def profile_body_to_row(profile: Profile, day: Callable[[date], Any] = _iso_day) -> dict[str, Any]:
    """The ``BODY_FIELDS`` values of a profile (days through ``day``)."""
    return {
        "birth_date": None if profile.birth_date is None else day(profile.birth_date),
        "sex": profile.sex,
        "height_cm": profile.height_cm,
        "resting_hr": profile.resting_hr,
        "max_hr": profile.max_hr,
    }


def type_from_row(row: Row) -> ActivityType:
    """An ``activity_type`` row (at least ``TYPE_FIELDS``) as a custom ActivityType."""
    return ActivityType(
        slug=str(row["slug"]),
        name=str(row["name"]),
        met=float(row["met"]),
        aliases=tuple(a for a in str(row["aliases"]).split(",") if a),
        tracks_distance=bool(row["tracks_distance"]),
        builtin=False,
        compendium="",
        figure=row["figure"] or "pace",
        max_speed_mps=row["max_speed_mps"],
    )


def type_to_row(kind: ActivityType) -> dict[str, Any]:
    """The ``TYPE_FIELDS`` values of a custom type (aliases comma-separated, lowercase)."""
    return {
        "slug": kind.slug,
        "name": kind.name,
        "met": kind.met,
        "aliases": ",".join(kind.aliases),
        "tracks_distance": kind.tracks_distance,
        "max_speed_mps": kind.max_speed_mps,
        "figure": kind.figure,
    }
