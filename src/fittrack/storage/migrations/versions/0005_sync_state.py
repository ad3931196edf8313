"""Sync state: the server's change cursor, the account it belongs to, the last sync.

Kept in the database rather than the config file so that a pulled page and the cursor after it
are saved in one transaction: a sync cut short resumes exactly where it stopped.

Rows a person changes locally carry ``change_seq = NULL`` (the CLI's writes set it so): that is
what the next ``fittrack sync`` pushes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )
    # What to push is a range scan of an index holding only the rows changed here, whatever the
    # size of the log (a plain index on change_seq would hold every row).
    for table in ("activity", "goal"):
        op.create_index(
            f"ix_{table}_changed",
            table,
            ["id"],
            sqlite_where=sa.text("change_seq IS NULL"),
            postgresql_where=sa.text("change_seq IS NULL"),
        )
    set_user_version(5)


def downgrade() -> None:
    op.drop_index("ix_goal_changed", "goal")
    op.drop_index("ix_activity_changed", "activity")
    op.drop_table("sync_state")
    set_user_version(4)
