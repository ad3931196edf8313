"""Small helpers the tests share."""

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
