"""Goal pauses (paused periods neither break nor extend a streak), and a (type, start) index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("goal") as batch:
        batch.add_column(sa.Column("pauses", sa.String(), nullable=False, server_default="[]"))
    # A goal of one type, or `list --type`, reads only that type's rows, in time order.
    op.create_index("ix_activity_type_start_at", "activity", ["type", "start_at"])
    set_user_version(3)


def downgrade() -> None:
    op.drop_index("ix_activity_type_start_at", "activity")
    with op.batch_alter_table("goal") as batch:
        batch.drop_column("pauses")
    set_user_version(2)
