"""The schema: the one definition of fittrack's tables, as SQLModel classes.

The CLI's fast paths speak SQL to ``sqlite3`` directly (see ``storage.activities``) so that an
everyday command does not pay ~350 ms to import SQLModel; the Alembic migrations create exactly
these tables, and ``tests/storage/test_schema.py`` holds the three together on a freshly migrated
database.

Conventions, shared by client and server:

- ids are UUID strings in their canonical 36-character form, made by whoever creates the row, so
  a row keeps its identity across devices and a git-style prefix of the printed id finds it;
- times are aware datetimes stored in UTC (``timestamptz`` on PostgreSQL; on SQLite the text
  ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, which sorts in time order); an activity also keeps the UTC
  offset its person was in, so it can be shown at the local time it happened;
- every synced row has ``created_at``, ``updated_at`` and a ``deleted_at`` tombstone: deleting only
  sets ``deleted_at``, so a deletion can travel to other devices.
- quantities are SI: metres, seconds, kcal, kg;
- an activity or a goal is known by (``id``, ``owner``): on the server two accounts may hold the
  same UUID (an activity exported from one and imported into the other); on a person's own
  database ``owner`` is the empty string (``NO_OWNER``), so ``ON CONFLICT (id, owner)`` finds a
  row by its id there.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, LargeBinary, String, text
from sqlmodel import Field, SQLModel

from fittrack.storage.rows import NO_OWNER

_CHANGED_ONLY: dict[str, Any] = {
    "sqlite_where": text("change_seq IS NULL"),
    "postgresql_where": text("change_seq IS NULL"),
}
"""A partial index of the rows changed on this device and not yet pushed (see storage.sync)."""

_PERIOD_TOTALS = ("deleted_at", "distance_m", "duration_s", "calories_kcal", "workload")
"""What a period's totals read of each activity (storage.aggregates, summary, load): carried by
the three start-time indexes (one owner's on the server), so that a range of starts is summed
from the index alone."""


def _owner_key() -> Any:
    """The ``owner`` column of a table keyed by (id, owner)."""
    return Field(
        default=NO_OWNER,
        primary_key=True,
        max_length=36,
        sa_column_kwargs={"server_default": text(f"{NO_OWNER!r}")},
    )


class SyncedRow(SQLModel):
    """Columns every synced row carries."""

    id: str = Field(primary_key=True, max_length=36)
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    owner: str | None = Field(default=None, max_length=36)
    """The server's user the row belongs to; NULL on a person's own database."""
    change_seq: int | None = Field(default=None, sa_type=BigInteger)
    """On the server, the owner's change counter when the row was last written (the sync cursor)."""


class ActivityBase(SQLModel):
    """What a person says about one workout."""

    type: str = Field(max_length=32)
    start_at: datetime
    end_at: datetime
    utc_offset_min: int = 0
    duration_s: float
    distance_m: float | None = None
    calories_kcal: float = 0.0
    calories_estimated: bool = True
    workload: float = 0.0
    note: str = ""
    source: str = Field(default="manual", max_length=16)
    calories_method: str | None = Field(default=None, max_length=16)
    """given, met, met_corrected or heart_rate; NULL (rows before 0009) reads as given when
    ``calories_estimated`` is false, else met."""


class Activity(ActivityBase, SyncedRow, table=True):
    """One workout (the seed calls it a Workout)."""

    __tablename__ = "activity"
    owner: str = _owner_key()
    __table_args__ = (
        Index("ix_activity_start_at", "start_at", "type", *_PERIOD_TOTALS),
        Index("ix_activity_updated_at", "updated_at"),
        Index("ix_activity_type_start_at", "type", "start_at", *_PERIOD_TOTALS),
        Index("ix_activity_owner_start_at", "owner", "start_at", "type", *_PERIOD_TOTALS),
        Index("ix_activity_owner_change_seq", "owner", "change_seq"),
        Index("ix_activity_changed", "id", **_CHANGED_ONLY),
    )


class ActivityTrack(SQLModel, table=True):
    """The samples a device recorded during one activity (``storage.trackcodec``'s bytes).

    Kept beside the activity, not in it, so that a log of a million activities without tracks
    neither grows nor reads slower, and the everyday queries never carry the blobs. Known by
    the activity's own key (activity id, owner): its primary key is also the index a join from
    ``activity`` looks tracks up by. No foreign key: SQLite enforces none unless every
    connection asks, and the activity's tombstone, not a cascade, ends a track's life.
    ``elevation_gain_m`` and ``best_efforts`` (JSON) are figures derived when the track is saved,
    so ``summary`` over a million activities need not decode a single track.
    """

    __tablename__ = "activity_track"
    __table_args__ = (Index("ix_activity_track_owner_change_seq", "owner", "change_seq"),)

    activity_id: str = Field(primary_key=True, max_length=36)
    owner: str = _owner_key()
    samples: int
    data: bytes = Field(sa_type=LargeBinary)
    elevation_gain_m: float | None = None
    best_efforts: str | None = None
    created_at: datetime
    updated_at: datetime
    change_seq: int | None = Field(default=None, sa_type=BigInteger)
    """On the server, the owner's change counter when the track was last written (sync)."""
    figures: str | None = None
    """JSON of what ``show`` prints of the track (``storage.tracks.show_figures``)."""


class CustomActivityType(SyncedRow, table=True):
    """An activity type a person added; the built-in ones live in ``core.activity_types``."""

    __tablename__ = "activity_type"

    slug: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    met: float
    aliases: str = ""  # comma-separated, lowercase
    tracks_distance: bool = True
    max_speed_mps: float | None = None
    """The fastest plausible average speed; faster entries are refused unless forced (NULL: any)."""
    figure: str | None = Field(default=None, max_length=8)
    """How its speed is shown: pace, speed, pace100 or pace500 (see core.activity_types)."""


class Profile(SyncedRow, table=True):
    """The person: one row. Display units and week start only change how things are shown."""

    __tablename__ = "profile"
    __table_args__ = (Index("ix_profile_owner", "owner"),)

    weight_kg: float | None = None
    timezone: str | None = Field(default=None, max_length=64)  # None: the system's zone
    units: str = Field(default="metric", max_length=8)
    week_start: str = Field(default="monday", max_length=8)
    birth_date: date | None = None
    sex: str | None = Field(default=None, max_length=8)
    height_cm: float | None = None
    resting_hr: int | None = None
    max_hr: int | None = None


class GoalBase(SQLModel):
    """A target per day, week, month or year."""

    name: str = ""
    period: str = Field(max_length=8)
    metric: str = Field(max_length=16)
    target: float
    activity_type: str | None = Field(default=None, max_length=32)
    start_date: date
    end_date: date | None = None
    paused: bool = False
    pauses: str = "[]"
    """JSON list of [first paused day, last paused day or null while paused]."""


class Goal(GoalBase, SyncedRow, table=True):
    """A goal (the table only; the goals commands build on it)."""

    __tablename__ = "goal"
    owner: str = _owner_key()
    __table_args__ = (
        Index("ix_goal_owner_change_seq", "owner", "change_seq"),
        Index("ix_goal_changed", "id", **_CHANGED_ONLY),
    )


class User(SQLModel, table=True):
    """A person with an account on the server. ``change_seq`` counts their writes: every write
    takes the next value (and with it a lock on this row, so one user's writes are serialized and
    their cursors are handed out in commit order)."""

    __tablename__ = "app_user"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(max_length=254, unique=True)
    change_seq: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime


class ApiToken(SQLModel, table=True):
    """A bearer token, kept only as the SHA-256 of its text: a copied database opens no door."""

    __tablename__ = "api_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(
        sa_column=Column(String(36), ForeignKey("app_user.id"), nullable=False, index=True)
    )
    created_at: datetime
    prefix: str | None = Field(default=None, max_length=16)
    """The token's first characters, to recognise it in a list (NULL for tokens before 0006)."""
    last_used_at: datetime | None = None


class UndoStep(SQLModel, table=True):
    """One change made on this device, with the rows as they were before it (``fittrack undo``).

    ``changes`` is a JSON list of ``{"table", "id", "before"}``; ``before`` is the whole row as it
    was (column name to value), or null when the change created the row. Never synced.
    """

    __tablename__ = "undo_step"

    seq: int | None = Field(default=None, primary_key=True)
    made_at: datetime
    summary: str
    changes: str


class SyncState(SQLModel, table=True):
    """The sync client's bookkeeping (``cursor``, ``account``, ``last_sync``), one value a key."""

    __tablename__ = "sync_state"

    key: str = Field(primary_key=True, max_length=32)
    value: str


def render_columns() -> str:
    """The text of ``storage/columns.py``: each table's column names, in the tables' order.

    The everyday commands name columns through that module, which imports nothing, instead of
    importing SQLModel (~350 ms) to ask these classes. ``python -m fittrack.storage.schema``
    writes it; ``tests/storage/test_schema.py`` fails when it no longer matches the tables.
    """
    lines = [
        '"""Column names of each table, generated from ``storage.schema`` (do not edit by hand).',
        "",
        "Regenerate with ``python -m fittrack.storage.schema`` after changing a table;",
        "``tests/storage/test_schema.py`` fails while this file and the tables differ.",
        '"""',
        "",
    ]
    for name, table in sorted(SQLModel.metadata.tables.items()):
        lines.append(f"{name.upper()} = (")
        lines += [f'    "{column.name}",' for column in table.columns]
        lines += [")", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name("columns.py")
    target.write_text(render_columns())
    print(f"wrote {target}")
