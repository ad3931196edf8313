"""Every test gets its own data directory: no test can touch a real person's log.

That directory starts empty, as a new person's does, unless the test (or its module, through
``pytestmark``) is marked ``migrated_home``: then it starts with an empty log at the newest
schema, a copy of the one the session migrated once (``migrated_template``). A copy costs well
under a millisecond; migrating costs ~0.1 s in this process, ~1 s in a new one (Alembic and
SQLAlchemy are imported for it). In a ``migrated_home`` module, a test marked ``fresh_home``
still starts empty: first use, permissions, migrations, and anything that asserts the database
was never created.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from tests.helpers import Invoke, copy_migrated
from typer.testing import CliRunner, Result

from fittrack.cli.app import app
from fittrack.paths import DB_FILENAME
from fittrack.storage import db

# CI runs the same examples every time, so a red run is reproducible and a green one is not luck;
# locally Hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "migrated_home: FITTRACK_HOME starts with an empty log at the newest schema "
        "(a copy of the session's migrated template) instead of an empty folder",
    )
    config.addinivalue_line(
        "markers",
        "fresh_home: FITTRACK_HOME starts as an empty folder even in a migrated_home module",
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the newest schema, made once per session by the real migrations
    (``db.connect`` on a new file, as fittrack's first command does). Copy it, never open it:
    ``copy_migrated`` puts it where a test wants a log."""
    path = tmp_path_factory.mktemp("migrated-template") / DB_FILENAME
    conn = db.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    finally:
        conn.close()
    # The last connection's close checkpoints the WAL away: the file alone is the whole database.
    assert sorted(p.name for p in path.parent.iterdir()) == [DB_FILENAME, f"{DB_FILENAME}.lock"]
    return path


@pytest.fixture(scope="session")
def one_ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA file holding one certificate (the first of certifi's bundle, which httpx uses).

    httpx builds an SSL context for every client, even one that only ever speaks plain HTTP,
    and loading certifi's ~120 certificates into it costs 20-30 ms of CPU each time: ~10 s in
    test_sync_property.py alone, where every command makes a client. With SSL_CERT_FILE naming
    this file (httpx reads it, ``sync_tls_env``) the context costs under a millisecond. The
    tests' servers are plain HTTP on loopback: no certificate is ever checked.
    """
    import certifi

    bundle = Path(certifi.where()).read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    first = bundle[bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index(end) + len(end)]
    path = tmp_path_factory.mktemp("ca") / "one-ca.pem"
    path.write_text(first + "\n", encoding="ascii")
    return path


@pytest.fixture
def sync_tls_env(monkeypatch: pytest.MonkeyPatch, one_ca_file: Path) -> None:
    """SSL_CERT_FILE set to ``one_ca_file`` for this test's clients, in this process and in
    the processes it starts (for the sync and deployment tests, whose servers are plain HTTP)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(one_ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture(autouse=True)
def fittrack_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("FITTRACK_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "80")  # what a pipe gets: tables must read well at 80
    node = request.node
    if node.get_closest_marker("migrated_home") and not node.get_closest_marker("fresh_home"):
        copy_migrated(request.getfixturevalue("migrated_template"), home)
    return home


@pytest.fixture
def db_file(fittrack_home: Path) -> Path:
    return fittrack_home / "fittrack.db"


@pytest.fixture
def cli() -> Invoke:
    """Run fittrack in-process; stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def cli_json(cli: Invoke) -> Callable[..., Any]:
    """Run a command with --json, check it succeeded, and return the parsed document."""

    def invoke(*args: str) -> Any:
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    return invoke
