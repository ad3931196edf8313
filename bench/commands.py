"""Time the everyday commands as whole processes against the floor of starting Python.

    python bench/commands.py            # builds bench/data-1k, -100k and -1m if missing
    python bench/commands.py --baseline 978deab   # the same, beside an earlier commit, in one run
    python bench/commands.py --only status        # only the rows whose name holds "status"

Each command runs as a fresh process, alternating with ``python -c "import sqlite3"`` (the floor) in
the same loop so that machine noise hits both alike; the table shows medians, the ratio to the
floor, and the ratio of the 1,000,000-activity database to the 1,000-activity one. Output goes to
/dev/null (a pipe's path through the code) unless the row says "terminal": then the command writes
to a pseudo-terminal 120 columns wide, read as fast as it writes, as a person's terminal would.

With ``--baseline REV``, the commit REV's ``src/`` and ``bench/`` are unpacked into
``bench/baseline-REV/`` (with databases built by that commit's own code, since an older fittrack
refuses a database a newer one migrated, unless ``--same-data`` says its schema is today's), and
each round runs its commands too, so "before" and "after" share the machine's noise; the table
adds their medians and the ratio after / before.

When Timewarrior (``timew``) is installed, its week summary over a database of as many intervals
(``make_db.build_timew``) runs in the same rounds, as the comparison with a tracker in C++.

Each database also gets ``TRACKS`` tracks of ``TRACK_SAMPLES`` samples on its newest runs
(``_add_tracks``): ``show`` of a tracked activity reads its cached figures, and ``summary`` the
tracks' cached best efforts (issue 15).

Targets (issue 16): list --limit 20, show ID, log, status, progress and summary each within 6x the
floor at 1M activities; status at 100k within 1.5x of ``timew summary :week``; a table of 4,000 rows
(a busy week) within 0.5 s on a terminal and piped; --help and completion as fast as the commands.
"""

import argparse
import fcntl
import os
import pty
import random
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from make_db import add_busy_week, add_goals, build, build_timew, busy_week

HERE = Path(__file__).parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
FITTRACK = [sys.executable, "-m", "fittrack"]
FLOOR = [sys.executable, "-c", "import sqlite3"]
SIZES = {"1k": 1_000, "100k": 100_000, "1m": 1_000_000}
TERMINAL_SIZE = (50, 120)
"""Rows and columns of the pseudo-terminal the "terminal" rows write to."""


def _dataset(name: str, count: int) -> Path:
    directory = HERE / name
    path = directory / "fittrack.db"
    if not path.exists():
        print(f"building {path} ({count} activities)…", file=sys.stderr)
        build(directory, count)
    add_goals(path)  # databases built before goals existed get them (and any migration) here
    add_busy_week(path)  # and the busy week of the long-table rows
    _add_tracks(path)
    return directory


TRACKS = 100
TRACK_SAMPLES = 10_000


def _add_tracks(path: Path) -> None:
    """Give the ``TRACKS`` newest runs a track of ``TRACK_SAMPLES`` one-second samples (once),
    stored as the importer stores them: with their figures cache."""
    import math

    from fittrack.core.track import Track
    from fittrack.storage import db, tracks

    conn = db.connect(path)
    try:
        if conn.execute("SELECT 1 FROM activity_track LIMIT 1").fetchone():
            return
        ids = [
            str(row[0])
            for row in conn.execute(
                "SELECT id FROM activity WHERE type = 'run' AND deleted_at IS NULL "
                "ORDER BY start_at DESC LIMIT ?",
                (TRACKS,),
            )
        ]
        print(f"adding {len(ids)} tracks to {path}…", file=sys.stderr)
        rng = random.Random(5)
        now = datetime.now(UTC)
        with db.write(conn):
            for activity_id in ids:
                # A wandering run at ~3 m/s with hills and a heart rate: every figure has work.
                lat, lon, heading = 46.05, 14.5, rng.uniform(0, 2 * math.pi)
                lats, lons = [], []
                for _ in range(TRACK_SAMPLES):
                    heading += rng.gauss(0, 0.05)
                    step = rng.uniform(2.5, 3.5)
                    lat += step * math.cos(heading) / 111_195
                    lon += step * math.sin(heading) / (111_195 * math.cos(math.radians(lat)))
                    lats.append(lat)
                    lons.append(lon)
                track = Track(
                    start=now,
                    time_s=tuple(float(i) for i in range(TRACK_SAMPLES)),
                    lat=tuple(lats),
                    lon=tuple(lons),
                    elevation_m=tuple(
                        300 + 40 * math.sin(i / 700) + rng.gauss(0, 0.5)
                        for i in range(TRACK_SAMPLES)
                    ),
                    heart_rate=tuple(
                        float(140 + 20 * math.sin(i / 900) + rng.randint(-2, 2))
                        for i in range(TRACK_SAMPLES)
                    ),
                )
                tracks.save_track(conn, activity_id, track, now)
    finally:
        conn.close()


def _tracked_id(home: Path) -> str:
    conn = sqlite3.connect(home / "fittrack.db")
    (activity_id,) = conn.execute(
        "SELECT activity_id FROM activity_track ORDER BY activity_id LIMIT 1"
    ).fetchone()
    conn.close()
    return str(activity_id)[:8]


def _timew_dataset(size: str) -> Path:
    directory = HERE / f"timew-{size}"
    if not (directory / "data" / "tags.data").exists():
        print(f"building {directory} ({SIZES[size]} Timewarrior intervals)…", file=sys.stderr)
        build_timew(directory, SIZES[size])
    return directory


def _baseline(rev: str, same_data: dict[str, Path] | None) -> tuple[Path, dict[str, Path]]:
    """Unpack commit ``rev`` beside the benchmark; its source and its own databases."""
    root = HERE / f"baseline-{rev}"
    if not (root / "src").exists():
        root.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", rev, "src", "bench"],
            cwd=HERE.parent,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "src")], check=True)
    if same_data is not None:
        return root / "src", same_data
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    homes = {}
    for size, count in SIZES.items():
        home = root / f"data-{size}"
        if not (home / "fittrack.db").exists():
            print(f"building {home} with {rev}'s code…", file=sys.stderr)
            make_db = root / "bench" / "make_db.py"
            subprocess.run(
                [sys.executable, str(make_db), str(home), str(count)], env=env, check=True
            )
        add_busy_week(home / "fittrack.db")
        homes[size] = home
    return root / "src", homes


_log_runs = 0
_LOG_BASE = datetime(2001, 1, 1) + timedelta(days=random.randrange(7000))
"""Each benchmark run logs from its own random day, so no run repeats an earlier one's starts."""


def _log_args(_home: Path) -> list[str]:
    """A run logged at a new moment each time (in the past), so it is never a duplicate."""
    global _log_runs
    _log_runs += 1
    start = _LOG_BASE + timedelta(minutes=5 * _log_runs)
    return ["log", "run", "5k", "27:30", "--start", start.strftime("%Y-%m-%d %H:%M")]


def _run(
    cmd: list[str],
    home: Path,
    src: Path | None = None,
    terminal: bool = False,
    env_extra: dict[str, str] | None = None,
) -> float:
    env = {**os.environ, "FITTRACK_HOME": str(home), **(env_extra or {})}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    if not terminal:
        t0 = time.perf_counter()
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        return time.perf_counter() - t0
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *TERMINAL_SIZE, 0, 0))
    t0 = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    while True:  # a terminal reads as fast as the program writes
        try:
            if not os.read(master, 1 << 16):
                break
        except OSError:  # EIO: the program closed its end
            break
    code = process.wait()
    elapsed = time.perf_counter() - t0
    os.close(master)
    if code:
        raise subprocess.CalledProcessError(code, cmd)
    return elapsed


def _some_id(home: Path) -> str:
    conn = sqlite3.connect(home / "fittrack.db")
    (activity_id,) = conn.execute(
        "SELECT id FROM activity ORDER BY start_at DESC LIMIT 1 OFFSET 500"
    ).fetchone()
    conn.close()
    return str(activity_id)[:8]


def _busy(_home: Path) -> list[str]:
    first, last = busy_week(datetime.now(UTC))
    # --limit 0: the table shows the newest 20 unless told otherwise (--json shows all anyway).
    return ["list", "--from", first, "--to", last, "--limit", "0"]


def _completing(words: str) -> dict[str, str]:
    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    return {"_FITTRACK_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}


@dataclass(frozen=True)
class Row:
    """One line of the table: a command, the sizes it runs at, and how."""

    args: Callable[[Path], list[str]]
    sizes: tuple[str, ...] = tuple(SIZES)
    terminal: bool = False
    env: dict[str, str] | None = None
    timew: bool = False
    """Timewarrior's ``timew`` with ``args``, over ``bench/timew-SIZE``."""


EVERYDAY = {
    "list --limit 20": Row(lambda home: ["list", "--limit", "20"]),
    "list --json --limit 20": Row(lambda home: ["list", "--json", "--limit", "20"]),
    "show ID": Row(lambda home: ["show", _some_id(home)]),
    "show ID (10k-sample track)": Row(lambda home: ["show", _tracked_id(home)], sizes=("1m",)),
    "show ID --json (track)": Row(
        lambda home: ["show", _tracked_id(home), "--json"], sizes=("1m",)
    ),
    "log run 5k 27:30": Row(_log_args),
    "status (5 goals)": Row(lambda home: ["status"]),
    "status (terminal)": Row(lambda home: ["status"], terminal=True),
    "progress (5 goals)": Row(lambda home: ["progress"]),
    "summary (month)": Row(lambda home: ["summary"]),
    "summary --year": Row(lambda home: ["summary", "--year"]),  # with 100 tracks at 1m
    "list busy week (4,000)": Row(_busy, sizes=("1m",)),
    "list busy week (terminal)": Row(_busy, sizes=("1m",), terminal=True),
    "list busy week --json": Row(lambda home: [*_busy(home), "--json"], sizes=("1m",)),
    "--help": Row(lambda home: ["--help"], sizes=("1k",)),
    "--help (terminal)": Row(lambda home: ["--help"], sizes=("1k",), terminal=True),
    "log --help (terminal)": Row(lambda home: ["log", "--help"], sizes=("1k",), terminal=True),
    "complete 'fittrack '": Row(lambda home: [], sizes=("1k",), env=_completing("fittrack ")),
    "complete 'fittrack log r'": Row(
        lambda home: [], sizes=("1k",), env=_completing("fittrack log r")
    ),
    "timew summary :week": Row(lambda home: ["summary", ":week"], sizes=("100k", "1m"), timew=True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="also time commit REV, in the same run")
    parser.add_argument(
        "--same-data",
        action="store_true",
        help="the baseline reads today's databases (when its schema is the same)",
    )
    parser.add_argument("--only", metavar="TEXT", help="only the rows whose name holds TEXT")
    options = parser.parse_args()
    # An installed package has its bytecode compiled; an editable checkout may not (for instance
    # with PYTHONDONTWRITEBYTECODE set), which would add ~30 ms of compiling to every run.
    import compileall

    import fittrack

    compileall.compile_dir(Path(fittrack.__file__).parent, quiet=1)
    rows = {
        name: row
        for name, row in EVERYDAY.items()
        if (options.only is None or options.only in name)
        and (not row.timew or shutil.which("timew"))
    }
    needed = sorted({size for row in rows.values() for size in row.sizes}, key=list(SIZES).index)
    homes = {size: _dataset(f"data-{size}", SIZES[size]) for size in needed}
    timew_homes = {
        size: _timew_dataset(size) for row in rows.values() if row.timew for size in row.sizes
    }
    sides: dict[str, tuple[Path | None, dict[str, Path]]] = {"now": (None, homes)}
    if options.baseline:
        sides["before"] = _baseline(options.baseline, homes if options.same_data else None)
    floor: list[float] = []
    times: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(ROUNDS):
        for name, row in rows.items():
            for size in row.sizes:
                for side, (src, side_homes) in sides.items():
                    if row.timew and side != "now":
                        continue
                    floor.append(_run(FLOOR, side_homes[size]))
                    if row.timew:
                        env = {"TIMEWARRIORDB": str(timew_homes[size])}
                        cmd = ["timew", *row.args(timew_homes[size])]
                        took = _run(cmd, side_homes[size], env_extra=env)
                    else:
                        cmd = FITTRACK + row.args(side_homes[size])
                        took = _run(cmd, side_homes[size], src, row.terminal, row.env)
                    times.setdefault((side, name, size), []).append(took)
    base = statistics.median(floor) * 1000

    def ms(side: str, name: str, size: str) -> float | None:
        found = times.get((side, name, size))
        return statistics.median(found) * 1000 if found else None

    def cell(value: float | None, unit: str = "", width: int = 8) -> str:
        return f"{value:>{width - len(unit)}.{1 if unit else 0}f}{unit}" if value else " " * width

    print(f"floor (python -c 'import sqlite3'): {base:.0f} ms median of {len(floor)}")
    header = f"{'command':<28}{'1k ms':>8}{'100k ms':>8}{'1M ms':>8}"
    header += f"{'100k/fl':>9}{'1M/fl':>8}{'1M/1k':>8}"
    if options.baseline:
        header += f"{'before':>8}{'now/before':>11}"
    print(header)
    for name in rows:
        got = {size: ms("now", name, size) for size in SIZES}
        line = f"{name:<28}" + "".join(cell(got[size]) for size in SIZES)
        mid, large, small = got["100k"], got["1m"], got["1k"]
        line += cell(mid and mid / base, "x", 9) + cell(large and large / base, "x")
        line += cell(large and small and large / small, "x")
        if options.baseline:
            before = {size: ms("before", name, size) for size in SIZES}
            biggest = next((s for s in reversed(SIZES) if before[s] and got[s]), None)
            if biggest is not None:
                ratio = got[biggest] / before[biggest]  # type: ignore[operator]
                line += cell(before[biggest]) + cell(ratio, "x", 11)
        print(line)
    if "status (5 goals)" in rows and "timew summary :week" in rows:
        for size in ("100k", "1m"):
            ours = ms("now", "status (5 goals)", size)
            theirs = ms("now", "timew summary :week", size)
            if ours and theirs:
                print(f"status / timew summary :week at {size}: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
