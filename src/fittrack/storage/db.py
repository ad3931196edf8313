"""Open the database: one ``sqlite3`` connection, migrated forward when its schema is behind.

Opening a current database costs one ``PRAGMA user_version``; Alembic and SQLAlchemy are imported
only when that number is behind ``SCHEMA_VERSION`` (a new database, or one made by an older
fittrack). Migrations run under an exclusive file lock, so several processes starting at once on a
new database migrate it once.

The database runs in WAL mode with a busy timeout, and every write goes through ``write()``,
which takes the write lock up front (``BEGIN IMMEDIATE``): concurrent writers queue instead of
failing, and a crash leaves either the whole change or none of it.

A file that is not a fittrack database is never written to: it is refused with a message naming it.
"""

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from fittrack.errors import DataError

SCHEMA_VERSION = 6
"""The number of the newest migration (``migrations/versions/000N_*.py``)."""

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another process's write to finish before giving up."""


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the database at ``path`` or the default location."""
    if path is None:
        from fittrack.paths import db_path

        path = db_path()
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(
                f"cannot create the data directory {path.parent}: {exc.strerror}"
            ) from exc
    elif path.is_dir():
        raise DataError(f"{path} is a directory, not a fittrack database")
    try:
        # isolation_level=None: no implicit transactions; write() opens them explicitly.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise DataError(f"cannot open the database {path}: {exc}") from exc
    try:
        version = _user_version(conn, path)
        if version != SCHEMA_VERSION:
            if version > SCHEMA_VERSION:
                raise DataError(
                    f"{path} was written by a newer fittrack (schema {version}, this one knows "
                    f"{SCHEMA_VERSION}); upgrade fittrack to open it"
                )
            conn.close()
            migrate(path)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except BaseException:
        conn.close()
        raise
    return conn


def _user_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            raise DataError(
                f"{path} is an SQLite database but not a fittrack one; "
                "point FITTRACK_HOME at another directory"
            )
    except sqlite3.DatabaseError as exc:
        raise unreadable(path, exc) from exc
    return version


def unreadable(path: Path, exc: sqlite3.Error) -> DataError:
    """The error for a database file SQLite cannot read (it is left untouched)."""
    return DataError(
        f"{path} is not a readable fittrack database ({exc}); "
        "it was left untouched: move it aside or restore a backup"
    )


def database_error(path: Path, exc: sqlite3.DatabaseError) -> DataError:
    """What to tell the person when SQLite fails in the middle of a command (nothing was saved)."""
    name = getattr(exc, "sqlite_errorname", "")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return unreadable(path, exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DataError(
            f"{path} is busy: another fittrack has been writing to it for {BUSY_TIMEOUT_S:.0f} s; "
            "nothing was saved, try again"
        )
    if name.startswith("SQLITE_READONLY"):
        return DataError(f"{path} is read-only; nothing was saved")
    if name.startswith("SQLITE_FULL"):
        return DataError(f"the disk holding {path} is full; nothing was saved")
    return DataError(f"the database {path} failed: {exc}; nothing was saved")


def migrate(path: Path, revision: str = "head") -> None:
    """Bring the database at ``path`` to ``revision`` with Alembic, once, under a file lock."""
    with _file_lock(path.with_name(path.name + ".lock")):
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            version = _user_version(conn, path)
            if revision == "head" and version >= SCHEMA_VERSION:
                return  # another process migrated it while we waited for the lock
            # WAL lets readers go on while a writer writes; it is a property of the file, so set it
            # once here, outside any transaction (SQLite refuses to switch modes inside one).
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise unreadable(path, exc) from exc
        finally:
            conn.close()
        _alembic_upgrade(f"sqlite:///{path}", revision)


def _alembic_upgrade(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, event

    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    # pysqlite would commit before each DDL statement; take control so that each migration run is
    # one transaction: a crash half-way leaves the database as it was.
    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


@contextlib.contextmanager
def _file_lock(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: migrations there are not guarded against a second process
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it is committed, or none of it (on any exception)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
