"""Time `fittrack sync`: a first sync of 100,000 activities to an empty server, and incremental
syncs of 10 changes against a server holding them, next to a single `fittrack list`.

    python bench/sync.py [--url postgresql://postgres@127.0.0.1:5432/fittrack_bench_sync]
                         [--count 100000] [--rounds 5]

It drops and re-creates the database named in --url (PostgreSQL), starts `fittrack serve` (one
worker, no Redis) on a free loopback port, makes a user, and builds two devices' logs in
bench/data-sync/: device A with --count activities (bench/make_db.py), device B empty. Then:

- first sync of A (pushes everything in batches of 500),
- first sync of B (pulls everything),
- incremental: 10 changes on A (5 `log`, 5 `edit`, not timed), then `fittrack sync` on A, timed,
  --rounds times; and `fittrack list --limit 20` on A, timed, alternating in the same loop.

Target: the incremental sync's median within 3x the median of `fittrack list`.
"""

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from make_db import build

HERE = Path(__file__).parent
FITTRACK = [sys.executable, "-m", "fittrack"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(FITTRACK + args, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/fittrack_bench_sync")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()

    import compileall

    import fittrack

    compileall.compile_dir(Path(fittrack.__file__).parent, quiet=1)
    _fresh_database(options.url)
    root = HERE / "data-sync"
    server_env = {
        **os.environ,
        "FITTRACK_HOME": str(root / "server"),
        "FITTRACK_DATABASE_URL": options.url,
        "FITTRACK_RATE_LIMIT": "1000000/second",
    }
    server_env.pop("FITTRACK_REDIS_URL", None)
    added = subprocess.run(
        [*FITTRACK, "server", "user", "add", "bench@example.org", "--json"],
        env=server_env,
        check=True,
        capture_output=True,
    )
    token = json.loads(added.stdout)["token"]
    print(f"building device A with {options.count} activities…", file=sys.stderr)
    home_a = root / "a"
    build(home_a, options.count)
    home_b = root / "b"
    for suffix in ("", "-wal", "-shm"):
        Path(str(home_b / "fittrack.db") + suffix).unlink(missing_ok=True)
    env_a = {**os.environ, "FITTRACK_HOME": str(home_a)}
    env_b = {**os.environ, "FITTRACK_HOME": str(home_b)}

    port = _free_port()
    server = subprocess.Popen(
        [*FITTRACK, "serve", "--port", str(port)],
        env=server_env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(port, server)
        url = f"http://127.0.0.1:{port}"
        for env in (env_a, env_b):
            subprocess.run(
                [*FITTRACK, "login", "--server", url, "--token", token],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        first_push = _timed(["sync"], env_a)
        first_pull = _timed(["sync"], env_b)
        ids = [
            row[0]
            for row in sqlite3.connect(home_a / "fittrack.db").execute(
                "SELECT id FROM activity ORDER BY start_at DESC LIMIT 200"
            )
        ]
        rng = random.Random(7)
        syncs, lists = [], []
        for _ in range(options.rounds):
            for n in range(5):
                subprocess.run(
                    [*FITTRACK, "log", "run", "5k", f"{25 + n}:00", "--start", f"-{n + 1}d"],
                    env=env_a,
                    check=True,
                    capture_output=True,
                )
                subprocess.run(
                    [*FITTRACK, "edit", rng.choice(ids)[:12], "--note", f"edit {n}"],
                    env=env_a,
                    check=True,
                    capture_output=True,
                )
            syncs.append(_timed(["sync"], env_a))
            lists.append(_timed(["list", "--limit", "20"], env_a))
        _timed(["sync"], env_b)
        counts = [
            sqlite3.connect(h / "fittrack.db").execute("SELECT COUNT(*) FROM activity").fetchone()
            for h in (home_a, home_b)
        ]
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

    incremental, listing = statistics.median(syncs), statistics.median(lists)
    print(f"\n{options.count} activities, server on PostgreSQL ({options.url.rsplit('/', 1)[1]})")
    print(f"{'what':<44} {'seconds':>8}")
    print(f"{'first sync, device A pushes everything':<44} {first_push:8.2f}")
    print(f"{'first sync, device B pulls everything':<44} {first_pull:8.2f}")
    print(f"{'incremental sync of 10 changes (median)':<44} {incremental:8.3f}")
    print(f"{'fittrack list --limit 20 (median)':<44} {listing:8.3f}")
    ratio = incremental / listing
    verdict = "ok" if ratio <= 3 else "MISSED"
    print(f"\nincremental / list = {ratio:.2f}x (target <= 3x): {verdict}")
    print(f"rows: device A {counts[0][0]}, device B {counts[1][0]} (must be equal)")


if __name__ == "__main__":
    main()
