"""Every command explains itself, and docs/cli.md is what --help says."""

import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import Invoke

from fittrack.cli.docs import command_paths

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "fittrack")
def test_every_command_has_help_with_an_example(cli: Invoke, path: list[str]) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout, f"`fittrack {' '.join(path)}` --help has no example"


def test_docs_cli_md_is_current() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "fittrack.cli.docs"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert DOCS.read_text() == generated, (
        "docs/cli.md is stale: run `python -m fittrack.cli.docs > docs/cli.md`"
    )
