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
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from fittrack.errors import DataError

SCHEMA_VERSION = 11
"""The number of the newest migration (``migrations/versions/000N_*.py``)."""

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another process's write to finish before giving up."""

QUIET_WAIT_S = 1.0
"""How long a writer waits for the write lock before saying it is waiting."""

WAITING_MESSAGE = "waiting for another fittrack command…"
UPGRADING_MESSAGE = "upgrading {path} for this version of fittrack (once; seconds for a large log)…"


class Connection(sqlite3.Connection):
    """A connection that knows when it can only read, and why (``read_only``)."""

    read_only: str | None = None
    """None, or what to tell a person who tries to change something: the folder is read-only."""


def connect(path: Path | None = None) -> Connection:
    """Open (creating and migrating if needed) the database at ``path`` or the default location.

    When the database's folder is read-only (a read-only mount, a folder of another user), the
    database is opened for reading only: every read works, and :func:`write` refuses with a line
    that says so.
    """
    if path is None:
        from fittrack.paths import db_path

        path = db_path()
    try:
        exists = path.exists()
        if not exists:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif path.is_dir():
            raise DataError(f"{path} is a directory, not a fittrack database")
    except OSError as exc:
        from fittrack.paths import explain

        raise DataError(explain(path.parent, exc)) from exc
    if not exists and not os.access(path.parent, os.W_OK):
        raise DataError(f"cannot create the database {path}: the folder is read-only")
    if exists and not os.access(path, os.R_OK):
        raise DataError(f"cannot read {path}: permission denied{_owner(path)}")
    try:
        conn = _open(path)
    except sqlite3.Error as exc:
        raise DataError(f"cannot open the database {path}: {exc}") from exc
    try:
        try:
            version = _user_version(conn, path)
        except DataError as exc:
            if not _folder_is_read_only(path, exc.__cause__):
                raise
            conn.close()
            conn = _open_read_only(path)
            version = _user_version(conn, path)
        if version != SCHEMA_VERSION:
            if version > SCHEMA_VERSION:
                raise DataError(
                    f"{path} was written by a newer fittrack (schema {version}, this one knows "
                    f"{SCHEMA_VERSION}); upgrade fittrack to open it"
                )
            if conn.read_only is not None or not os.access(path.parent, os.W_OK):
                raise DataError(
                    f"{path} needs an upgrade to this fittrack's schema, but its folder "
                    f"{path.parent} is read-only; open it once where it can be written"
                )
            conn.close()
            if version:  # a log an older fittrack wrote (a new one is made without a word)
                _say(UPGRADING_MESSAGE.format(path=path))
            migrate(path)
            conn = _open(path)
    except BaseException:
        conn.close()
        raise
    return conn


def _owner(path: Path) -> str:
    from fittrack.paths import owner

    return owner(path)


def _open(path: Path) -> Connection:
    # isolation_level=None: no implicit transactions; write() opens them explicitly.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, factory=Connection)
    conn.row_factory = sqlite3.Row  # rows are read by column name (storage.rows)
    return conn


def _folder_is_read_only(path: Path, cause: BaseException | None) -> bool:
    """Whether SQLite failed to read ``path`` only because its folder cannot be written.

    In WAL mode even a reader creates ``fittrack.db-shm`` next to the database, which a read-only
    folder refuses.
    """
    name = getattr(cause, "sqlite_errorname", "")
    return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) and not os.access(
        path.parent, os.W_OK
    )


def _open_read_only(path: Path) -> Connection:
    """``path`` opened for reading in a folder that cannot be written.

    With no ``-wal`` file left (every fittrack closes its connection with a checkpoint that
    removes it), the file alone is the whole database, and ``immutable=1`` reads it without the
    ``-shm`` file SQLite could not create. A ``-wal`` with content holds committed changes that
    must not be ignored: then only SQLite's own read-only mode is tried, which works when the
    ``-shm`` file is there too.
    """
    wal = path.with_name(path.name + "-wal")
    try:
        has_journal = wal.exists() and wal.stat().st_size > 0
    except OSError:
        has_journal = True
    uri = path.absolute().as_uri() + ("?mode=ro" if has_journal else "?immutable=1")
    try:
        conn = sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, factory=Connection
        )
        conn.execute("PRAGMA user_version").fetchone()
        conn.row_factory = sqlite3.Row
    except sqlite3.Error as exc:
        raise DataError(
            f"cannot read {path}: its folder {path.parent} is read-only and {wal.name} holds "
            "changes SQLite cannot read without writing there; open it once where it can be "
            "written"
        ) from exc
    conn.read_only = (
        f"the folder {path.parent} is read-only: fittrack can show your log but not change it; "
        "nothing was saved"
    )
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
        if not os.access(path.parent, os.W_OK):
            return DataError(f"the folder {path.parent} is read-only; nothing was saved")
        return DataError(f"{path} is read-only (its permissions); nothing was saved")
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
def write(
    conn: sqlite3.Connection, waiting_message: str | None = WAITING_MESSAGE
) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it is committed, or none of it (on any exception).

    ``waiting_message`` goes to stderr when the write lock is not had within a second (None: wait
    silently, as the server does).
    """
    begin_immediate(conn, waiting_message)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _say(message: str | None) -> None:
    """Say why the command is about to take longer than usual (None: say nothing, as the server).

    Storage speaks to the person here, and only here: when the write lock is held (the wait
    happens inside ``begin_immediate``) and before upgrading a log (inside ``connect``). The
    line must come before the wait, on stderr so that --json output stays one document.
    """
    if message is not None:
        import sys

        print(message, file=sys.stderr, flush=True)


def begin_immediate(
    conn: sqlite3.Connection, waiting_message: str | None = WAITING_MESSAGE
) -> None:
    """``BEGIN IMMEDIATE``; when another process holds the write lock for more than a second,
    say so once on stderr, then wait for it up to the rest of the busy timeout.

    The first try waits only ``QUIET_WAIT_S`` (SQLite's busy handler, retrying inside that time),
    so the person learns why the command is slow instead of watching it hang. A connection
    opened read-only (its folder is) is refused here with the reason, before anything is tried.
    """
    read_only = getattr(conn, "read_only", None)
    if read_only is not None:
        raise DataError(read_only)
    conn.execute(f"PRAGMA busy_timeout = {int(QUIET_WAIT_S * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    _say(waiting_message)
    conn.execute(f"PRAGMA busy_timeout = {int((BUSY_TIMEOUT_S - QUIET_WAIT_S) * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
