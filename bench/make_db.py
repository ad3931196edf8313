"""Build a fittrack database of N activities for the benchmarks.

    python bench/make_db.py bench/data-1m 1000000

Writes ``DIR/fittrack.db`` (set ``FITTRACK_HOME=DIR`` to use it): a migrated database, then N
activities spread over the years before today (at most a century), inserted through plain sqlite3,
and five goals. It replaces a ``fittrack.db`` already in DIR.

``add_busy_week`` adds a week of 4,000 activities (the long-table benchmark), and ``build_timew``
writes a Timewarrior database of the same size (the comparison with a C++ tracker).
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


BUSY_WEEK_ROWS = 4_000
BUSY_WEEK_AGO = 20
"""The busy week is this many weeks back: before the goals' twelve weeks, so that it changes
what ``status`` and ``progress`` read no more than any other week of the century."""


def busy_week(now: datetime) -> tuple[str, str]:
    """The busy week's first and last day (a Monday and a Sunday), as ``--from``/``--to`` take."""
    monday = (now - timedelta(weeks=BUSY_WEEK_AGO)).date()
    monday -= timedelta(days=monday.weekday())
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat()


def add_busy_week(path: Path, count: int = BUSY_WEEK_ROWS, seed: int = 11) -> None:
    """Add ``count`` activities in the busy week (once: a database holding them is left alone),
    a quarter of them with a note, so that the table has a column of text to wrap."""
    conn = sqlite3.connect(path, isolation_level=None)
    if conn.execute("SELECT 1 FROM activity WHERE source = 'bench-busy' LIMIT 1").fetchone():
        conn.close()
        return
    rng = random.Random(seed)
    # Midday of the Monday, so that a day's window in any zone within ±12 h holds all 4,000.
    first = datetime.fromisoformat(busy_week(datetime.now(UTC))[0]).replace(hour=12, tzinfo=UTC)
    rows = []
    for i in range(count):
        kind, met, speed_ms = rng.choice(TYPES)
        start = first + timedelta(seconds=rng.randrange(6 * 86400 - 7200))
        duration = rng.randrange(900, 7200)
        stamp = to_db_time(start)
        note = f"interval session {i}, legs felt heavy after the hills" if i % 4 == 0 else ""
        rows.append(
            (
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
                note,
                "bench-busy",
                stamp,
                stamp,
                None,
            )
        )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO activity (id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, "
        "calories_kcal, calories_estimated, workload, note, source, created_at, updated_at, "
        "deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()


def build_timew(directory: Path, count: int, seed: int = 7) -> Path:
    """A Timewarrior database (``TIMEWARRIORDB=directory``) of ``count`` intervals, as dense as
    ``build``'s activities (about 4 a day, back from today), tagged with a sport.

    Timewarrior keeps one file a month of ``inc START - END # TAG`` lines in time order, and
    refuses overlapping intervals: each day holds its intervals in slots that cannot overlap.
    """
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("*.data"):
        old.unlink()
    (directory / "timewarrior.cfg").write_text("", encoding="utf-8")
    rng = random.Random(seed)
    # Timewarrior reads no date before 1970 (it aborts): fifty years at most, denser than build()
    # over a century, which only makes Timewarrior's files longer.
    per_day = max(4, -(-count // (50 * 365)))
    slot = 86400 // per_day
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    days = -(-count // per_day)
    files: dict[str, list[str]] = {}
    made = 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back - 1)
        for n in range(per_day):
            if made == count:
                break
            start = day + timedelta(seconds=n * slot + rng.randrange(max(1, slot - 7200)))
            end = start + timedelta(seconds=rng.randrange(900, min(7200, slot)))
            line = f"inc {start:%Y%m%dT%H%M%SZ} - {end:%Y%m%dT%H%M%SZ} # {rng.choice(TYPES)[0]}"
            files.setdefault(f"{start:%Y-%m}", []).append(line)
            made += 1
    for month, lines in files.items():
        (data / f"{month}.data").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tags = ",\n".join(f'  "{kind}":{{"count":{count // len(TYPES)}}}' for kind, _, _ in TYPES)
    (data / "tags.data").write_text("{\n" + tags + "\n}\n", encoding="utf-8")
    return directory


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/data-1m")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    t0 = time.perf_counter()
    build(target, n)
    print(f"{n} activities in {target / 'fittrack.db'} ({time.perf_counter() - t0:.1f} s)")
