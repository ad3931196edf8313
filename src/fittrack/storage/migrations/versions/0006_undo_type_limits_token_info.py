"""Undo steps; a custom type's plausible top speed and how its speed is shown; token details.

- ``undo_step``: each change a person makes on this device (log, edit, delete, goal and profile
  changes) with the rows as they were before it, so ``fittrack undo`` can take it back. Local
  bookkeeping: it is never synced, and the server does not use it.
- ``activity_type.max_speed_mps`` (NULL: no limit) and ``activity_type.figure`` (NULL: pace): a
  custom type's plausible top speed and whether it is shown as pace, speed, per 100 m or per 500 m.
- ``api_token.prefix`` and ``api_token.last_used_at``: what ``fittrack server token list`` shows
  (the token itself is never stored; tokens made before this migration have no prefix).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undo_step",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("changes", sa.String(), nullable=False),
    )
    with op.batch_alter_table("activity_type") as batch:
        batch.add_column(sa.Column("max_speed_mps", sa.Float(), nullable=True))
        batch.add_column(sa.Column("figure", sa.String(8), nullable=True))
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("prefix", sa.String(16), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    set_user_version(6)


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("prefix")
    with op.batch_alter_table("activity_type") as batch:
        batch.drop_column("figure")
        batch.drop_column("max_speed_mps")
    op.drop_table("undo_step")
    set_user_version(5)
