"""Opening, migrating and protecting the database."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fittrack.errors import DataError
from fittrack.storage import db


def test_new_database_is_created_migrated_and_in_wal_mode(db_file: Path) -> None:
    conn = db.connect(db_file)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"activity", "activity_type", "profile", "goal"} <= tables


def test_schema_version_matches_the_newest_migration() -> None:
    versions = Path(db.__file__).parent / "migrations" / "versions"
    numbers = sorted(int(p.name[:4]) for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert numbers == list(range(1, db.SCHEMA_VERSION + 1))


def test_upgrade_from_the_first_migration_keeps_every_row(db_file: Path) -> None:
    db_file.parent.mkdir(parents=True)
    db.migrate(db_file, "0001")
    raw = sqlite3.connect(db_file)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    assert raw.execute("SELECT name FROM sqlite_master WHERE name='goal'").fetchone() is None
    stamp = "2026-11-20 06:00:00.000000"
    rows = [
        (
            f"0000000{i}-0000-4000-8000-000000000000",
            "run",
            stamp,
            stamp,
            60,
            1650.0,
            5000.0 + i,
            300.0,
            1,
            900.0,
            f"note {i}, with a comma",
            "manual",
            stamp,
            stamp,
            None,
        )
        for i in range(3)
    ]
    raw.executemany(
        "INSERT INTO activity (id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, "
        "calories_kcal, calories_estimated, workload, note, source, created_at, updated_at, "
        f"deleted_at) VALUES ({', '.join('?' * 15)})",
        rows,
    )
    raw.execute(
        "INSERT INTO profile (id, created_at, updated_at, weight_kg, timezone, units, week_start) "
        "VALUES ('p', ?, ?, 81.5, 'Europe/Paris', 'imperial', 'sunday')",
        (stamp, stamp),
    )
    raw.execute(
        "INSERT INTO activity_type (id, created_at, updated_at, slug, name, met, aliases, "
        "tracks_distance) VALUES ('t', ?, ?, 'climbing', 'Climbing', 5.8, 'bouldering', 1)",
        (stamp, stamp),
    )
    raw.commit()
    raw.close()

    conn = db.connect(db_file)  # sees version 1 and migrates to the newest

    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    kept = conn.execute(
        "SELECT id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, calories_kcal, "
        "calories_estimated, workload, note, source, created_at, updated_at, deleted_at "
        "FROM activity ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in kept] == rows
    assert [
        tuple(row)
        for row in conn.execute("SELECT weight_kg, timezone, units, week_start FROM profile")
    ] == [(81.5, "Europe/Paris", "imperial", "sunday")]
    assert [tuple(row) for row in conn.execute("SELECT slug, met, aliases FROM activity_type")] == [
        ("climbing", 5.8, "bouldering")
    ]
    assert conn.execute("SELECT COUNT(*) FROM goal").fetchone()[0] == 0


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all\n" * 10, b"SQLite format 3\x00" + b"\xff" * 2000],
    ids=["text", "damaged-header"],
)
def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(
    db_file: Path, content: bytes
) -> None:
    db_file.parent.mkdir(parents=True)
    db_file.write_bytes(content)
    with pytest.raises(DataError, match=str(db_file)):
        db.connect(db_file)
    assert db_file.read_bytes() == content


def test_another_programs_sqlite_database_is_refused(db_file: Path) -> None:
    db_file.parent.mkdir(parents=True)
    other = sqlite3.connect(db_file)
    other.execute("CREATE TABLE notes (x)")
    other.commit()
    other.close()
    with pytest.raises(DataError, match="not a fittrack one"):
        db.connect(db_file)
    assert sqlite3.connect(db_file).execute("SELECT name FROM sqlite_master").fetchall() == [
        ("notes",)
    ]


def test_a_database_from_a_newer_fittrack_is_refused(db_file: Path) -> None:
    db.connect(db_file).close()
    raw = sqlite3.connect(db_file)
    raw.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(DataError, match="newer fittrack"):
        db.connect(db_file)


def test_write_rolls_back_on_error(db_file: Path) -> None:
    conn = db.connect(db_file)
    with pytest.raises(RuntimeError), db.write(conn):
        conn.execute(
            "INSERT INTO activity_type (id, created_at, updated_at, slug, name, met, aliases, "
            "tracks_distance) VALUES ('x', '2026-01-01', '2026-01-01', 'x', 'X', 3.0, '', 1)"
        )
        raise RuntimeError("boom")
    assert conn.execute("SELECT COUNT(*) FROM activity_type").fetchone()[0] == 0


def test_concurrent_writers_lose_nothing(fittrack_home: Path) -> None:
    """4 processes running `fittrack log` 25 times each, at once, on a new database: 100 rows."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from fittrack.cli.app import app\n"
        "runner = CliRunner()\n"
        "for i in range(25):\n"
        # --force: 100 runs ending now are doubles of each other, which is not the point here
        "    r = runner.invoke(app, ['log', 'run', '5k', f'{20 + i}:00', '--note', sys.argv[1],\n"
        "                            '--force'])\n"
        "    assert r.exit_code == 0, r.output\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, f"writer {n}"], stderr=subprocess.PIPE)
        for n in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()
    conn = db.connect(fittrack_home / "fittrack.db")
    assert conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0] == 100
    per_writer = conn.execute("SELECT note, COUNT(*) FROM activity GROUP BY note").fetchall()
    assert sorted(tuple(row) for row in per_writer) == [(f"writer {n}", 25) for n in range(4)]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
