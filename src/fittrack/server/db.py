"""The server's database: one async SQLAlchemy engine, PostgreSQL (psycopg 3) or SQLite
(aiosqlite, so no blocking ``sqlite3`` call runs on the event loop).

The tables are the CLI's SQLModel tables and migrations (``storage.schema``); the queries are
SQLAlchemy Core expressions on them (``server/data/``), one expression for both dialects.

- Connections are checked before use (``pool_pre_ping``): once a restarted database is back, no
  request fails on a connection the restart broke. A database that does not answer within
  ``database_timeout_s`` is ``Unavailable`` (503 with ``Retry-After``).
- SQLite: every transaction begins ``IMMEDIATE`` (writers queue on the file's lock, with a busy
  timeout, instead of failing when two deferred transactions both try to write), and the file
  and its WAL are readable by their owner only, as ``config.toml`` is.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from fittrack.errors import UsageError

UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    ConnectionError,
    TimeoutError,
)
"""What a database that is down, restarting or out of connections raises: answered 503."""


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (rather than a bad query)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, UNAVAILABLE_ERRORS)


def default_url() -> str:
    """SQLite at ``$FITTRACK_HOME/server.db``."""
    from fittrack.paths import data_dir

    return f"sqlite:///{data_dir() / 'server.db'}"


def dialect_of(url: str) -> str:
    """``postgresql`` or ``sqlite``; anything else is refused with what would work."""
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    raise UsageError(
        "FITTRACK_DATABASE_URL must start with postgresql:// or sqlite:///, "
        f"not {url.split(':')[0]!r}"
    )


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs/path`` or ``sqlite:///rel/path``)."""
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    if not rest or rest == ":memory:":
        raise UsageError("the server's SQLite URL must name a file: sqlite:////path/to/server.db")
    return Path(unquote(rest.split("?", 1)[0]))


def driver_url(url: str, *, asynchronous: bool = True) -> str:
    """The URL with SQLAlchemy's driver: psycopg, or aiosqlite (pysqlite when synchronous)."""
    if dialect_of(url) == "sqlite":
        driver = "sqlite+aiosqlite" if asynchronous else "sqlite"
        return f"{driver}:///{sqlite_path(url)}"
    rest = url.split("://", 1)[1]
    return f"postgresql+psycopg://{rest}"


def create_sqlite_file(path: Path) -> None:
    """The database file, made readable by its owner only before SQLite opens it (SQLite gives
    its WAL and shared-memory files the database file's permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (the CLI's Alembic migrations), once.

    SQLite goes through the CLI's own path (file lock, ``PRAGMA user_version``); PostgreSQL takes
    an advisory lock inside the migration transaction, so workers starting together migrate once.
    """
    from fittrack.storage import db as storage_db

    if dialect_of(url) == "sqlite":
        path = sqlite_path(url)
        create_sqlite_file(path)
        storage_db.connect(path).close()
        return
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    engine = create_engine(driver_url(url))
    config = Config()
    config.set_main_option("script_location", str(Path(storage_db.__file__).parent / "migrations"))
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(7406531)"))  # "ft" + a number
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def open_engine(url: str, *, timeout_s: float = 2.0) -> AsyncEngine:
    """The async engine of ``url`` (connections are made on first use)."""
    if dialect_of(url) == "sqlite":
        path = sqlite_path(url)
        create_sqlite_file(path)
        engine = create_async_engine(
            driver_url(url), pool_pre_ping=True, connect_args={"timeout": 10}
        )
        _begin_immediate(engine)
        return engine
    return create_async_engine(
        driver_url(url),
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=0,
        pool_timeout=timeout_s,
        connect_args={"connect_timeout": max(1, round(timeout_s))},
    )


def _begin_immediate(engine: AsyncEngine) -> None:
    """SQLAlchemy's recipe for SQLite transactions it controls itself: the driver's own BEGIN is
    turned off, and every transaction takes the write lock at once (BEGIN IMMEDIATE)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
