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


def _rich_in_a_pipe(*objects: object) -> str:
    """What Rich itself prints for ``objects`` in a pipe (the reference the plain console
    must match): no colour, no width to wrap at, no trailing spaces."""
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=32_767, color_system=None, highlight=False).print(*objects)
    return "\n".join(line.rstrip(" ") for line in out.getvalue().split("\n"))


@pytest.mark.parametrize(
    "markup",
    [
        "plain words",
        "[bold]bold[/] and [dim]dim[/dim]",
        "[green]✓[/] Logged [bold]run[/] · 5.00 km in 1:05:00 (5:30 /km) · id [cyan]ab12[/]",
        base.escape("a goal named [red]x[/] with \\[brackets] and a \\"),
        "escaped \\[bold] tag and \\\\[bold]two backslashes[/bold]",
        "emoji :fire: and :not_an_emoji: and 07:30:00",
        "[link=https://example.org]a link[/link] [#ff0000]hex[/]",
        "control\rcharacters\x07 dropped",
        "  indented, trailing   ",
        "a [ lone bracket ] and [1] and list[0]",
    ],
)
def test_the_plain_console_prints_markup_as_rich_does(markup: str) -> None:
    pipe = io.StringIO()
    base.console_for(pipe).print(markup)
    assert pipe.getvalue() == _rich_in_a_pipe(markup)


@pytest.mark.parametrize(
    "text",
    [
        base.Text("a note [/red] taken literally :fire:"),
        base.Text.assemble(("name", "bold"), "  (ab12cd34)", style="dim"),
        base.Text("tab\there, cr\rgone"),
        base.Text("line one\nline two") + base.Text(" more", style="green"),
    ],
    ids=repr,
)
def test_a_text_reads_the_same_in_rich_and_in_a_pipe(text: base.Text) -> None:
    pipe = io.StringIO()
    base.console_for(pipe).print(text)
    assert pipe.getvalue() == _rich_in_a_pipe(text)


def test_a_piped_grid_is_richs_grid_without_rich() -> None:
    from rich.table import Table

    rows = [("id", "ab12"), ("note", base.Text("two\nlines [b]")), ("moving time", "27:30")]
    pipe = io.StringIO()
    base.grid(base.console_for(pipe), rows)
    reference = Table.grid(padding=(0, 2))
    reference.add_column(style="bold")
    reference.add_column()
    for key, value in rows:
        reference.add_row(key, value)
    assert pipe.getvalue() == _rich_in_a_pipe(reference)


def test_a_terminal_table_keeps_every_value_and_wraps_only_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(
        base,
        "stdout_console",
        lambda: Console(file=screen, width=40, force_terminal=True, color_system=None),
    )
    columns = [base.Column("id", style="cyan"), base.Column("kcal", right=True)]
    columns.append(base.Column("note", wrap=True))
    note = "legs heavy after the hills, then a long cool down"
    base.table(base.stdout_console(), columns, [["ab12", "337", note], ["cd34", "1260", ""]])
    lines = screen.getvalue().splitlines()
    assert lines[0] == "id    kcal  note"
    assert lines[1].startswith("ab12   337  legs heavy")
    assert all(len(line) <= 40 and line == line.rstrip() for line in lines)
    continued = [line for line in lines[2:-1]]
    assert all(line.startswith(" " * 12) for line in continued)  # under the note's column
    assert " ".join(line.strip() for line in lines[1:-1]).endswith(note)
    assert lines[-1] == "cd34  1260"
