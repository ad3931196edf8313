"""Tab completion of activity types and goal ids (``fittrack --install-completion``).

The command modules name these functions in their parameter declarations, so this module is
imported on every run: it imports nothing but the standard library at the top. The database is
read only when the shell asks for candidates, read-only and without migrating it, and any
failure gives fewer candidates rather than an error: a completion must never print a traceback
into someone's command line.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress

Candidates = list[tuple[str, str]]
"""(value, help) pairs: zsh and fish show the help next to each value."""


@contextmanager
def _read_only() -> Iterator[sqlite3.Connection | None]:
    """The log opened read-only, or None when there is none or it cannot be read as it is."""
    from fittrack.paths import db_path
    from fittrack.storage.db import SCHEMA_VERSION

    conn = None
    try:
        path = db_path()
        if path.is_file():
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
            conn.row_factory = sqlite3.Row  # read by column name, as storage.rows does
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                conn.close()  # an older schema is migrated by a real command, not by a Tab
                conn = None
    except (OSError, sqlite3.Error, ValueError):
        conn = None
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()


def activity_types(incomplete: str) -> Candidates:
    """Built-in and custom activity types (slugs) starting with ``incomplete``."""
    from fittrack.core.activity_types import BUILTIN_TYPES

    types = list(BUILTIN_TYPES)
    with _read_only() as conn:
        if conn is not None:
            from fittrack.storage.profile import load_custom_types

            with suppress(sqlite3.Error):  # the built-in types are still worth offering
                types += load_custom_types(conn)
    prefix = incomplete.lower()
    return [(t.slug, t.name) for t in types if t.slug.startswith(prefix)]


def goal_ids(incomplete: str) -> Candidates:
    """Ids of goals not deleted that start with ``incomplete``, each with what it counts."""
    with _read_only() as conn:
        if conn is None:
            return []
        from fittrack.core.goals import describe
        from fittrack.storage.goals import load_goals

        try:
            goals = load_goals(conn)
        except sqlite3.Error:
            return []
    prefix = incomplete.lower()
    return [(g.id, g.name or describe(g, "metric")) for g in goals if g.id.startswith(prefix)]
