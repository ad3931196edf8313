"""``activity_track.figures``: what ``show`` prints of a track, computed when it is saved.

JSON of the figures with splits per kilometre and per mile, and the two sparklines' points
(``storage.tracks.show_figures``), so that ``show`` of an activity with a 10,000-sample track
neither decodes the samples nor derives anything. NULL for tracks saved before: ``show``
computes them then, and ``summary`` fills them with the best efforts.

A nullable column only: an ``ALTER TABLE`` on SQLite, no rows copied.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("activity_track", sa.Column("figures", sa.String(), nullable=True))
    set_user_version(10)


def downgrade() -> None:
    with op.batch_alter_table("activity_track") as batch:
        batch.drop_column("figures")
    set_user_version(9)
