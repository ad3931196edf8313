"""Alembic environment: runs the migrations on the connection ``storage.migrate`` hands over.

The SQLModel tables are the schema: ``target_metadata`` is theirs, so ``alembic revision
--autogenerate`` writes a new migration from a change to ``storage/schema.py`` (then reviewed:
each revision also sets ``PRAGMA user_version``), and ``tests/storage/test_schema.py`` compares a
migrated database with the tables on SQLite and PostgreSQL.
"""

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlmodel import SQLModel

import fittrack.storage.schema  # noqa: F401  (defines the tables on SQLModel.metadata)

config = context.config


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things, so later migrations copy-and-move tables.
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
