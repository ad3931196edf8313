"""Build a fittrack database of N activities for the benchmarks.

    python bench/make_db.py bench/data-1m 1000000

Writes ``DIR/fittrack.db`` (set ``FITTRACK_HOME=DIR`` to use it): a migrated database, then N
activities spread over the years before today (at most a century), inserted through plain sqlite3,
and five goals. It replaces a ``fittrack.db`` already in DIR.
"""

import random
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fittrack.storage.db import connect
from fittrack.storage.rows import to_db_time

TYPES = (("run", 10.5, 2.8), ("ride", 8.0, 7.0), ("walk", 3.8, 1.4), ("swim", 8.0, 0.6))


def build(directory: Path, count: int, seed: int = 7) -> Path:
    """Create ``directory/fittrack.db`` holding ``count`` activities; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "fittrack.db"
    if path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    connect(path).close()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    # About 4 a day, going back as far as that needs but never more than 100 years (fittrack
    # reads dates from 1900): 1,000,000 activities are ~27 a day over a century.
    span_s = min(max(count // 4, 1), 100 * 365) * 86400

    def rows():  # type: ignore[no-untyped-def]
        for _ in range(count):
            kind, met, speed_ms = rng.choice(TYPES)
            start = now - timedelta(seconds=rng.randrange(span_s))
            duration = rng.randrange(900, 7200)
            stamp = to_db_time(start)
            yield (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                kind,
                stamp,
                to_db_time(start + timedelta(seconds=duration)),
                60,
                float(duration),
                round(duration * speed_ms, 1),
                round(met * 70 * duration / 3600, 1),
                1,
                round(met * duration / 60, 1),
                "",
                "manual",
                stamp,
                stamp,
                None,
            )

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO activity (id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, "
        "calories_kcal, calories_estimated, workload, note, source, created_at, updated_at, "
        "deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    add_goals(path)
    return path


GOALS = (
    ("20km", "week", "run"),
    ("150min", "week", None),
    ("3times", "week", None),
    ("2000kcal", "month", None),
    ("30km", "week", "ride"),
)


def add_goals(path: Path) -> None:
    """The five goals the status/progress benchmarks run with, started twelve weeks ago."""
    from fittrack.core.goals import new_goal
    from fittrack.storage.db import write
    from fittrack.storage.goals import insert_goal, load_goals

    conn = connect(path)
    if load_goals(conn):
        conn.close()
        return
    now = datetime.now(UTC)
    with write(conn):
        for target, period, kind in GOALS:
            goal = new_goal(
                target,
                period,
                activity_type=kind,
                start_date=(now - timedelta(weeks=12)).date(),
                end_date=None,
                name=None,
                units="metric",
                now=now,
            )
            insert_goal(conn, goal)
    conn.close()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/data-1m")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    t0 = time.perf_counter()
    build(target, n)
    print(f"{n} activities in {target / 'fittrack.db'} ({time.perf_counter() - t0:.1f} s)")
