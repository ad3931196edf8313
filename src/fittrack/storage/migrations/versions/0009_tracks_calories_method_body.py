"""Tracks (issue 15): ``activity_track``; ``activity.calories_method``; the profile's body.

- ``activity_track``: the samples a GPX, TCX or FIT file recorded, one row per activity that has
  them, keyed as the activity is (activity id, owner); ``data`` is ``storage.trackcodec``'s bytes,
  ``elevation_gain_m`` and ``best_efforts`` figures derived when it is saved. A separate table so
  that the activity table, and every everyday query over it, stays as it was.
- ``activity.calories_method`` (NULL for the rows already there: read as ``given`` when
  ``calories_estimated`` is false, else ``met``).
- ``profile.birth_date``, ``sex``, ``height_cm``, ``resting_hr``, ``max_hr``: optional, for METs
  corrected by the resting metabolic rate and for heart-rate figures.

Only nullable columns are added, so on SQLite every ``ADD COLUMN`` is an ``ALTER TABLE`` that
changes the table's definition, not its rows: a million-activity log is not copied, and does not
grow. Written by hand from the tables (as autogenerate would), then reviewed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BODY = (
    ("birth_date", sa.Date()),
    ("sex", sa.String(8)),
    ("height_cm", sa.Float()),
    ("resting_hr", sa.Integer()),
    ("max_hr", sa.Integer()),
)


def upgrade() -> None:
    op.create_table(
        "activity_track",
        sa.Column("activity_id", sa.String(36), nullable=False),
        sa.Column("owner", sa.String(36), server_default=sa.text("''"), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("elevation_gain_m", sa.Float(), nullable=True),
        sa.Column("best_efforts", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("activity_id", "owner"),
    )
    op.create_index("ix_activity_track_owner_change_seq", "activity_track", ["owner", "change_seq"])
    # Plain ADD COLUMN (no batch copy on SQLite): nullable columns cost the rows nothing.
    op.add_column("activity", sa.Column("calories_method", sa.String(16), nullable=True))
    for name, kind in BODY:
        op.add_column("profile", sa.Column(name, kind, nullable=True))
    set_user_version(9)


def downgrade() -> None:
    with op.batch_alter_table("profile") as batch:
        for name, _ in BODY:
            batch.drop_column(name)
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("calories_method")
    op.drop_index("ix_activity_track_owner_change_seq", table_name="activity_track")
    op.drop_table("activity_track")
    set_user_version(8)
