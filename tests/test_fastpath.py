"""The structure that keeps everyday commands fast (timings live in bench/, not here)."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fittrack.storage import activities, db

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "httpx", "pydantic", "gpxpy", "fitdecode")

_PROBE = """
import json, sys
from fittrack.cli.app import main
sys.argv = ["fittrack", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy})), file=sys.stderr)
sys.exit(code)
"""


def _modules_loaded_by(home: Path, *args: str, env: dict[str, str] | None = None) -> list[str]:
    env = {**os.environ, "FITTRACK_HOME": str(home), **(env or {})}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=set(HEAVY)), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["list", "--from", "-7d", "--type", "run"],
        ["status"],
        ["status", "--json"],
        ["progress"],
        ["summary"],
        ["goal", "list"],
        ["log", "walk", "5k", "50:00", "--json"],  # not a double of the run before
        ["show", "PREFIX"],
    ],
    ids=lambda a: " ".join(a),
)
def test_everyday_commands_import_no_heavy_module(fittrack_home: Path, args: list[str]) -> None:
    db.connect(fittrack_home / "fittrack.db").close()  # created and migrated beforehand
    first = _modules_loaded_by(fittrack_home, "log", "run", "5k", "27:30")
    assert first == []
    assert _modules_loaded_by(fittrack_home, "goal", "add", "20km", "--per", "week") == []
    if "PREFIX" in args:
        conn = sqlite3.connect(fittrack_home / "fittrack.db")
        args = [
            a.replace("PREFIX", conn.execute("SELECT id FROM activity").fetchone()[0][:6])
            for a in args
        ]
    assert _modules_loaded_by(fittrack_home, *args) == []


def _new_modules(code: str) -> set[str]:
    """The modules ``code`` imports beyond those of ``import typer`` (which every run pays)."""
    probe = (
        "import sys, json, typer\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def test_completion_costs_ordinary_commands_no_import() -> None:
    # Typer's completion machinery (shellingham, its completion classes) comes with `import
    # typer` itself; turning completion on must add nothing to that, and our callbacks'
    # module must import nothing but the standard library until the shell asks.
    assert not {m for m in _new_modules("import fittrack.cli.app") if "completion" in m}
    assert not {m for m in _new_modules("import fittrack.cli.app") if "shellingham" in m}
    loaded = _new_modules("import fittrack.cli.complete")
    assert loaded, "the probe must see the module it imports"
    assert {m for m in loaded if m.startswith("fittrack")} <= {
        "fittrack",
        "fittrack.cli",
        "fittrack.cli.complete",
    }


def test_completing_imports_nothing_heavy(fittrack_home: Path) -> None:
    conn = db.connect(fittrack_home / "fittrack.db")
    conn.close()
    words = {
        "_FITTRACK_COMPLETE": "complete_bash",
        "COMP_WORDS": "fittrack log r",
        "COMP_CWORD": "2",
    }
    assert _modules_loaded_by(fittrack_home, env=words) == []
    result = subprocess.run(
        [sys.executable, "-m", "fittrack"],
        capture_output=True,
        text=True,
        env={**os.environ, "FITTRACK_HOME": str(fittrack_home), **words},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["run", "ride", "row"]


def _plan(conn: sqlite3.Connection, sql: str, params: Any) -> str:
    return " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_list_query_uses_the_start_index(db_file: Path) -> None:
    conn = db.connect(db_file)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    for kwargs in (
        {"start": None, "end": None, "limit": 20},
        {"start": start, "end": end, "limit": 20},
        {"start": start, "end": None, "types": ("run",), "limit": None},
    ):
        sql, params = activities.list_query(**kwargs)  # type: ignore[arg-type]
        plan = _plan(conn, sql, params)
        # The start index, or (one type) the (type, start) index: both read in time order.
        assert "USING INDEX ix_activity_start_at" in plan or (
            "USING INDEX ix_activity_type_start_at (type=? AND start_at>?)" in plan
        ), plan
        assert "TEMP B-TREE" not in plan, plan


def test_id_prefix_lookup_uses_the_primary_key(db_file: Path) -> None:
    conn = db.connect(db_file)
    plan = _plan(conn, activities.FIND_SQL, ["abcd", "abcd~"])
    assert "INDEX sqlite_autoindex_activity_1 (id>? AND id<?)" in plan, plan


@pytest.mark.parametrize("metric", ["distance", "duration", "count", "calories"])
@pytest.mark.parametrize("activity_type", [None, "run"])
@pytest.mark.parametrize("owned", [False, True])
def test_goal_aggregate_is_one_indexed_range_query(
    db_file: Path, metric: str, activity_type: str | None, owned: bool
) -> None:
    from fittrack.storage.aggregates import period_total_sql

    conn = db.connect(db_file)
    params = {
        "start": "2026-11-23 00:00:00.000000",
        "end": "2026-11-30 00:00:00.000000",
        "type": activity_type,
        "owner": "someone",
    }
    sql = period_total_sql(metric, typed=activity_type is not None, owned=owned)
    plan = _plan(conn, sql, params)
    # Read from the index alone: it carries what a period's totals add up (migration 0011).
    if owned:  # the server's form: one owner's range, even for a goal of one type
        index = "ix_activity_owner_start_at"
    else:
        index = "ix_activity_type_start_at" if activity_type else "ix_activity_start_at"
    assert f"SEARCH activity USING COVERING INDEX {index}" in plan, plan
    assert "start_at>? AND start_at<?" in plan, plan


def test_list_of_one_type_reads_only_that_type(db_file: Path) -> None:
    conn = db.connect(db_file)
    sql, params = activities.list_query(start=None, end=None, types=("swim",), limit=20)
    plan = _plan(conn, sql, params)
    assert "USING INDEX ix_activity_type_start_at (type=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("table", ["activity", "goal"])
def test_what_to_push_is_read_from_the_index_of_changed_rows(db_file: Path, table: str) -> None:
    from fittrack.storage.sync import changed_query

    conn = db.connect(db_file)
    # Statistics that say every row has the same (owner, change_seq), as a synced log's do.
    conn.execute("ANALYZE")
    with db.write(conn):
        conn.execute(
            "INSERT INTO sqlite_stat1 VALUES (?, ?, '100000 100000 100000')",
            (table, f"ix_{table}_owner_change_seq"),
        )
    conn.execute("ANALYZE sqlite_schema")
    plan = _plan(conn, changed_query(table, "id"), ["", 500])
    assert f"SEARCH {table} USING INDEX ix_{table}_changed (id>?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


_COMMAND_PROBE = """
import json, sys
from fittrack.cli.app import main
sys.argv = ["fittrack", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("fittrack.cli."))), file=sys.stderr)
"""


def _cli_modules_loaded(
    env: dict[str, str], args: list[str]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run fittrack ``args`` under ``_COMMAND_PROBE``: the run, and the fittrack.cli modules
    it imported."""
    result = subprocess.run(
        [sys.executable, "-c", _COMMAND_PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return result, set(json.loads(result.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("args", "module"),
    [(["list", "--json"], "activities"), (["status"], "status"), (["goal", "list"], "goals")],
)
def test_a_command_builds_only_its_own_module(
    fittrack_home: Path, args: list[str], module: str
) -> None:
    """The lazy group: `status` neither imports nor builds the parameters of thirty others."""
    _, loaded = _cli_modules_loaded({**os.environ, "FITTRACK_HOME": str(fittrack_home)}, args)
    assert f"fittrack.cli.{module}" in loaded
    others = {"serve", "sync", "data", "profile", "undo", "log", "goals", "activities", "status"}
    assert loaded & {f"fittrack.cli.{m}" for m in others} == {f"fittrack.cli.{module}"}


@pytest.mark.parametrize(
    "env",
    [{}, {"_FITTRACK_COMPLETE": "complete_bash", "COMP_WORDS": "fittrack ", "COMP_CWORD": "1"}],
    ids=["--help", "complete a command's name"],
)
def test_listing_the_commands_builds_none_of_them(fittrack_home: Path, env: dict[str, str]) -> None:
    """`fittrack --help` and completing a command's name list the commands from their
    summaries (cli/app.py's _SUMMARIES): no command module is imported."""
    env = {**os.environ, "FITTRACK_HOME": str(fittrack_home), **env}
    args = [] if "COMP_WORDS" in env else ["--help"]
    result, loaded = _cli_modules_loaded(env, args)
    assert "status" in result.stdout
    assert loaded <= {"fittrack.cli.app", "fittrack.cli.common", "fittrack.cli.complete"}, loaded


_MODULES_PROBE = """
import json, sys
from fittrack.cli.app import main
sys.argv = ["fittrack", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (["log", "walk", "5k", "50:00"], {"activities"}),
        (["list"], {"activities"}),
        (["show", "PREFIX"], {"activities"}),
        (["status"], {"status", "sync"}),
        (["goal", "list"], {"goals"}),
        (["list", "--json"], set()),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else ",".join(sorted(a)) or "none",
)
def test_a_command_loads_only_the_render_modules_it_prints_with(
    fittrack_home: Path, args: list[str], modules: set[str]
) -> None:
    """The render package: `list` loads what the activity commands print (and the shared base),
    not what `summary` or `import` print; machine output loads none of it. Piped (as here),
    none of them loads Rich: a pipe gets plain text."""
    env = {**os.environ, "FITTRACK_HOME": str(fittrack_home)}

    def run(*argv: str) -> set[str]:
        result = subprocess.run(
            [sys.executable, "-c", _MODULES_PROBE, *argv],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return set(json.loads(result.stderr.strip().splitlines()[-1]))

    run("log", "run", "5k", "27:30", "--json")
    if "PREFIX" in args:
        conn = sqlite3.connect(fittrack_home / "fittrack.db")
        prefix = conn.execute("SELECT id FROM activity").fetchone()[0][:6]
        conn.close()
        args = [prefix if a == "PREFIX" else a for a in args]
    loaded = run(*args)
    expected = {f"fittrack.cli.render.{m}" for m in modules}
    if modules:
        expected |= {"fittrack.cli.render", "fittrack.cli.render.base"}
    assert {m for m in loaded if m.startswith("fittrack.cli.render")} == expected
    assert not {m for m in loaded if m.split(".")[0] == "rich"}


_TERMINAL_PROBE = """
import json, os, pty, subprocess, sys
master, slave = pty.openpty()
process = subprocess.Popen(
    [sys.executable, "-c", sys.argv[1], *sys.argv[2:]], stdout=slave, stderr=subprocess.PIPE
)
os.close(slave)
while True:
    try:
        if not os.read(master, 65536):
            break
    except OSError:
        break
print(process.stderr.read().decode(), end="", file=sys.stderr)
sys.exit(process.wait())
"""


@pytest.mark.parametrize("args", [["status"], ["list"]], ids=" ".join)
def test_a_terminal_gets_rich_and_a_pipe_does_not(fittrack_home: Path, args: list[str]) -> None:
    """The same command imports Rich for a person at a terminal (colour, tables fitted to its
    width), and not when its output goes to a pipe or a file."""
    env = {**os.environ, "FITTRACK_HOME": str(fittrack_home)}
    env.pop("NO_COLOR", None)
    subprocess.run(
        [sys.executable, "-m", "fittrack", "log", "run", "5k", "27:30"], env=env, check=True
    )

    def loaded(*command: str) -> set[str]:
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert result.returncode == 0, result.stderr
        return set(json.loads(result.stderr.strip().splitlines()[-1]))

    on_terminal = loaded(sys.executable, "-c", _TERMINAL_PROBE, _MODULES_PROBE, *args)
    piped = loaded(sys.executable, "-c", _MODULES_PROBE, *args)
    assert "rich.console" in on_terminal
    assert not {m for m in piped if m.split(".")[0] == "rich"}
