"""The start-time indexes carry what a period's totals add up (covering indexes).

A goal's value over a period, ``status``'s week, ``summary`` and ``load`` each sum a few columns
of the activities in a range of start times. With ``(start_at)``, ``(type, start_at)`` and
``(owner, start_at)`` (the server's) alone, every activity in the range costs a look-up in the
table; carrying ``deleted_at``, ``type`` and the summed columns in the index answers the range
from the index alone. The server's index is covering too, or SQLite's planner would take the
(now cheaper) type index for one owner's typed goal and read every owner's rows.

Measured on the benchmark's log of 1,000,000 activities (27 a day): `progress`'s 56 period totals
took 19.5 ms before, 2.9 ms after (as at 1,000 activities); the file grows 17 % (82 bytes an
activity), and this migration takes about 10 s there, 0.1 s at 10,000 (docs/performance.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from alembic import op

from fittrack.storage.migrations.helpers import set_user_version

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TOTALS = ["deleted_at", "distance_m", "duration_s", "calories_kcal", "workload"]


def upgrade() -> None:
    op.drop_index("ix_activity_start_at", "activity")
    op.create_index("ix_activity_start_at", "activity", ["start_at", "type", *_TOTALS])
    op.drop_index("ix_activity_type_start_at", "activity")
    op.create_index("ix_activity_type_start_at", "activity", ["type", "start_at", *_TOTALS])
    op.drop_index("ix_activity_owner_start_at", "activity")
    op.create_index(
        "ix_activity_owner_start_at", "activity", ["owner", "start_at", "type", *_TOTALS]
    )
    set_user_version(11)


def downgrade() -> None:
    op.drop_index("ix_activity_owner_start_at", "activity")
    op.create_index("ix_activity_owner_start_at", "activity", ["owner", "start_at"])
    op.drop_index("ix_activity_type_start_at", "activity")
    op.create_index("ix_activity_type_start_at", "activity", ["type", "start_at"])
    op.drop_index("ix_activity_start_at", "activity")
    op.create_index("ix_activity_start_at", "activity", ["start_at"])
    set_user_version(10)
