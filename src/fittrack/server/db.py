"""The server's database: PostgreSQL through psycopg 3, or SQLite, behind one small async API.

The tables and migrations are the CLI's (``storage.schema``, ``storage/migrations``); what differs
is how a request reaches them. The request path speaks SQL directly instead of through an ORM:
a request for one activity does one indexed lookup, and SQLAlchemy's per-statement overhead would
be a large share of it (see docs/performance.md).

- PostgreSQL: an ``AsyncConnectionPool`` of autocommit connections (a read is one round trip, no
  BEGIN/COMMIT); a write opens an explicit transaction. psycopg prepares a statement on a
  connection after a few executions, so the hot queries are planned once.
- SQLite (one person, or tests): one ``sqlite3`` connection used on the event loop thread. Each
  statement is a few microseconds on a local file, less than handing it to a thread would cost;
  transactions are serialized by an ``asyncio.Lock`` and ``BEGIN IMMEDIATE``, and several worker
  processes share the file through WAL and the busy timeout, as the CLI does.

Queries are written once, with ``:name`` parameters; for psycopg they are rewritten to
``%(name)s`` once and remembered. Times go in as aware datetimes (``ts``) and come back as aware
UTC datetimes (``read_ts``); dates likewise (``day``/``read_day``).
"""

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from fittrack.errors import UsageError

Params = Mapping[str, Any]
Row = tuple[Any, ...]


class Connection(Protocol):
    """What a transaction body can do."""

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement; the number of rows it changed."""

    async def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        """The first row of a query, or None."""

    async def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        """Every row of a query."""

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        """Run one statement for each set of parameters (pipelined on PostgreSQL)."""


class Database(Protocol):
    """An open database: reads outside a transaction, writes inside one."""

    dialect: str

    async def open(self) -> None:
        """Connect (the pool, or the file)."""

    async def close(self) -> None:
        """Let go of every connection."""

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """One write transaction: committed when the block ends, rolled back on any exception."""

    def snapshot(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """Several reads that see one moment of the database (no write lands between them)."""

    async def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        """The first row of a read-only query, or None."""

    async def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        """Every row of a read-only query."""

    def ts(self, moment: datetime) -> Any:
        """An aware datetime as this database stores it."""

    def read_ts(self, value: Any) -> datetime:
        """A stored time back as an aware UTC datetime."""

    def day(self, value: date) -> Any:
        """A calendar date as this database stores it."""

    def read_day(self, value: Any) -> date:
        """A stored date back as a ``date``."""

    async def ping(self) -> None:
        """Raise unless the database answers."""


def default_url() -> str:
    """``$FITTRACK_DATABASE_URL``, else SQLite at ``$FITTRACK_HOME/server.db``."""
    import os

    url = os.environ.get("FITTRACK_DATABASE_URL", "").strip()
    if url:
        return url
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


def psycopg_url(url: str) -> str:
    """The URL psycopg understands (no SQLAlchemy driver suffix)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (the CLI's Alembic migrations), once.

    SQLite goes through the CLI's own path (file lock, ``PRAGMA user_version``); PostgreSQL takes
    an advisory lock inside the migration transaction, so workers starting together migrate once.
    """
    if dialect_of(url) == "sqlite":
        from fittrack.storage import db as storage_db

        storage_db.connect(sqlite_path(url)).close()
        return
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    engine = create_engine(psycopg_url(url).replace("postgresql://", "postgresql+psycopg://", 1))
    config = Config()
    from fittrack.storage import db as storage_db

    config.set_main_option("script_location", str(Path(storage_db.__file__).parent / "migrations"))
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(7406531)"))  # "ft" + a number
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def open_database(url: str) -> Database:
    """A (not yet opened) database for ``url``."""
    if dialect_of(url) == "sqlite":
        return SqliteDatabase(sqlite_path(url))
    return PostgresDatabase(psycopg_url(url))


_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


class PostgresDatabase:
    """PostgreSQL through a pool of psycopg 3 async connections."""

    dialect = "postgresql"

    def __init__(self, url: str, min_size: int = 2, max_size: int = 10) -> None:
        self.url = url
        self.min_size = min_size
        self.max_size = max_size
        self._pool: Any = None
        self._sql: dict[str, str] = {}

    def _native(self, sql: str) -> str:
        native = self._sql.get(sql)
        if native is None:
            native = self._sql[sql] = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
        return native

    async def open(self) -> None:
        from psycopg_pool import AsyncConnectionPool

        async def configure(conn: Any) -> None:
            await conn.set_autocommit(True)
            # The request path runs short indexed queries; PostgreSQL's JIT compiles a query whose
            # estimated cost passes a threshold, which a batch of period totals does (it cannot
            # know how many rows a JSON parameter holds): ~11 ms of compiling for ~0.1 ms of work.
            await conn.execute("SET jit = off")

        self._pool = AsyncConnectionPool(
            self.url,
            min_size=self.min_size,
            max_size=self.max_size,
            configure=configure,
            open=False,
            timeout=10.0,
        )
        await self._pool.open(wait=True, timeout=10.0)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._native(sql), params)
            row: Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._native(sql), params)
            rows: list[Row] = await cursor.fetchall()
            return rows

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._pool.connection() as conn, conn.transaction():
            yield _PostgresConnection(conn, self._native)

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        async with self._pool.connection() as conn, conn.transaction():
            # READ COMMITTED would take a new snapshot for each statement.
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _PostgresConnection(conn, self._native)

    async def ping(self) -> None:
        await self.fetchone("SELECT 1")

    def ts(self, moment: datetime) -> Any:
        return moment

    def read_ts(self, value: Any) -> datetime:
        moment: datetime = value
        return moment.astimezone(UTC)

    def day(self, value: date) -> Any:
        return value

    def read_day(self, value: Any) -> date:
        result: date = value
        return result


class _PostgresConnection:
    def __init__(self, conn: Any, native: Any) -> None:
        self._conn = conn
        self._native = native

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        async with self._conn.cursor() as cursor:
            await cursor.executemany(self._native(sql), params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        cursor = await self._conn.execute(self._native(sql), params)
        count: int = cursor.rowcount
        return count

    async def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        cursor = await self._conn.execute(self._native(sql), params)
        row: Row | None = await cursor.fetchone()
        return row

    async def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        cursor = await self._conn.execute(self._native(sql), params)
        rows: list[Row] = await cursor.fetchall()
        return rows


class SqliteDatabase:
    """One SQLite file, used from the event loop thread."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        from fittrack.storage import db as storage_db

        self._conn = storage_db.connect(self.path)

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the database is not open")
        return self._conn

    async def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        row: Row | None = self.conn.execute(sql, params or {}).fetchone()
        return row

    async def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        return self.conn.execute(sql, params or {}).fetchall()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        from fittrack.storage import db as storage_db

        async with self._lock:
            # Workers wait for each other's writes silently: the message is for a person.
            with storage_db.write(self.conn, waiting_message=None):
                yield _SqliteConnection(self.conn)

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        # A deferred transaction reads one WAL snapshot, whatever other workers commit meanwhile.
        async with self._lock:
            self.conn.execute("BEGIN")
            try:
                yield _SqliteConnection(self.conn)
            finally:
                self.conn.execute("COMMIT")

    async def ping(self) -> None:
        self.conn.execute("SELECT 1 FROM app_user LIMIT 1").fetchall()

    def ts(self, moment: datetime) -> Any:
        from fittrack.storage.rows import to_db_time

        return to_db_time(moment)

    def read_ts(self, value: Any) -> datetime:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)

    def day(self, value: date) -> Any:
        return value.isoformat()

    def read_day(self, value: Any) -> date:
        return date.fromisoformat(str(value))


class _SqliteConnection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def executemany(self, sql: str, params: Sequence[Params]) -> None:
        self._conn.executemany(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return self._conn.execute(sql, params or {}).rowcount

    async def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        row: Row | None = self._conn.execute(sql, params or {}).fetchone()
        return row

    async def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        return self._conn.execute(sql, params or {}).fetchall()
