"""Activities, custom activity types and the profile.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _synced_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "activity",
        *_synced_columns(),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_min", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("calories_kcal", sa.Float(), nullable=False),
        sa.Column("calories_estimated", sa.Boolean(), nullable=False),
        sa.Column("workload", sa.Float(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_index("ix_activity_start_at", "activity", ["start_at"])
    op.create_index("ix_activity_updated_at", "activity", ["updated_at"])
    op.create_table(
        "activity_type",
        *_synced_columns(),
        sa.Column("slug", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("met", sa.Float(), nullable=False),
        sa.Column("aliases", sa.String(), nullable=False),
        sa.Column("tracks_distance", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "profile",
        *_synced_columns(),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("units", sa.String(8), nullable=False),
        sa.Column("week_start", sa.String(8), nullable=False),
    )
    set_user_version(1)


def downgrade() -> None:
    op.drop_table("profile")
    op.drop_table("activity_type")
    op.drop_index("ix_activity_updated_at", "activity")
    op.drop_index("ix_activity_start_at", "activity")
    op.drop_table("activity")
    set_user_version(0)
