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
    set_user_version(5)


def downgrade() -> None:
    op.drop_table("sync_state")
    set_user_version(4)
