"""Time the everyday commands as whole processes against the floor of starting Python.

    python bench/commands.py            # builds bench/data-1k and bench/data-1m if missing
    python bench/commands.py --baseline 978deab   # the same, beside an earlier commit, in one run

Each command runs as a fresh process, alternating with ``python -c "import sqlite3"`` (the floor) in
the same loop so that machine noise hits both alike; the table shows medians, the ratio to the
floor, and the ratio of the 1,000,000-activity database to the 1,000-activity one.

With ``--baseline REV``, the commit REV's ``src/`` and ``bench/`` are unpacked into
``bench/baseline-REV/`` (with databases built by that commit's own code, since an older fittrack
refuses a database a newer one migrated), and each round runs its commands too, so "before" and
"after" share the machine's noise; the table adds their medians and the ratio after / before.

Targets: list --limit 20, show ID, log, status, progress and summary each within 13x the floor at
1M activities, and list/show/status/progress/summary at 1M within 1.3x of the same at 1k.
"""

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from make_db import add_goals, build

HERE = Path(__file__).parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
FITTRACK = [sys.executable, "-m", "fittrack"]
FLOOR = [sys.executable, "-c", "import sqlite3"]


def _dataset(name: str, count: int) -> Path:
    directory = HERE / name
    path = directory / "fittrack.db"
    if not path.exists():
        print(f"building {path} ({count} activities)…", file=sys.stderr)
        build(directory, count)
    add_goals(path)  # databases built before goals existed get them (and any migration) here
    return directory


def _baseline(rev: str) -> tuple[Path, dict[str, Path]]:
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
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    homes = {}
    for size, count in (("1k", 1_000), ("1m", 1_000_000)):
        home = root / f"data-{size}"
        if not (home / "fittrack.db").exists():
            print(f"building {home} with {rev}'s code…", file=sys.stderr)
            make_db = root / "bench" / "make_db.py"
            subprocess.run(
                [sys.executable, str(make_db), str(home), str(count)], env=env, check=True
            )
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


def _run(cmd: list[str], home: Path, src: Path | None = None) -> float:
    env = {**os.environ, "FITTRACK_HOME": str(home)}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def _some_id(home: Path) -> str:
    conn = sqlite3.connect(home / "fittrack.db")
    (activity_id,) = conn.execute(
        "SELECT id FROM activity ORDER BY start_at DESC LIMIT 1 OFFSET 500"
    ).fetchone()
    conn.close()
    return str(activity_id)[:8]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="also time commit REV, in the same run")
    options = parser.parse_args()
    # An installed package has its bytecode compiled; an editable checkout may not (for instance
    # with PYTHONDONTWRITEBYTECODE set), which would add ~30 ms of compiling to every run.
    import compileall

    import fittrack

    compileall.compile_dir(Path(fittrack.__file__).parent, quiet=1)
    sides: dict[str, tuple[Path | None, dict[str, Path]]] = {
        "now": (None, {"1k": _dataset("data-1k", 1_000), "1m": _dataset("data-1m", 1_000_000)})
    }
    if options.baseline:
        sides["before"] = _baseline(options.baseline)
    commands = {
        "list --limit 20": lambda home: ["list", "--limit", "20"],
        "list --json --limit 20": lambda home: ["list", "--json", "--limit", "20"],
        "show ID": lambda home: ["show", _some_id(home)],
        "log run 5k 27:30": _log_args,
        "status (5 goals)": lambda home: ["status"],
        "progress (5 goals)": lambda home: ["progress"],
        "summary (month)": lambda home: ["summary"],
        "summary --year": lambda home: ["summary", "--year"],
    }
    floor: list[float] = []
    times: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(ROUNDS):
        for name, build_args in commands.items():
            for size in ("1k", "1m"):
                for side, (src, homes) in sides.items():
                    floor.append(_run(FLOOR, homes[size]))
                    cmd = FITTRACK + build_args(homes[size])
                    times.setdefault((side, name, size), []).append(_run(cmd, homes[size], src))
    base = statistics.median(floor)

    def ms(side: str, name: str, size: str) -> float:
        return statistics.median(times[(side, name, size)]) * 1000

    print(f"floor (python -c 'import sqlite3'): {base * 1000:.0f} ms median of {len(floor)}")
    header = f"{'command':<26}{'1k ms':>8}{'1M ms':>8}{'1M/floor':>10}{'1M/1k':>8}"
    if options.baseline:
        header += f"{'before 1k':>11}{'before 1M':>11}{'now/before':>12}"
    print(header)
    for name in commands:
        small, large = ms("now", name, "1k"), ms("now", name, "1m")
        line = (
            f"{name:<26}{small:>8.0f}{large:>8.0f}"
            f"{large / (base * 1000):>9.1f}x{large / small:>7.2f}x"
        )
        if options.baseline:
            old_small, old_large = ms("before", name, "1k"), ms("before", name, "1m")
            ratio = (small + large) / (old_small + old_large)
            line += f"{old_small:>11.0f}{old_large:>11.0f}{ratio:>11.2f}x"
        print(line)


if __name__ == "__main__":
    main()
