"""Alembic environment: runs the migrations on the connection ``storage.migrate`` hands over."""

from alembic import context
from sqlalchemy import Connection, create_engine

config = context.config


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things, so later migrations copy-and-move tables.
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
