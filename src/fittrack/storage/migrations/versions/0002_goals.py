"""Goals: a target per day, week, month or year.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goal",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("activity_type", sa.String(32), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
    )
    set_user_version(2)


def downgrade() -> None:
    op.drop_table("goal")
    set_user_version(1)
