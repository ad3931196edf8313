"""`fittrack serve` for real: a user made by `fittrack server user add`, a uvicorn process on a free
port, HTTP requests over a socket, then SIGINT, and the request log it wrote on stderr.

On SQLite (the default server.db under FITTRACK_HOME) always; on PostgreSQL, in a schema of its
own, when FITTRACK_TEST_DATABASE_URL names a server (with Redis for limits and cache when
FITTRACK_TEST_REDIS_URL names one).
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

PG_ENV = "FITTRACK_TEST_DATABASE_URL"
REDIS_ENV = "FITTRACK_TEST_REDIS_URL"
STARTUP_S = 20.0
LOG_LINE = re.compile(r" fittrack\.server: (\S+) (\S+) (\d{3}) [\d.]+ms$")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def server_env(request: pytest.FixtureRequest, fittrack_home: Path) -> Iterator[dict[str, str]]:
    """The environment both subprocesses run with: FITTRACK_HOME, and the database to use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITTRACK_")}
    env["FITTRACK_HOME"] = str(fittrack_home)
    if request.param == "sqlite":
        yield env
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL tests need a server")
    import psycopg

    tag = uuid.uuid4().hex[:12]
    schema = f"ft_e2e_{tag}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    env["FITTRACK_DATABASE_URL"] = f"{base}{separator}options=-csearch_path%3D{schema}"
    redis_url = os.environ.get(REDIS_ENV)
    prefix = f"fttest:{tag}:"
    if redis_url:
        env["FITTRACK_REDIS_URL"] = redis_url
        env["FITTRACK_REDIS_PREFIX"] = prefix
    try:
        yield env
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        if redis_url:
            from redis import Redis

            with Redis.from_url(redis_url) as client:
                for key in client.scan_iter(match=f"{prefix}*"):
                    client.delete(key)


def fittrack(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fittrack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_end_to_end(server_env: dict[str, str], tmp_path: Path) -> None:
    made = fittrack("server", "user", "add", "ana@example.org", "--json", env=server_env)
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["token"]
    assert token.startswith("ft_")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out_file, err_file = tmp_path / "serve.out", tmp_path / "serve.err"
    sent: list[tuple[str, str, int]] = []  # every request that got an answer: the log's lines

    def call(client: httpx.Client, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        sent.append((method, path.split("?")[0], response.status_code))
        return response

    with out_file.open("w") as out, err_file.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "fittrack", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env,
            stdout=out,
            stderr=err,
        )
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + STARTUP_S
            while True:
                if process.poll() is not None:
                    pytest.fail(
                        f"fittrack serve exited with {process.returncode}:\n{err_file.read_text()}"
                    )
                try:
                    health = call(client, "GET", "/healthz")
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        pytest.fail(
                            f"fittrack serve did not answer /healthz within {STARTUP_S:g} s:\n"
                            + err_file.read_text()
                        )
                    time.sleep(0.1)
                    continue
                assert health.status_code == 200, health.text
                break

            assert call(client, "GET", "/v1/activities").status_code == 401

            auth = {"Authorization": f"Bearer {token}"}
            activity_id = str(uuid.uuid4())
            start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=45)
            activity = {
                "type": "run",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "duration_s": 1800,
                "distance_m": 5000,
            }
            put = call(client, "PUT", f"/v1/activities/{activity_id}", json=activity, headers=auth)
            assert put.status_code == 201, put.text

            got = call(client, "GET", f"/v1/activities/{activity_id}", headers=auth)
            assert got.status_code == 200, got.text
            assert got.json()["id"] == activity_id
            assert got.json()["duration"] == 30
            assert got.json()["distance_m"] == 5000

            day = start.strftime("%Y%m%d")  # the user has no timezone yet: their days are UTC's
            listed = call(
                client,
                "GET",
                f"/v1/activities?fromDate={day}&toDate={day}",
                headers=auth,
            )
            assert listed.status_code == 200, listed.text
            assert activity_id in [item["id"] for item in listed.json()["items"]]

            goal = {
                "period": "day",
                "metric": "distance",
                "target": 10000,
                "start_date": (start.date() - timedelta(days=7)).isoformat(),
            }
            posted = call(client, "POST", "/v1/goals", json=goal, headers=auth)
            assert posted.status_code == 201, posted.text
            goal_id = posted.json()["id"]

            # The day the run started on, whatever the clock says now: its 5 km count.
            progress = call(client, "GET", f"/v1/goals/{goal_id}/progress?date={day}", headers=auth)
            assert progress.status_code == 200, progress.text
            assert progress.json()["currentValue"] == 5000
            assert progress.json()["goal"]["id"] == goal_id

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0, err_file.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    stderr, stdout = err_file.read_text(), out_file.read_text()
    dialect = "postgresql" if "FITTRACK_DATABASE_URL" in server_env else "sqlite"
    limits = "Redis" if "FITTRACK_REDIS_URL" in server_env else "in-process"
    assert f"fittrack server on {base} (1 worker, {dialect}, {limits} limits" in stderr
    logged = [m.groups() for line in stderr.splitlines() if (m := LOG_LINE.search(line))]
    assert [(method, path, int(status)) for method, path, status in logged] == sent, stderr
    assert token not in stderr
    assert token not in stdout
    assert "Traceback" not in stderr


def children_of(pid: int) -> set[int]:
    """The live worker processes whose parent is ``pid`` (from /proc; multiprocessing's
    resource tracker is a child too, and not counted)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                with contextlib.suppress(OSError):
                    if b"spawn_main" in (entry / "cmdline").read_bytes():
                        found.add(int(entry.name))
    return found


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds:g} s")
        time.sleep(0.1)


def start_serve(
    fittrack_home: Path, err_file: Path, *args: str
) -> tuple[subprocess.Popen[bytes], dict[str, str], int]:
    """`fittrack serve --port <free> ARGS` on SQLite under FITTRACK_HOME, stderr to ``err_file``;
    the process, its environment and its port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITTRACK_")}
    env["FITTRACK_HOME"] = str(fittrack_home)
    port = free_port()
    with err_file.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "fittrack", "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return process, env, port


def answers(port: int) -> bool:
    """Whether the server on ``port`` answers /healthz now."""
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_sigterm_stops_one_worker_with_its_last_lines_written(
    fittrack_home: Path, tmp_path: Path
) -> None:
    """uvicorn ends the process by SIGTERM once it has shut down, with the lines of that shutdown
    (and the request log before it) written."""
    err_file = tmp_path / "serve.err"
    process, _env, port = start_serve(fittrack_home, err_file)
    try:
        wait_for(lambda: answers(port), STARTUP_S, "an answer")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM  # ended by the signal, as uvicorn does
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    stderr = err_file.read_text()
    assert "GET /healthz 200 " in stderr
    assert "Application shutdown complete" in stderr
    assert "Finished server process" in stderr
