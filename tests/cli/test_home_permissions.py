"""A data directory fittrack cannot use: one clear line and exit 1, never a traceback.

Permissions mean nothing to root, and the tests usually run as root: the CLI is then run in a
subprocess as ``nobody`` (``setpriv``), in a folder under /tmp that ``nobody`` can reach (pytest's
own tmp_path is private to root).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.helpers import count_rows

Run = Callable[..., subprocess.CompletedProcess[str]]


def _unprivileged_prefix() -> tuple[list[str] | None, str]:
    """The command prefix that drops root ([] when not root), or None and why it cannot."""
    if os.geteuid() != 0:
        return [], ""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None, "setpriv is not installed"
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import fittrack.cli.app"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"user nobody cannot run {sys.executable} with fittrack ({last})"
    return prefix, ""


@pytest.fixture(scope="module")
def unprivileged() -> list[str]:
    prefix, why = _unprivileged_prefix()
    if prefix is None:
        pytest.skip(f"cannot run the CLI as an unprivileged user here: {why}")
    return prefix


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder any user can enter; removed afterwards whatever its children's permissions."""
    folder = Path(tempfile.mkdtemp(prefix="fittrack-perm-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


@pytest.fixture
def run(unprivileged: list[str]) -> Run:
    def invoke(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "FITTRACK_HOME": str(home), "COLUMNS": "120"}
        return subprocess.run(
            [*unprivileged, sys.executable, "-m", "fittrack", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=60,
        )

    return invoke


def _give_to_nobody(folder: Path) -> None:
    if os.geteuid() == 0:
        for path in [folder, *folder.rglob("*")]:
            shutil.chown(path, "nobody")


def _one_clear_line(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def _log_one(home: Path) -> str:
    """A database with one run in it, made by the user running the tests."""
    done = subprocess.run(
        [sys.executable, "-m", "fittrack", "log", "run", "5k", "25:00", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "FITTRACK_HOME": str(home)},
        check=True,
    )
    return str(json.loads(done.stdout)["activity"]["id"])


def test_a_home_that_cannot_be_read(run: Run, base: Path) -> None:
    home = base / "home"
    home.mkdir(mode=0o000)
    home.chmod(0o000)
    message = _one_clear_line(run(home, "list"))
    assert f"cannot read the data directory {home} (FITTRACK_HOME): permission denied" in message
    assert "point FITTRACK_HOME at a directory" in message


@pytest.mark.parametrize("below", ["home", "home/new"])
def test_a_home_under_a_folder_that_cannot_be_entered(run: Run, base: Path, below: str) -> None:
    locked = base / "locked"
    (locked / "home").mkdir(parents=True)
    locked.chmod(0o700)  # root's, so nobody cannot enter it
    message = _one_clear_line(run(locked / below, "status"))
    assert f"cannot enter {locked}" in message
    assert "permission denied" in message


def test_a_read_only_home_reads_and_refuses_writes(run: Run, base: Path) -> None:
    home = base / "home"
    activity_id = _log_one(home)
    _give_to_nobody(home)
    home.chmod(0o555)

    listed = run(home, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [a["id"] for a in json.loads(listed.stdout)] == [activity_id]
    assert run(home, "status", "--json").returncode == 0
    assert run(home, "show", activity_id[:8]).returncode == 0

    for args in (["log", "run", "5k", "25:00"], ["delete", activity_id[:8], "--yes"]):
        message = _one_clear_line(run(home, *args))
        assert f"the folder {home} is read-only" in message
        assert "nothing was saved" in message
        assert "move it aside" not in message
        assert "not a readable fittrack database" not in message
    assert count_rows(home / "fittrack.db") == 1
    conn = sqlite3.connect(home / "fittrack.db")
    assert conn.execute("SELECT deleted_at FROM activity").fetchone() == (None,)
    conn.close()
    assert sorted(p.name for p in home.iterdir()) == ["fittrack.db", "fittrack.db.lock"]


def test_a_read_only_home_without_a_database(run: Run, base: Path) -> None:
    home = base / "home"
    home.mkdir()
    home.chmod(0o555)
    message = _one_clear_line(run(home, "list"))
    assert f"cannot create the database {home / 'fittrack.db'}: the folder is read-only" in message
    below = _one_clear_line(run(home / "sub", "list"))
    assert f"the folder {home} is read-only" in below


def test_a_database_file_that_cannot_be_read(run: Run, base: Path) -> None:
    home = base / "home"
    _log_one(home)
    _give_to_nobody(home)
    (home / "fittrack.db").chmod(0o000)
    message = _one_clear_line(run(home, "list"))
    assert f"cannot read {home / 'fittrack.db'}: permission denied" in message


def test_a_database_file_that_cannot_be_written(run: Run, base: Path) -> None:
    home = base / "home"
    _log_one(home)
    _give_to_nobody(home)
    (home / "fittrack.db").chmod(0o444)
    assert run(home, "list").returncode == 0
    message = _one_clear_line(run(home, "log", "walk", "5k", "55:00"))
    assert "fittrack.db is read-only (its permissions); nothing was saved" in message
    assert count_rows(home / "fittrack.db") == 1


def test_bytes_that_are_not_utf8_in_a_real_process(tmp_path: Path) -> None:
    # What `fittrack log run 5k --note "$(printf 'bad\xff')"` hands to Python: real bytes in argv.
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-m", "fittrack", "log", "run", "5k", "25:00", "--note", b"bad\xff"],
        capture_output=True,
        text=True,
        env={**os.environ, "FITTRACK_HOME": str(home)},
        check=False,
    )
    message = _one_clear_line(result, code=2)
    assert "the argument 'bad\\xff' (after --note) is not UTF-8 text" in message
    assert count_rows(home / "fittrack.db") == 0


def test_a_config_file_that_cannot_be_read(run: Run, base: Path) -> None:
    home = base / "home"
    home.mkdir()
    (home / "config.toml").write_text('server = "https://fit.example.org"\n')
    (home / "config.toml").chmod(0o000)
    message = _one_clear_line(run(home, "config", "show"))
    config = home / "config.toml"
    assert message == f"Error: cannot read the config file {config}: Permission denied\n"
