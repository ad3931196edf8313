"""Small helpers the tests share."""

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

Invoke = Callable[..., Result]


def count_rows(db_file: Path, table: str = "activity") -> int:
    """Rows in a table, deleted ones included; 0 when the database was never created."""
    if not db_file.exists():
        return 0
    conn = sqlite3.connect(db_file)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def copy_migrated(template: Path, folder: Path, name: str | None = None) -> Path:
    """The session's migrated template (conftest ``migrated_template``) copied into ``folder``
    (made if need be) as ``name`` (default: the template's, ``fittrack.db``), with the empty
    ``.lock`` file the migration leaves beside it: what fittrack's first use would leave there.
    A file already there keeps its permissions (``fittrack serve`` makes its own 0600 first)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or template.name)
    shutil.copyfile(template, target)
    target.with_name(target.name + ".lock").touch()
    return target


def migrated_server_db(template: Path, path: Path) -> str:
    """The URL of a server's SQLite database at ``path``, as ``fittrack.server.db.migrate``
    leaves it (a 0600 file at the newest schema, from the same migrations as the CLI's), made by
    copying the session's template. The server tests' subject is the API, not the migrations:
    tests/storage/ checks those, and the sync tests' ``live`` server and test_server_cli.py still
    migrate a server's file through ``fittrack.server.db.migrate``."""
    from fittrack.server.db import create_sqlite_file

    create_sqlite_file(path)
    copy_migrated(template, path.parent, path.name)
    return f"sqlite:///{path}"
