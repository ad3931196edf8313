"""What the sync tests share: a real `fittrack serve` process, devices (one FITTRACK_HOME each),
users made straight on the server's database, and the state of a device, read from its SQLite
file (tombstones included), or of the server, read through `/v1/changes`, in one comparable form.
"""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from tests.helpers import copy_migrated, migrated_server_db
from tests.server.conftest import run_on_db

PG_ENV = "FITTRACK_TEST_DATABASE_URL"
REDIS_ENV = "FITTRACK_TEST_REDIS_URL"
PG_SKIP = f"{PG_ENV} is not set: the PostgreSQL tests need a server"
STARTUP_S = 20.0
REQUEST_LINE = re.compile(r" fittrack\.server: (\S+) (\S+) (\d{3}) [\d.]+ms$")
CSV_HEADER = (
    "id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,note,"
    "source,created_at,updated_at"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env() -> dict[str, str]:
    """The test process's environment without any FITTRACK_ setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith("FITTRACK_")}


# --- the server's database --------------------------------------------------------------------


@dataclass
class User:
    email: str
    token: str


def add_user(url: str, name: str = "ana") -> User:
    """A new user (and their first token) on the server's database."""
    from fittrack.server import auth

    email = f"{name}-{uuid.uuid4().hex[:8]}@example.org"
    return User(email, run_on_db(url, auth.add_user, email))


def add_token(url: str, user: User) -> str:
    """Another token of the same user (one per device, as docs suggest)."""
    from fittrack.server import auth

    token: str = run_on_db(url, auth.add_token, user.email)
    return token


def revoke(url: str, token: str) -> None:
    from fittrack.server import auth

    run_on_db(url, auth.revoke_token, token)


@dataclass
class Backend:
    """Where a server keeps its data: the environment a `fittrack serve` runs with."""

    name: str
    database_url: str
    env: dict[str, str]


@contextmanager
def backend_for(name: str, tmp_path: Path, template: Path | None = None) -> Iterator[Backend]:
    """A fresh SQLite file, or a fresh PostgreSQL schema (with a Redis prefix of its own when
    FITTRACK_TEST_REDIS_URL names a Redis), migrated; dropped afterwards. The SQLite file is a
    copy of ``template`` (the session's migrated one) when given, else migrated here."""
    from fittrack.server.db import migrate

    env = clean_env()
    if name == "sqlite":
        path = tmp_path / "server.db"
        if template is not None:
            url = migrated_server_db(template, path)
        else:
            url = f"sqlite:///{path}"
            migrate(url)
        env["FITTRACK_DATABASE_URL"] = url
        yield Backend(name, url, env)
        return
    base = os.environ.get(PG_ENV)
    assert base, PG_SKIP
    import psycopg

    tag = uuid.uuid4().hex[:12]
    schema = f"ft_sync_{tag}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    env["FITTRACK_DATABASE_URL"] = url
    redis_url = os.environ.get(REDIS_ENV)
    prefix = f"fttest:{tag}:"
    if redis_url:
        env["FITTRACK_REDIS_URL"] = redis_url
        env["FITTRACK_REDIS_PREFIX"] = prefix
    try:
        migrate(url)
        yield Backend(name, url, env)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        if redis_url:
            from redis import Redis

            with Redis.from_url(redis_url) as client:
                for key in client.scan_iter(match=f"{prefix}*"):
                    client.delete(key)


# --- a `fittrack serve` process -----------------------------------------------------------------


class Server:
    """`fittrack serve` on a port of its own; stopped, killed and started again on the same
    database and port. Each run's stderr (its request log) goes to a file of its own."""

    def __init__(self, backend: Backend, workdir: Path, **settings: str) -> None:
        self.backend = backend
        self.workdir = workdir
        self.port = free_port()
        self.settings = settings
        self.runs: list[Path] = []
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **settings: str) -> "Server":
        """Start (again), with these FITTRACK_* settings (e.g. FITTRACK_RATE_LIMIT="3/minute")
        over the ones given before; return once /healthz answers."""
        assert self.process is None, "already running"
        self.settings.update(settings)
        env = self.backend.env | self.settings
        env.setdefault("FITTRACK_RATE_LIMIT", "100000/minute")
        env.setdefault("FITTRACK_ANONYMOUS_RATE_LIMIT", "100000/minute")
        env.setdefault("FITTRACK_TOKEN_CACHE_SECONDS", "0")  # a revoked token is refused at once
        env["FITTRACK_HOME"] = str(self.workdir / "server-home")
        err_file = self.workdir / f"serve-{self.port}-{len(self.runs)}.err"
        self.runs.append(err_file)
        with err_file.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fittrack", "serve", "--port", str(self.port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        deadline = time.monotonic() + STARTUP_S
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while True:
                if self.process.poll() is not None:
                    code = self.process.returncode
                    self.process = None
                    raise AssertionError(f"fittrack serve exited with {code}:\n{self.log()}")
                try:
                    if client.get("/healthz").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"fittrack serve did not start:\n{self.log()}")
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no answer to what is in flight."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        """SIGINT, as Ctrl-C: a clean shutdown."""
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def log(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.runs if path.exists())

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request answered, from the log lines."""
        return [
            (m[1], m[2], int(m[3]))
            for line in self.log().splitlines()
            if (m := REQUEST_LINE.search(line))
        ]

    def client(self, token: str) -> httpx.Client:
        return api(self.url, token)


def api(url: str, token: str) -> httpx.Client:
    """An HTTP client of the server at ``url`` as the token's user (close it: ``with``)."""
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


# --- devices ------------------------------------------------------------------------------------


@dataclass
class Device:
    """One FITTRACK_HOME, driven by `python -m fittrack` subprocesses. Given a ``template`` (the
    session's migrated database), the home starts with a copy of it, as if a first command had
    made it: a new process then skips the migrations, and with them ~1 s of imports (SQLAlchemy,
    Alembic); without one it starts empty."""

    name: str
    home: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    template: Path | None = None

    def __post_init__(self) -> None:
        if self.template is not None:
            copy_migrated(self.template, self.home)

    @property
    def db(self) -> Path:
        return self.home / "fittrack.db"

    @property
    def config(self) -> Path:
        return self.home / "config.toml"

    def env(self) -> dict[str, str]:
        return clean_env() | {"FITTRACK_HOME": str(self.home), "COLUMNS": "120"} | self.env_extra

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fittrack", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a command that must succeed."""
        done = self.run(*args)
        assert done.returncode == 0, f"{self.name}: fittrack {' '.join(args)}\n{done.stderr}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def sync(self) -> dict[str, Any]:
        report: dict[str, Any] = self.json("sync")
        return report


class Cli:
    """Devices driven in this process through CliRunner: one FITTRACK_HOME per name under
    ``root``, switched in the environment for each command and put back after. Given a
    ``template`` (the session's migrated database), a device's home starts, at its first command,
    with a copy of it instead of empty."""

    def __init__(self, root: Path, template: Path | None = None) -> None:
        from typer.testing import CliRunner

        self.root = root
        self.template = template
        self.runner = CliRunner()

    def home(self, name: str) -> Path:
        return self.root / name

    def db(self, name: str) -> Path:
        return self.home(name) / "fittrack.db"

    def config(self, name: str) -> Path:
        return self.home(name) / "config.toml"

    @contextmanager
    def at(self, name: str) -> Iterator[None]:
        if self.template is not None and not self.home(name).exists():
            copy_migrated(self.template, self.home(name))
        before = os.environ.get("FITTRACK_HOME")
        os.environ["FITTRACK_HOME"] = str(self.home(name))
        try:
            yield
        finally:
            if before is None:
                del os.environ["FITTRACK_HOME"]
            else:
                os.environ["FITTRACK_HOME"] = before

    def run(self, name: str, *args: str, input: str | None = None) -> Any:
        from fittrack.cli.app import app

        with self.at(name):
            return self.runner.invoke(app, list(args), input=input)

    def ok(self, name: str, *args: str, input: str | None = None) -> Any:
        """Run a command that must succeed (and never show a traceback)."""
        result = self.run(name, *args, input=input)
        assert result.exit_code == 0, (name, args, result.stdout, result.stderr, result.exception)
        assert "Traceback" not in result.stderr
        return result

    def json(self, name: str, *args: str) -> Any:
        return json.loads(self.ok(name, *args, "--json").stdout)

    def sync(self, name: str) -> dict[str, Any]:
        report: dict[str, Any] = self.json(name, "sync")
        return report


# --- state, for comparison --------------------------------------------------------------------


def _utc(text: str | None) -> datetime | None:
    """A stored naive-UTC text or an ISO string with offset, as an aware UTC datetime."""
    if text is None:
        return None
    moment = datetime.fromisoformat(str(text))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _moment(text: str) -> datetime:
    moment = _utc(text)
    assert moment is not None
    return moment


@dataclass(frozen=True)
class Row:
    """What must agree between devices: every field of one activity or goal, tombstones
    included (``row["note"]``)."""

    values: tuple[tuple[str, Any], ...]
    deleted: bool
    updated_at: datetime

    def __getitem__(self, key: str) -> Any:
        return dict(self.values)[key]


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def _activity(values: dict[str, Any], *, exact_times: bool) -> Row:
    """An activity from the columns of a device (``start_at`` naive UTC text, the offset apart)
    or the ACTIVITY JSON of the server (``start`` with its offset)."""
    if "start_at" in values:
        start, end = _moment(values["start_at"]), _moment(values["end_at"])
        offset = int(values["utc_offset_min"])
    else:
        shown = datetime.fromisoformat(values["start"])
        start, end = _moment(values["start"]), _moment(values["end"])
        offset = round((shown.utcoffset() or timedelta()).total_seconds() / 60)
    if not exact_times:  # as the ACTIVITY JSON shows them: to the second
        start, end = start.replace(microsecond=0), end.replace(microsecond=0)
    row = {
        "type": values["type"],
        "start": start,
        "end": end,
        "utc_offset_min": offset,
        "duration_s": _number(values["duration_s"]),
        "distance_m": _number(values["distance_m"]),
        "calories_kcal": _number(values["calories_kcal"]),
        "calories_estimated": bool(values["calories_estimated"]),
        "workload": _number(values["workload"]),
        "note": values["note"],
        "source": values["source"],
        "created_at": _utc(values["created_at"]),
        "deleted_at": _utc(values["deleted_at"]),
    }
    return Row(tuple(row.items()), row["deleted_at"] is not None, _moment(values["updated_at"]))


def _goal(values: dict[str, Any]) -> Row:
    pauses = values["pauses"]
    spans = tuple(
        tuple(span) for span in (json.loads(pauses) if isinstance(pauses, str) else pauses)
    )
    row = {
        "name": values["name"],
        "period": values["period"],
        "metric": values["metric"],
        "target": _number(values["target"]),
        "activity_type": values["activity_type"],
        "start_date": str(values["start_date"]),
        "end_date": None if values["end_date"] is None else str(values["end_date"]),
        "paused": bool(values["paused"]),
        "pauses": spans,
        "created_at": _utc(values["created_at"]),
        "deleted_at": _utc(values["deleted_at"]),
    }
    return Row(tuple(row.items()), row["deleted_at"] is not None, _moment(values["updated_at"]))


@dataclass
class State:
    activities: dict[str, Row]
    goals: dict[str, Row]
    profile: tuple[Any, ...] | None = None
    """(weight_kg, timezone, units, week_start, updated_at), or None when never set."""

    def live_activities(self) -> set[str]:
        return {i for i, row in self.activities.items() if not row.deleted}


ACTIVITY_COLUMNS = (
    "id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, calories_kcal, "
    "calories_estimated, workload, note, source, created_at, updated_at, deleted_at"
)
GOAL_COLUMNS = (
    "id, name, period, metric, target, activity_type, start_date, end_date, paused, pauses, "
    "created_at, updated_at, deleted_at"
)


def device_state(db_file: Path, *, exact_times: bool = False) -> State:
    """Every activity and goal in a device's SQLite file, deleted ones included."""
    with closing(sqlite3.connect(db_file)) as conn:
        conn.row_factory = sqlite3.Row
        activities = {
            row["id"]: _activity(dict(row), exact_times=exact_times)
            for row in conn.execute(f"SELECT {ACTIVITY_COLUMNS} FROM activity")
        }
        goals = {
            row["id"]: _goal(dict(row)) for row in conn.execute(f"SELECT {GOAL_COLUMNS} FROM goal")
        }
        profiles = conn.execute(
            "SELECT weight_kg, timezone, units, week_start, updated_at FROM profile "
            "WHERE deleted_at IS NULL"
        ).fetchall()
    assert len(profiles) <= 1, profiles
    profile = None
    if profiles:
        weight, zone, units, week_start, updated = profiles[0]
        profile = (_number(weight), zone, units, week_start, _moment(updated))
    return State(activities, goals, profile)


def sync_state(db_file: Path) -> dict[str, str]:
    with closing(sqlite3.connect(db_file)) as conn:
        return dict(conn.execute("SELECT key, value FROM sync_state").fetchall())


def dump(db_file: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables sync touches, exactly as stored (to prove nothing changed)."""
    with closing(sqlite3.connect(db_file)) as conn:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in ("activity", "goal", "profile", "sync_state")
        }


def waiting(db_file: Path, table: str = "activity") -> int:
    """Rows changed on the device and not yet confirmed by the server (``change_seq`` NULL)."""
    with closing(sqlite3.connect(db_file)) as conn:
        return int(
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE change_seq IS NULL").fetchone()[0]
        )


def execute(db_file: Path, sql: str, *params: Any) -> None:
    with closing(sqlite3.connect(db_file)) as conn, conn:
        conn.execute(sql, params)


def _get(client: httpx.Client, path: str, params: dict[str, Any]) -> Any:
    """The JSON of a GET that must succeed, waiting out the server's rate limit if need be."""
    for _ in range(20):
        response = client.get(path, params=params)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "1")))
    assert response.status_code == 200, response.text
    return response.json()


def server_changes(client: httpx.Client) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every activity and goal of the token's user, tombstones included, page by page."""
    activities: list[dict[str, Any]] = []
    goals: list[dict[str, Any]] = []
    cursor = 0
    while True:
        page = _get(client, "/v1/changes", {"since": cursor, "limit": 500})
        activities += page["activities"]
        goals += page["goals"]
        cursor = page["cursor"]
        if not page["more"]:
            return activities, goals


def server_state(client: httpx.Client) -> State:
    activities, goals = server_changes(client)
    assert len({a["id"] for a in activities}) == len(activities), "an activity came twice"
    assert len({g["id"] for g in goals}) == len(goals), "a goal came twice"
    stored = _get(client, "/v1/profile", {})
    profile = None
    if stored["updated_at"] is not None:
        profile = (
            _number(stored["weight_kg"]),
            stored["timezone"],
            stored["units"],
            stored["week_start"],
            _moment(stored["updated_at"]),
        )
    return State(
        {a["id"]: _activity(a, exact_times=False) for a in activities},
        {g["id"]: _goal(g) for g in goals},
        profile,
    )


def server_live_ids(client: httpx.Client) -> list[str]:
    """The ids `GET /v1/activities` lists, following every page (duplicates kept, to count)."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor is not None:
            params["cursor"] = cursor
        page = _get(client, "/v1/activities", params)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def write_csv(path: Path, count: int, *, note: str = "generated", shift_min: int = 0) -> list[str]:
    """A fittrack CSV export of ``count`` plausible runs, three hours apart, ending well in the
    past (``shift_min`` minutes later, so two devices' files hold no near-duplicates)."""
    first = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3 * count + 24)
    first += timedelta(minutes=shift_min)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    lines = [CSV_HEADER]
    for n, activity_id in enumerate(ids):
        start = first + timedelta(hours=3 * n)
        end = start + timedelta(minutes=30)
        made = start.isoformat(timespec="microseconds")
        lines.append(
            f"{activity_id},run,{start.isoformat()},{end.isoformat()},1800.0,{5000 + n % 1000}.0,"
            f"350.0,false,300.0,{note} {n},csv,{made},{made}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids
