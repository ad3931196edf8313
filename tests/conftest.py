"""Every test gets its own data directory: no test can touch a real person's log."""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from tests.helpers import Invoke
from typer.testing import CliRunner, Result

from fittrack.cli.app import app

# CI runs the same examples every time, so a red run is reproducible and a green one is not luck;
# locally Hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def fittrack_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("FITTRACK_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "80")  # what a pipe gets: tables must read well at 80
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
