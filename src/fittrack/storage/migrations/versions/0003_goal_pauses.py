"""Goal pauses: when a goal was paused, so paused periods neither break nor extend a streak.

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
    set_user_version(3)


def downgrade() -> None:
    with op.batch_alter_table("goal") as batch:
        batch.drop_column("pauses")
    set_user_version(2)
