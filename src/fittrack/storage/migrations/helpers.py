"""Helpers the revision scripts share."""

from alembic import op


def set_user_version(version: int) -> None:
    """Record the schema version where the CLI reads it with one pragma (SQLite only).

    Each revision is numbered (0001, 0002, …) and sets ``PRAGMA user_version`` to its number, so a
    command learns whether a migration is due without importing Alembic.
    """
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
