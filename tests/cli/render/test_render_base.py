"""What the render modules share: consoles sized to a terminal or whole in a pipe, plain piped
tables, figures in each sport's terms, and plurals."""

import ast
import io
from pathlib import Path

import pytest

import fittrack
from fittrack.cli.render import base
from fittrack.core.activity_types import BUILTIN_TYPES


def test_a_terminal_takes_its_width_from_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "60")
    assert base.console_for(Terminal()).width == 60
    assert base.console_for(io.StringIO()).width > 10_000  # a pipe: no width to cut at


def test_a_pipe_gets_whole_lines_without_trailing_spaces() -> None:
    pipe = io.StringIO()
    console = base.console_for(pipe)
    long = " ".join(["word"] * 40)
    console.print(long + "   ")
    console.print("[bold]marked[/]   ")
    console.file.flush()
    assert pipe.getvalue() == f"{long}\nmarked\n"  # one line, no markup, no padding


def test_a_piped_table_is_plain_aligned_text(capsys: pytest.CaptureFixture[str]) -> None:
    columns = [base.Column("name"), base.Column("n", right=True), base.Column("note", wrap=True)]
    base.table(base.stdout_console(), columns, [["run", "5", "a"], ["ride", "12", ""]])
    assert capsys.readouterr().out == "name   n  note\nrun    5  a\nride  12\n"


@pytest.mark.parametrize(
    ("count", "one", "many", "said"),
    [
        (1, "activity", "activities", "1 activity"),
        (2, "activity", "activities", "2 activities"),
        (0, "file", None, "0 files"),
        (1, "file", None, "1 file"),
    ],
)
def test_plural(count: int, one: str, many: str | None, said: str) -> None:
    assert base.plural(count, one, many) == said


def test_a_types_figure_comes_from_the_caller_a_built_in_type_or_is_pace() -> None:
    kinds = {k.slug: k for k in BUILTIN_TYPES}
    assert base.figure_of(kinds["ride"]) == "speed"
    assert base.figure_of(kinds["yoga"]) is None  # its distance means nothing
    assert base.figure_for("ride", None) == "speed"
    assert base.figure_for("swim", {}) == "pace100"
    assert base.figure_for("skate", None) == "pace"  # a custom type nobody looked up
    assert base.figure_for("skate", {"skate": "speed"}) == "speed"


def test_a_swim_distance_stays_in_metres_or_yards() -> None:
    assert base.sport_distance(3800, "swim", "metric", None) == "3800 m"
    assert base.sport_distance(3800, "swim", "imperial", None) == "4156 yd"
    assert base.sport_distance(3800, "run", "metric", None) == "3.80 km"


def test_only_the_render_package_imports_rich() -> None:
    package = Path(fittrack.__file__).parent
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "rich" for name in names):
                importers.add(path.relative_to(package).parent.as_posix())
    assert importers == {"cli/render"}
