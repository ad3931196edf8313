"""Another fittrack holding the write lock: say so once on stderr, then wait and finish."""

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

from fittrack.storage import db

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

MESSAGE = "waiting for another fittrack command…"


class Holder:
    """A second connection that takes the write lock in a thread and keeps it until released."""

    def __init__(self, db_file: Path) -> None:
        self.db_file = db_file
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.db_file, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            self.locked.set()
            self.release.wait(timeout=60)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def __enter__(self) -> "Holder":
        self.thread.start()
        assert self.locked.wait(timeout=30)
        return self

    def release_once_waited(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Let go as soon as the command has found the lock held and said so: an event, not a
        delay, so a slow machine cannot let go before the command even tried.

        The command says so after 0.1 s instead of db.QUIET_WAIT_S (a second): the event, not
        the length of the quiet wait, is what these tests hold, and each would otherwise sit
        out that second."""
        monkeypatch.setattr(db, "QUIET_WAIT_S", 0.1)
        say = db._say

        def said(message: str | None) -> None:
            say(message)
            self.release.set()

        monkeypatch.setattr(db, "_say", said)

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(timeout=60)


@pytest.fixture
def logged(cli: Invoke, db_file: Path) -> Iterator[Path]:
    assert cli("log", "run", "5k", "25:00").exit_code == 0
    yield db_file


def test_a_write_waits_for_another_fittrack_says_so_once_and_completes(
    cli: Invoke, logged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Holder(logged) as holder:
        holder.release_once_waited(monkeypatch)
        result = cli("log", "ride", "20k", "1h", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(MESSAGE) == 1
    assert MESSAGE not in result.stdout
    assert count_rows(logged) == 2


def test_an_uncontended_write_says_nothing_of_waiting(cli: Invoke, logged: Path) -> None:
    result = cli("log", "ride", "20k", "1h")
    assert result.exit_code == 0
    assert MESSAGE not in result.stderr


def test_a_lock_held_past_the_busy_timeout_fails_cleanly(
    cli: Invoke, logged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "QUIET_WAIT_S", 0.1)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.5)
    with Holder(logged):
        result = cli("log", "ride", "20k", "1h")
    assert result.exit_code == 1
    assert result.stderr.startswith(MESSAGE + "\nError: ")
    assert "is busy: another fittrack has been writing to it" in result.stderr
    assert "nothing was saved" in result.stderr
    assert count_rows(logged) == 1


def test_an_import_waits_too(
    cli: Invoke, logged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "backup.csv"
    assert cli("export", "--format", "csv", "--out", str(export)).exit_code == 0
    with Holder(logged) as holder:
        holder.release_once_waited(monkeypatch)
        result = cli("import", str(export), "--force")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(MESSAGE) == 1
    assert count_rows(logged) == 2


def test_write_restores_the_busy_timeout(logged: Path) -> None:
    conn = db.connect(logged)
    try:
        with db.write(conn):
            pass
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_S * 1000
    finally:
        conn.close()


def test_the_server_waits_silently(
    logged: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = db.connect(logged)
    try:
        with Holder(logged) as holder:
            holder.release_once_waited(monkeypatch)
            with db.write(conn, waiting_message=None):
                conn.execute("DELETE FROM activity")
    finally:
        conn.close()
    assert MESSAGE not in capsys.readouterr().err
    assert count_rows(logged) == 0


@pytest.mark.fresh_home  # the log an older fittrack left, made here
def test_upgrading_an_older_log_says_so_once_and_keeps_its_activities(
    cli: Invoke, db_file: Path
) -> None:
    db_file.parent.mkdir(parents=True)
    db.migrate(db_file, "0010")  # as the fittrack before the covering indexes left it
    conn = sqlite3.connect(db_file)
    conn.execute(
        "INSERT INTO activity (id, created_at, updated_at, type, start_at, end_at, "
        "utc_offset_min, duration_s, distance_m, calories_kcal, calories_estimated, workload, "
        "note, source, owner) VALUES ('0a1b2c3d-0000-4000-8000-000000000001', "
        "'2026-11-01 08:00:00.000000', '2026-11-01 08:00:00.000000', 'run', "
        "'2026-11-01 07:00:00.000000', '2026-11-01 07:30:00.000000', 0, 1800, 5000, 300, 1, "
        "240, '', 'manual', '')"
    )
    conn.commit()
    conn.close()

    first = cli("list", "--json")
    assert first.exit_code == 0, first.stderr
    assert first.stderr.startswith(f"upgrading {db_file} for this version of fittrack"), (
        first.stderr
    )
    assert [a["id"][:8] for a in json.loads(first.stdout)] == ["0a1b2c3d"]
    again = cli("list", "--json")
    assert again.exit_code == 0
    assert "upgrading" not in again.stderr  # once


@pytest.mark.fresh_home  # no log yet: this command makes it
def test_a_new_log_is_made_without_a_word(cli: Invoke) -> None:
    result = cli("list", "--json")
    assert result.exit_code == 0
    assert "upgrading" not in result.stderr
