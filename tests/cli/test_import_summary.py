"""How an import reports: one summary line, a table of only the files with news, ids in --json,
a progress bar with its total, and Ctrl-C that keeps the files done."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

from fittrack.formats import ImportedActivity

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

HEADER = (
    "id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,note,"
    "source,created_at,updated_at\n"
)


def _rows(first: int, count: int, kind: str = "run") -> str:
    """``count`` rows of our CSV, ids from ``first``, the n-th starting n hours into 2025."""
    out = []
    for n in range(first, first + count):
        start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n)
        end = start + timedelta(minutes=30)
        out.append(
            f"{n:08d}-2222-4222-8222-222222222222,{kind},{start.isoformat()},{end.isoformat()},"
            "1800,5000,350,true,300,,csv,"
            "2025-05-01T05:31:00.000000+00:00,2025-05-01T05:31:00.000000+00:00\n"
        )
    return "".join(out)


def _csv(folder: Path, name: str, first: int, count: int) -> Path:
    path = folder / name
    path.write_text(HEADER + _rows(first, count), encoding="utf-8")
    return path


# ---- 4. one summary line, a table of the files with news -----------------------------------


@pytest.mark.parametrize(
    ("files", "line"),
    [
        ([(1, 1)], "Imported 1 activity from 1 file."),
        ([(1, 2)], "Imported 2 activities from 1 file."),
        ([(1, 2), (10, 3), (20, 1)], "Imported 6 activities from 3 files."),
        ([(1, 2), (1, 1)], "Imported 2 activities from 1 file; 1 skipped (already there)."),
        ([(1, 1), (1, 2)], "Imported 2 activities from 2 files; 1 skipped (already there)."),
        ([(1, 2), None], "Imported 2 activities from 1 file; 1 file failed."),
        ([None, None], "Imported 0 activities; 2 files failed."),
    ],
)
def test_the_summary_line_counts_right(
    cli: Invoke, tmp_path: Path, files: list[tuple[int, int] | None], line: str
) -> None:
    paths = []
    for i, spec in enumerate(files):
        if spec is None:
            broken = tmp_path / f"broken{i}.csv"
            broken.write_text(HEADER + "x,y\n", encoding="utf-8")
            paths.append(str(broken))
        else:
            paths.append(str(_csv(tmp_path, f"f{i}.csv", *spec)))
    result = cli("import", *paths)
    assert result.exit_code == (1 if None in files else 0), result.output
    assert result.stdout.splitlines()[-1] == line


def test_the_table_lists_only_files_with_news_unless_verbose(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "watch"
    folder.mkdir()
    _csv(folder, "a.csv", 1, 2)
    _csv(folder, "b.csv", 1, 1)  # already there once a.csv is in
    (folder / "c.csv").write_text(HEADER + "x,y\n", encoding="utf-8")
    _csv(folder, "d.csv", 30, 1)
    monkeypatch.chdir(tmp_path)
    result = cli("import", str(folder))  # an absolute path under where we stand
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "added", "skipped", "failed", "note"]
    listed = [line.split()[0] for line in lines[1:-1] if line.startswith("watch")]
    assert listed == ["watch/b.csv", "watch/c.csv"]
    assert lines[-1] == (
        "Imported 3 activities from 2 files; 1 skipped (already there), 1 file failed."
    )
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "second"))
    verbose = cli("import", "watch", "--verbose")
    listed = [line.split()[0] for line in verbose.stdout.splitlines() if line.startswith("watch")]
    assert listed == ["watch/a.csv", "watch/b.csv", "watch/c.csv", "watch/d.csv"]


def test_a_clean_import_prints_just_the_line(cli: Invoke, tmp_path: Path) -> None:
    result = cli("import", str(_csv(tmp_path, "a.csv", 1, 3)))
    assert result.stdout == "Imported 3 activities from 1 file.\n"


def test_paths_outside_the_current_folder_are_shown_as_given(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # whole paths on one line
    inside = tmp_path / "here"
    inside.mkdir()
    monkeypatch.chdir(inside)
    missing = tmp_path / "elsewhere" / "gone.gpx"
    result = cli("import", str(missing), "../here/./nope.csv")
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:-1]]
    assert rows[0].startswith(str(tmp_path))  # not ../elsewhere/gone.gpx: no guessing
    assert "../here/nope.csv" in rows


def test_a_dry_run_says_so(cli: Invoke, tmp_path: Path, db_file: Path) -> None:
    result = cli("import", str(_csv(tmp_path, "a.csv", 1, 1)), "--dry-run")
    assert result.stdout.splitlines()[-1] == (
        "Would import 1 activity from 1 file. (dry run: nothing was written)"
    )
    assert count_rows(db_file) == 0


# ---- 5. --json lists the ids added -----------------------------------------------------------


def test_json_lists_every_id_added_on_an_empty_log_and_a_full_one(
    cli: Invoke, cli_json, tmp_path: Path
) -> None:
    first = _csv(tmp_path, "first.csv", 1, 3)
    doc = cli_json("import", str(first))
    assert set(doc) == {"added", "skipped", "failed", "ids", "files", "dry_run"}
    assert sorted(doc["ids"]) == sorted(a["id"] for a in cli_json("list"))
    assert len(doc["ids"]) == 3
    assert set(doc["files"][0]) >= {"path", "added", "skipped", "failed", "error"}
    # into a log that has rows (one at a time, duplicates skipped): only the new ids
    second = tmp_path / "second.csv"
    second.write_text(HEADER + _rows(2, 1) + _rows(40, 2), encoding="utf-8")
    doc = cli_json("import", str(second))
    assert (doc["added"], doc["skipped"]) == (2, 1)
    assert doc["ids"] == [f"{n:08d}-2222-4222-8222-222222222222" for n in (40, 41)]
    failed = cli("import", str(tmp_path / "nope.csv"), "--json")
    assert json.loads(failed.stdout)["ids"] == []


# ---- a progress bar with its total ------------------------------------------------------------


def test_the_progress_bar_shows_files_of_the_total_and_a_percentage(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from fittrack.cli import data
    from fittrack.cli.render import base

    screen = io.StringIO()
    monkeypatch.setattr(data, "_progress_wanted", lambda as_json: True)
    monkeypatch.setattr(
        base, "stderr_console", lambda: Console(file=screen, force_terminal=True, width=120)
    )
    paths = [str(_csv(tmp_path, f"{i}.csv", 10 * i, 2)) for i in range(4)]
    assert cli("import", *paths).exit_code == 0
    drawn = screen.getvalue()
    assert "importing 4/4 files" in drawn
    assert "100%" in drawn
    assert "8 rows" in drawn


# ---- 6. Ctrl-C -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def interrupt_b(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while b.csv is read, after its first batch of rows went in."""
    from fittrack import importer
    from fittrack.formats import detect

    real = detect.stream_csv

    def reader(path: Path, name: str) -> Iterator[ImportedActivity]:
        for n, item in enumerate(real(path, name)):
            if name == "b.csv" and n == importer.BATCH + 10:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(detect, "stream_csv", reader)


def _big_b(folder: Path) -> None:
    from fittrack import importer

    (folder / "b.csv").write_text(HEADER + _rows(100, importer.BATCH + 50, "walk"))


def test_ctrl_c_keeps_the_files_done_and_rolls_back_the_one_under_way(
    cli: Invoke, tmp_path: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path, "a.csv", 1, 2)
    _big_b(tmp_path)
    _csv(tmp_path, "c.csv", 50, 2)
    result = cli("import", "a.csv", "b.csv", "c.csv")
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == (
        "Interrupted: saved a.csv (2 activities); b.csv and the rest were not imported.\n"
    )
    assert "Traceback" not in result.output
    assert count_rows(db_file) == 2  # b.csv's first batch was rolled back, c.csv never started
    again = cli("import", "c.csv", "b.csv", "--dry-run")
    assert again.exit_code == 130
    assert again.stderr == "Interrupted: nothing was written (dry run).\n"
    assert count_rows(db_file) == 2


def test_ctrl_c_on_the_first_file_saves_nothing(
    cli: Invoke, tmp_path: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _big_b(tmp_path)
    result = cli("import", "nope.csv", "b.csv", "b.csv", "--json")
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == (
        "Interrupted: nothing was saved; b.csv and the rest were not imported.\n"
    )
    assert count_rows(db_file) == 0
    alone = cli("import", "b.csv")
    assert (alone.exit_code, alone.stderr) == (
        130,
        "Interrupted: nothing was saved; b.csv was not imported.\n",
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_a_real_ctrl_c_while_waiting_for_the_second_file(
    fittrack_home: Path, tmp_path: Path, db_file: Path
) -> None:
    """A real SIGINT: fittrack waits on a pipe that nobody writes, after saving the first file."""
    _csv(tmp_path, "a.csv", 1, 2)
    os.mkfifo(tmp_path / "pipe.csv")
    env = {**os.environ, "FITTRACK_HOME": str(fittrack_home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "fittrack", "import", "a.csv", "pipe.csv", "a.csv"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def saved() -> int:
        try:
            return count_rows(db_file)
        except sqlite3.OperationalError:  # still being made, or locked while it is
            return 0

    try:
        for _ in range(600):  # until a.csv is saved (at most a minute on a loaded machine)
            if process.poll() is not None or saved() == 2:
                break
            time.sleep(0.1)
        assert saved() == 2
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 130
    assert out == ""
    assert (
        err == "Interrupted: saved a.csv (2 activities); pipe.csv and the rest were not imported.\n"
    )
