"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

import sqlalchemy as sa
from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
    # PRAGMA user_version is the number of the newest revision (see storage.db): bump
    # SCHEMA_VERSION there, and regenerate storage/columns.py (python -m fittrack.storage.schema).
    set_user_version(int(revision))


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
    set_user_version(int(down_revision))
