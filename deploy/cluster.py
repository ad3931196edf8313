"""HAProxy and several `fittrack serve` instances on loopback ports, sharing one PostgreSQL and
one Redis: what `deploy/try` starts for an operator, and what tests/deploy/ drives.

Everything waits on readiness, never on a sleep of fixed length: an instance is started when its
``/readyz`` answers 200, the proxy when its stats say every instance it knows is UP.

    deploy/try [--database-url postgresql://postgres@127.0.0.1:5432/fittrack_try]
               [--redis-url redis://127.0.0.1:6379/0] [--port 8000] [--instances 2]
               [--user you@example.org]
"""

import argparse
import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

DEPLOY = Path(__file__).resolve().parent
CONFIG = DEPLOY / "haproxy.cfg"
ERRORS = DEPLOY / "errors"
STARTUP_S = 30.0
"""How long a process may take to become ready before it is taken as broken (not a speed
assumption: a healthy start takes a second or two; this only bounds a broken one)."""
STOP_S = 20.0
"""How long an instance given SIGTERM may take to exit: uvicorn's graceful shutdown gives what
is in flight 10 s (``fittrack serve``), then closes the rest."""
CLEAN_STOP = (0, -signal.SIGTERM)
"""How an instance given SIGTERM ends when it stopped gracefully: uvicorn finishes, then raises
the signal again on itself, so it ends "killed by SIGTERM", which systemd counts as clean."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_haproxy() -> str | None:
    """The haproxy binary (Debian installs it in /usr/sbin, off an ordinary user's PATH)."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def _status(url: str, timeout: float = 2.0) -> int | None:
    """The HTTP status of a GET, or None when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


LOG_LINE = re.compile(
    r"\] fittrack (?P<server>\S+) \S+ (?P<status>-?\d+) .*?"
    r"(?:\{(?P<retry_after>[^}]*)\} )?\"(?P<request>[^\"]*)\"$"
)
"""A request in haproxy's log (option httplog, with the Retry-After it answered captured)."""


@dataclass(frozen=True)
class Answer:
    """What the proxy answered one request, from its log."""

    status: int
    retry_after: str
    request: str
    server: str

    @property
    def answered(self) -> bool:
        """Availability's numerator: an answer, where a 429 or 503 counts only when it says
        when to come back; any other 5xx (or no status at all) is a failure."""
        if self.status in (429, 503):
            # The proxy's own 503 (no instance up: server <NOSRV>) is errors/503.http, which
            # says Retry-After; the log's capture sees only the headers of an instance's answer.
            return self.retry_after != "" or self.server.endswith("/<NOSRV>")
        return 0 < self.status < 500


def parse_answer(line: str) -> Answer | None:
    """The request a line of haproxy's log records, or None for any other line."""
    match = LOG_LINE.search(line)
    if match is None:
        return None
    return Answer(
        int(match["status"]), match["retry_after"] or "", match["request"], match["server"]
    )


def availability(answers: list[Answer], unlogged_failures: int = 0) -> str:
    """``answered / all (percent)`` of these requests and of ``unlogged_failures`` more that
    failed without a line in the proxy's log: when an instance dies with a request haproxy
    cannot send again, haproxy may close the client's connection without an answer, as the
    instance did, and log nothing (a client sees "disconnected without a response")."""
    answered = sum(a.answered for a in answers)
    total = len(answers) + unlogged_failures
    share = 100.0 * answered / total if total else 100.0
    return f"{answered} / {total} ({share:.3f} %)"


class Instance:
    """One `fittrack serve --workers 1` on a loopback port; started, stopped and started again
    on the same port. Each run's stderr (its request log) goes to a file of its own."""

    def __init__(self, name: str, port: int, env: Mapping[str, str], workdir: Path) -> None:
        self.name = name
        self.port = port
        self.env = dict(env)
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.runs: list[Path] = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> "Instance":
        """Start it and return once its /readyz answers 200."""
        return self.launch().wait_ready()

    def launch(self) -> "Instance":
        """Start the process (``wait_ready`` waits for it to answer)."""
        assert self.process is None, f"{self.name} is already running"
        log = self.workdir / f"{self.name}-{len(self.runs)}.log"
        self.runs.append(log)
        with log.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fittrack", "serve", "--port", str(self.port)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        return self

    def wait_ready(self) -> "Instance":
        """Return once /readyz answers 200 (RuntimeError if the process exits first)."""
        deadline = time.monotonic() + STARTUP_S
        while _status(f"{self.url}/readyz") != 200:
            assert self.process is not None
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise RuntimeError(f"{self.name} exited with {code}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.name} was not ready in {STARTUP_S:g} s:\n{self.log()}")
            time.sleep(0.05)
        return self

    def terminate(self, timeout: float = STOP_S) -> int:
        """SIGTERM, as systemd stops it: it closes its port, finishes what it started, exits.
        Returns its exit status (killed if it overstays ``timeout``)."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=10)
        self.process = None
        return code

    def kill(self) -> None:
        """SIGKILL: no shutdown, no answer to what is in flight."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def log(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.runs if path.exists())


class Proxy:
    """haproxy in the foreground on deploy/haproxy.cfg, its addresses set by the environment."""

    def __init__(self, port: int, instances: list[Instance], workdir: Path) -> None:
        assert len(instances) == 2, "haproxy.cfg names two instances"
        self.port = port
        self.admin_port = free_port()
        self.instances = instances
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "haproxy.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "FITTRACK_PROXY_BIND": f"127.0.0.1:{self.port}",
            "FITTRACK_PROXY_ADMIN": f"127.0.0.1:{self.admin_port}",
            "FITTRACK_PROXY_ERRORS": str(ERRORS),
            **{f"FITTRACK_INSTANCE_{n}": i.address for n, i in enumerate(self.instances, 1)},
        }

    def start(self) -> "Proxy":
        """Start haproxy and return once it sees every running instance UP."""
        binary = find_haproxy()
        if binary is None:
            raise RuntimeError("haproxy is not installed: apt-get install -y haproxy")
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [binary, "-db", "-f", str(CONFIG)],
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.wait_up([i.name for i in self.instances if i.process is not None])
        return self

    def states(self) -> dict[str, str]:
        """Each instance's state as haproxy sees it (``UP``, ``DOWN``, ``UP 1/2``, …)."""
        url = f"http://127.0.0.1:{self.admin_port}/stats;csv"
        with urllib.request.urlopen(url, timeout=2) as response:
            lines = response.read().decode().lstrip("# ").splitlines()
        names = {f"instance{n}": i.name for n, i in enumerate(self.instances, 1)}
        return {
            names[row["svname"]]: row["status"]
            for row in csv.DictReader(lines)
            if row["pxname"] == "instances" and row["svname"] in names
        }

    def wait_up(self, names: list[str], timeout: float = STARTUP_S) -> None:
        """Return once haproxy's health checks have every named instance UP."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited:\n{self.log()}")
            try:
                states = self.states()
            except OSError:
                states = {}
            if all(states.get(name) == "UP" for name in names):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"haproxy does not see {names} UP: {states}\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> list[Answer]:
        """Every request the proxy's frontend has logged so far (health checks are not)."""
        return [a for line in self.log().splitlines() if (a := parse_answer(line)) is not None]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Cluster:
    """The proxy on ``port`` and two instances on ports of their own, all on loopback, every
    instance with ``env`` (FITTRACK_DATABASE_URL, FITTRACK_REDIS_URL, …). A context manager:
    everything it started is stopped on the way out."""

    def __init__(self, env: Mapping[str, str], workdir: Path, port: int | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        # X-Forwarded-For is believed only from the proxy's address.
        instance_env = {"FORWARDED_ALLOW_IPS": "127.0.0.1"} | dict(env)
        instance_env.setdefault("FITTRACK_HOME", str(workdir / "home"))
        self.instances = [
            Instance(f"instance{n}", free_port(), instance_env, workdir) for n in (1, 2)
        ]
        self.proxy = Proxy(port or free_port(), self.instances, workdir)

    @property
    def url(self) -> str:
        return self.proxy.url

    def start(self) -> "Cluster":
        try:
            for instance in self.instances:  # started together, each migrating under a lock
                instance.launch()
            for instance in self.instances:
                instance.wait_ready()
            self.proxy.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.proxy.stop()
        for instance in self.instances:
            instance.terminate()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def logs(self) -> str:
        """Every process's log, headed by its name (for a failing test's message)."""
        parts = [f"--- {i.name}\n{i.log()}" for i in self.instances]
        return "\n".join([*parts, f"--- haproxy\n{self.proxy.log()}"])


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names when it does not exist yet."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    name = str(params.get("dbname") or "")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="deploy/try",
        description="HAProxy and two `fittrack serve` instances on loopback, on the local "
        "PostgreSQL and Redis, until Ctrl-C (docs/deploy.md).",
    )
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fittrack_try"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=8000, help="the proxy's port")
    parser.add_argument("--user", metavar="EMAIL", help="add this user and print their token")
    parser.add_argument("--workdir", type=Path, default=Path("deploy-try"), help="logs go here")
    args = parser.parse_args(argv)

    ensure_database(args.database_url)
    env = os.environ | {
        "FITTRACK_DATABASE_URL": args.database_url,
        "FITTRACK_REDIS_URL": args.redis_url,
    }
    if args.user:
        done = subprocess.run(
            [sys.executable, "-m", "fittrack", "server", "user", "add", args.user],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            return done.returncode
        print(f"token of {args.user}: {done.stdout.strip()}")
    stop = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    with Cluster(env, args.workdir.resolve(), args.port) as cluster:
        for instance in cluster.instances:
            pid = instance.process.pid if instance.process else "?"
            print(f"{instance.name}: {instance.url} (pid {pid})")
        print(f"haproxy: {cluster.url}, stats at http://127.0.0.1:{cluster.proxy.admin_port}/stats")
        print(f"logs in {args.workdir}/; Ctrl-C stops everything", flush=True)
        try:
            while not stop:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
