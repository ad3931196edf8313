"""Write ``docs/cli.md`` from the commands' ``--help``.

Run ``python -m fittrack.cli.docs > docs/cli.md``. A test runs this and fails when the file is
stale, so the reference can never drift from the code.
"""

import os

# Plain help text (no Rich boxes) at a fixed width, so the output is the same on every machine.
os.environ["TYPER_USE_RICH"] = "0"
os.environ["COLUMNS"] = "100"

from typer.main import get_command
from typer.testing import CliRunner

from fittrack.cli.app import app


def command_paths() -> list[list[str]]:
    """Every command and group, as the words that call it (the root is ``[]``)."""
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk(command.get_command(None, name), [*path, name])  # type: ignore[attr-defined]

    walk(get_command(app), [])
    return paths


def render() -> str:
    """The whole reference as Markdown."""
    runner = CliRunner(env={"COLUMNS": "100", "TYPER_USE_RICH": "0"})
    parts = [
        "# Command reference\n",
        "Generated from `--help` by `python -m fittrack.cli.docs > docs/cli.md`; do not edit.\n",
    ]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"])
        title = " ".join(["fittrack", *path])
        parts.append(f"## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
