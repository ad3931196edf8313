"""The server's users and tokens; an owner and a change cursor on every synced row.

On a person's own database ``owner`` stays NULL (every row is theirs) and ``change_seq`` is free
for the sync client; on the server ``owner`` is the user the row belongs to and ``change_seq`` the
value of that user's change counter (``app_user.change_seq``) when the row was last written, so
``GET /v1/changes?since=N`` is one range scan of the (owner, change_seq) index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SYNCED_TABLES = ("activity", "goal", "profile", "activity_type")


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_token",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    for table in _SYNCED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner", sa.String(36), nullable=True))
            batch.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))
    op.create_index("ix_activity_owner_start_at", "activity", ["owner", "start_at"])
    op.create_index("ix_activity_owner_change_seq", "activity", ["owner", "change_seq"])
    op.create_index("ix_goal_owner_change_seq", "goal", ["owner", "change_seq"])
    op.create_index("ix_profile_owner", "profile", ["owner"])
    set_user_version(4)


def downgrade() -> None:
    op.drop_index("ix_profile_owner", "profile")
    op.drop_index("ix_goal_owner_change_seq", "goal")
    op.drop_index("ix_activity_owner_change_seq", "activity")
    op.drop_index("ix_activity_owner_start_at", "activity")
    for table in _SYNCED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("change_seq")
            batch.drop_column("owner")
    op.drop_index("ix_api_token_user_id", "api_token")
    op.drop_table("api_token")
    op.drop_table("app_user")
    set_user_version(3)
