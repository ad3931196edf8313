"""Where fittrack meets the machine: ``core/`` does no I/O, and the clock is read in one place.

Both are checked on the source (an AST scan), so a new module is covered the day it is added.
The scan looks for what reaches outside the process: I/O modules, ``open``, the environment, the
clock and the system's zone. Reading the IANA tz database (``ZoneInfo``, ``available_timezones``)
is allowed: it is data that ships with Python, like the MET tables ship with fittrack.
"""

import ast
from pathlib import Path

import pytest

import fittrack

SRC = Path(fittrack.__file__).parent
CORE = SRC / "core"

# Modules whose every use is I/O (or starts a process, a thread, a log handler...).
IO_MODULES = {
    "asyncio",
    "dateutil.tz",
    "getpass",
    "glob",
    "http",
    "httpx",
    "io",
    "locale",
    "logging",
    "multiprocessing",
    "os",
    "pathlib",
    "platform",
    "requests",
    "select",
    "selectors",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "subprocess",
    "sys",
    "tempfile",
    "threading",
    "time",
    "urllib",
}
# fittrack's own modules that touch the machine: core may not lean on them either.
IO_PACKAGES = {
    "fittrack.cli",
    "fittrack.config",
    "fittrack.formats",
    "fittrack.importer",
    "fittrack.localzone",
    "fittrack.paths",
    "fittrack.server",
    "fittrack.storage",
    "fittrack.sync",
}
IO_CALLS = {"open", "input", "print", "breakpoint", "Path", "tzlocal"}
IO_ATTRIBUTES = {
    "environ",
    "getenv",
    "open",
    "read_bytes",
    "read_text",
    "write_bytes",
    "write_text",
    "tzlocal",
}
IO_NAMES = {"environ", "getenv", "__import__"}
CLOCK_METHODS = {"now", "utcnow", "today"}


def _is_io_module(name: str) -> bool:
    return any(
        name == forbidden or name.startswith(f"{forbidden}.")
        for forbidden in IO_MODULES | IO_PACKAGES
    )


def _clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """``datetime.now()``, ``date.today()``, ``datetime.utcnow()``: wherever they are written."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_METHODS
        ):
            found.append((node.lineno, f".{node.func.attr}()"))
    return found


def io_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) for each thing in ``source`` that reads or writes outside the process."""
    tree = ast.parse(source)
    found = _clock_reads(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {a.name}") for a in node.names if _is_io_module(a.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            if any(_is_io_module(name) for name in names):
                found.append((node.lineno, f"from {node.module} import ..."))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in IO_CALLS:
                found.append((node.lineno, f"{func.id}()"))
            elif (
                isinstance(func, ast.Attribute)
                and func.attr == "astimezone"
                and not node.args
                and not node.keywords
            ):
                # Without a zone, astimezone() converts to the machine's local zone.
                found.append((node.lineno, ".astimezone()"))
        elif isinstance(node, ast.Attribute) and node.attr in IO_ATTRIBUTES:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in IO_NAMES:
            found.append((node.lineno, node.id))
    return sorted(set(found))


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(CORE), ids=lambda p: p.name)
def test_core_does_no_io(path: Path) -> None:
    # Zones, clocks and files are read outside core (fittrack.localzone, the CLI's session) and
    # passed in, so every rule in core can be tested with fixed inputs.
    assert io_uses(path.read_text(encoding="utf-8")) == []


def test_the_cli_reads_the_clock_in_one_place() -> None:
    # Everything else receives the moment (a `now` argument), so no default argument or
    # default_factory reads the time and tests can fix it. The server keeps its own clock.
    reads = {
        f"{path.relative_to(SRC)}:{line}"
        for path in _modules(SRC)
        if "server" not in path.relative_to(SRC).parts
        for line, _ in _clock_reads(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert len(reads) == 1, reads
    (where,) = reads
    assert where.startswith("cli/common.py:")
    source = (SRC / "cli" / "common.py").read_text(encoding="utf-8")
    read_clock = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "read_clock"
    )
    assert read_clock.lineno <= int(where.split(":")[1]) <= (read_clock.end_lineno or 0)


@pytest.mark.parametrize(
    "source",
    [
        "import os",
        "import os.path",
        "from os import environ",
        "from pathlib import Path",
        "import time",
        "from time import time",
        "import sys",
        "from dateutil.tz import tzlocal",
        "from dateutil import tz",
        "from fittrack.localzone import system_timezone",
        "from fittrack import paths",
        "from fittrack.storage.db import connect",
        "x = open('/etc/timezone').read()",
        "x = Path('/etc/localtime')",
        "x = here.read_text()",
        "x = environ.get('TZ')",
        "x = datetime.now()",
        "x = datetime.now(UTC)",
        "x = date.today()",
        "x = datetime.utcnow()",
        "x = moment.astimezone()",
        "x = __import__('os')",
        "def f(now=datetime.now()): ...",
        "field(default_factory=lambda: datetime.now().astimezone())",
    ],
)
def test_the_scan_finds_io(source: str) -> None:
    assert io_uses(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import re\nfrom datetime import UTC, datetime, timezone\nfrom zoneinfo import ZoneInfo",
        "from dateutil.parser import isoparse",
        "from fittrack.core.moments import stamp\nfrom fittrack.errors import UsageError",
        "x = moment.astimezone(UTC)",
        "x = moment.astimezone(tz=zone)",
        "x = datetime.combine(day, time(), tzinfo=tz)",
        "x = ZoneInfo('Europe/Berlin')",
        "def f(now: datetime) -> datetime:\n    return now - timedelta(days=1)",
        "x = text.opening",
        "x = re.fullmatch(r'[0-9]+', text)",
    ],
)
def test_the_scan_leaves_pure_code_alone(source: str) -> None:
    assert io_uses(source) == []


def _private_imports(source: str) -> list[str]:
    """``from fittrack.x import _name`` and ``fittrack.x._name`` uses: a private name taken from
    another module (the module's own privates are fine)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fittrack"):
            found += [
                f"{node.module}.{a.name}"
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            ]
    return found


def test_the_private_import_scan_finds_them() -> None:
    assert _private_imports("from fittrack.storage.goals import _row_to_goal, load_goals") == [
        "fittrack.storage.goals._row_to_goal"
    ]
    assert _private_imports("from fittrack.core import dates\nfrom os import _exit") == []


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_private_name_is_imported_across_modules(path: Path) -> None:
    assert _private_imports(path.read_text()) == []
