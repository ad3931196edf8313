"""Time the everyday commands as whole processes against the floor of starting Python.

    python bench/commands.py            # builds bench/data-1k and bench/data-1m if missing

Each command runs as a fresh process, alternating with ``python -c "import sqlite3"`` (the floor) in
the same loop so that machine noise hits both alike; the table shows medians, the ratio to the
floor, and the ratio of the 1,000,000-activity database to the 1,000-activity one.

Targets: list --limit 20, show ID, log, status, progress and summary each within 13x the floor at
1M activities, and list/show/status/progress/summary at 1M within 1.3x of the same at 1k.
"""

import os
import sqlite3
import statistics
import subprocess
import sys
import time
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


def _run(cmd: list[str], home: Path) -> float:
    env = {**os.environ, "FITTRACK_HOME": str(home)}
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
    # An installed package has its bytecode compiled; an editable checkout may not (for instance
    # with PYTHONDONTWRITEBYTECODE set), which would add ~30 ms of compiling to every run.
    import compileall

    import fittrack

    compileall.compile_dir(Path(fittrack.__file__).parent, quiet=1)
    homes = {"1k": _dataset("data-1k", 1_000), "1m": _dataset("data-1m", 1_000_000)}
    commands = {
        "list --limit 20": lambda home: ["list", "--limit", "20"],
        "list --json --limit 20": lambda home: ["list", "--json", "--limit", "20"],
        "show ID": lambda home: ["show", _some_id(home)],
        "log run 5k 27:30": lambda home: ["log", "run", "5k", "27:30"],
        "status (5 goals)": lambda home: ["status"],
        "progress (5 goals)": lambda home: ["progress"],
        "summary (month)": lambda home: ["summary"],
        "summary --year": lambda home: ["summary", "--year"],
    }
    floor: list[float] = []
    times: dict[tuple[str, str], list[float]] = {}
    args = {(n, s): build_args(h) for n, build_args in commands.items() for s, h in homes.items()}
    for _ in range(ROUNDS):
        for (name, size), cmd_args in args.items():
            floor.append(_run(FLOOR, homes[size]))
            times.setdefault((name, size), []).append(_run(FITTRACK + cmd_args, homes[size]))
    base = statistics.median(floor)
    print(f"floor (python -c 'import sqlite3'): {base * 1000:.0f} ms median of {len(floor)}")
    print(f"{'command':<26}{'1k ms':>8}{'1M ms':>8}{'1M/floor':>10}{'1M/1k':>8}")
    for name in commands:
        small = statistics.median(times[(name, "1k")])
        large = statistics.median(times[(name, "1m")])
        print(
            f"{name:<26}{small * 1000:>8.0f}{large * 1000:>8.0f}"
            f"{large / base:>9.1f}x{large / small:>7.2f}x"
        )


if __name__ == "__main__":
    main()
