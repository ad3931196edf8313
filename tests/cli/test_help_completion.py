"""Help that orients (bare `fittrack`, panels, named arguments) and shell completion."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import shellingham
from tests.helpers import Invoke
from typer.testing import CliRunner

from fittrack.cli import complete
from fittrack.cli.app import app
from fittrack.cli.docs import command_paths
from fittrack.core.activity_types import BUILTIN_TYPES

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

BUILTIN = [t.slug for t in BUILTIN_TYPES]


# --- bare fittrack, panels, names -----------------------------------------------------------------


def test_bare_fittrack_prints_where_to_begin_and_exits_0(cli: Invoke) -> None:
    result = cli()
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) <= 12  # an overview, not the reference
    assert "Usage:" not in result.stdout
    for first in (
        "fittrack log run 5k 27:30",
        "fittrack status",
        "fittrack list",
        "fittrack goal add 20km --per week",
        "fittrack --help",
    ):
        assert any(line.strip().startswith(first) for line in lines), first


def _panels(help_text: str) -> dict[str, str]:
    """Each command of a help screen (Rich's on a terminal, Click's plain one in a pipe) and the
    panel it is listed in."""
    found: dict[str, str] = {}
    panel = None
    for line in help_text.splitlines():
        header = re.match(r"╭─ (.+?) ─|(\w[\w ]*):$", line)
        if header:
            panel = header.group(1) or header.group(2)
            continue
        row = re.match(r"(?:│|) {1,2}([a-z]\S*)\s", line)
        if row and panel:
            found[row.group(1)] = panel
    return found


PANELS = [
    ("log", "Tracking"),
    ("list", "Tracking"),
    ("show", "Tracking"),
    ("edit", "Tracking"),
    ("delete", "Tracking"),
    ("status", "Tracking"),
    ("summary", "Tracking"),
    ("goal", "Goals"),
    ("progress", "Goals"),
    ("export", "Data"),
    ("import", "Data"),
    ("types", "Data"),
    ("profile", "Data"),
    ("login", "Sync"),
    ("logout", "Sync"),
    ("sync", "Sync"),
    ("config", "Sync"),
    ("serve", "Server administration"),
    ("server", "Server administration"),
]


@pytest.mark.parametrize(("command", "panel"), PANELS)
def test_help_lists_each_command_in_its_panel(cli: Invoke, command: str, panel: str) -> None:
    result = cli("--help")
    assert result.exit_code == 0, result.output
    assert _panels(result.stdout)[command] == panel


def test_help_leaves_no_command_outside_a_panel(cli: Invoke) -> None:
    panels = _panels(cli("--help").stdout)
    assert "Commands" not in panels.values()
    assert list(dict.fromkeys(panels.values())) == [
        "Tracking",
        "Goals",
        "Data",
        "Sync",
        "Server administration",
    ]


def test_the_plain_reference_has_the_panels_too() -> None:
    text = (Path(__file__).parents[2] / "docs" / "cli.md").read_text()
    root = text.split("## `fittrack log`")[0]
    for panel, command in (
        ("Tracking", "log"),
        ("Goals", "goal"),
        ("Server administration", "serve"),
    ):
        assert f"\n{panel}:\n  {command} " in root


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "fittrack")
def test_no_help_shows_a_type_or_a_braced_name(cli: Invoke, path: list[str]) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    assert not re.search(r"<(str|int|float|path|text|integer)>|\{[A-Z_]+\}", result.stdout), (
        result.stdout
    )


@pytest.mark.parametrize(
    ("path", "usage"),
    [
        (["log"], "fittrack log [OPTIONS] TYPE [DISTANCE] [DURATION]"),
        (["edit"], "fittrack edit [OPTIONS] ID [DISTANCE] [DURATION]"),
        (["show"], "fittrack show [OPTIONS] ID"),
        (["delete"], "fittrack delete [OPTIONS] ID"),
        (["goal", "add"], "fittrack goal add [OPTIONS] TARGET"),
        (["goal", "pause"], "fittrack goal pause [OPTIONS] ID"),
        (["progress"], "fittrack progress [OPTIONS] [GOAL_ID]"),
        (["import"], "fittrack import [OPTIONS] FILE..."),
        (["types", "add"], "fittrack types add [OPTIONS] NAME"),
        (["config", "get"], "fittrack config get [OPTIONS] KEY"),
        (["config", "set"], "fittrack config set [OPTIONS] KEY VALUE"),
        (["server", "user", "remove"], "fittrack server user remove [OPTIONS] EMAIL"),
        (["server", "token", "list"], "fittrack server token list [OPTIONS] [EMAIL]"),
        (["server", "token", "revoke"], "fittrack server token revoke [OPTIONS] ID"),
    ],
)
def test_arguments_have_names_in_usage(cli: Invoke, path: list[str], usage: str) -> None:
    result = cli(*path, "--help")
    assert f"Usage: {usage}" in [line.strip() for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("path", "option", "name"),
    [
        (["log"], "--start", "WHEN"),
        (["log"], "--distance", "DISTANCE"),
        (["log"], "--duration", "DURATION"),
        (["log"], "--note", "TEXT"),
        (["list"], "--from", "DATE"),
        (["list"], "--type", "TYPE"),
        (["list"], "--limit", "N"),
        (["goal", "add"], "--per", "PERIOD"),
        (["export"], "--out", "FILE"),
        (["profile", "set"], "--week-start", "DAY"),
        (["login"], "--server", "URL"),
        (["serve"], "--port", "PORT"),
    ],
)
def test_options_name_their_values(cli: Invoke, path: list[str], option: str, name: str) -> None:
    result = cli(*path, "--help")
    assert re.search(rf"{option}\s+(?:-\w\s+)?{name}\s", result.stdout), result.stdout


# --- what completion offers -----------------------------------------------------------------------


def _values(candidates: list[tuple[str, str]]) -> list[str]:
    return [value for value, _help in candidates]


@pytest.mark.parametrize(
    ("incomplete", "expected"),
    [
        ("", [*BUILTIN, "climbing"]),
        ("r", ["run", "ride", "row"]),
        ("R", ["run", "ride", "row"]),
        ("cl", ["climbing"]),
        ("c", ["circuit", "climbing"]),
        ("zz", []),
    ],
)
def test_activity_types_complete_from_built_in_and_custom_types(
    cli: Invoke, incomplete: str, expected: list[str]
) -> None:
    assert cli("types", "add", "climbing", "--met", "5.8").exit_code == 0
    assert _values(complete.activity_types(incomplete)) == expected


@pytest.mark.fresh_home
def test_without_a_log_completion_offers_built_in_types_and_creates_nothing(
    fittrack_home: Path,
) -> None:
    assert _values(complete.activity_types("")) == BUILTIN
    assert complete.goal_ids("") == []
    assert not fittrack_home.exists()


@pytest.mark.fresh_home
@pytest.mark.parametrize("content", [b"not a database at all", b""])
def test_an_unreadable_log_gives_built_in_types_and_stays_as_it_was(
    db_file: Path, content: bytes
) -> None:
    db_file.parent.mkdir(parents=True)
    db_file.write_bytes(content)
    assert _values(complete.activity_types("")) == BUILTIN
    assert complete.goal_ids("") == []
    assert db_file.read_bytes() == content


def test_a_log_of_an_older_schema_is_not_migrated_by_a_tab(cli: Invoke, db_file: Path) -> None:
    assert cli("types", "add", "climbing", "--met", "5.8").exit_code == 0
    conn = sqlite3.connect(db_file)
    conn.execute("PRAGMA user_version = 5")
    conn.close()
    assert _values(complete.activity_types("cl")) == []
    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    finally:
        conn.close()


def _goal(cli: Invoke, *args: str) -> str:
    result = cli("goal", "add", *args, "--json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def test_goal_ids_complete_live_goals_with_their_names(cli: Invoke) -> None:
    weekly = _goal(cli, "20km", "--per", "week", "--name", "Weekly distance")
    daily = _goal(cli, "30min", "--per", "day")
    gone = _goal(cli, "3times", "--per", "week")
    assert cli("goal", "delete", gone, "--yes").exit_code == 0
    offered = complete.goal_ids("")
    assert sorted(_values(offered)) == sorted([weekly, daily])
    assert dict(offered)[weekly] == "Weekly distance"
    assert dict(offered)[daily] != ""
    assert _values(complete.goal_ids(weekly[:8])) == [weekly]
    assert _values(complete.goal_ids(gone)) == []


# --- completion through the shell protocol --------------------------------------------------------


def _complete(shell: str, words: str) -> list[str]:
    """What the shell would offer after ``words`` (a trailing space: a new word begins)."""
    if shell == "bash":
        parts = words.split(" ")
        env = {"COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    else:
        env = {"_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    env["_FITTRACK_COMPLETE"] = f"complete_{shell}"
    result = CliRunner().invoke(app, [], env=env)
    assert result.exit_code == 0, result.output
    if shell == "zsh":
        return re.findall(r'"([^"]+)"(?::"[^"]*")?', result.stdout)
    return [line.split("\t")[0] for line in result.stdout.splitlines() if line]


@pytest.fixture
def log_with_goal(cli: Invoke) -> str:
    assert cli("types", "add", "climbing", "--met", "5.8").exit_code == 0
    return _goal(cli, "20km", "--per", "week")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("fittrack go", ["goal"]),
        ("fittrack log cl", ["climbing"]),
        ("fittrack log ru", ["run"]),
        ("fittrack list --type cl", ["climbing"]),
        ("fittrack edit 1234 --type cl", ["climbing"]),
        ("fittrack import x.gpx --type cl", ["climbing"]),
        ("fittrack goal add 20km --per week --type cl", ["climbing"]),
        ("fittrack goal pause ", ["GOAL"]),
        ("fittrack goal delete ", ["GOAL"]),
        ("fittrack progress ", ["GOAL"]),
        ("fittrack config get a", ["auto_sync"]),
    ],
)
def test_the_shell_is_offered_commands_types_and_goal_ids(
    log_with_goal: str, shell: str, words: str, expected: list[str]
) -> None:
    expected = [log_with_goal if value == "GOAL" else value for value in expected]
    assert _complete(shell, words) == expected


def test_commands_complete_in_the_order_of_help(log_with_goal: str) -> None:
    assert _complete("bash", "fittrack s") == [
        "show",
        "status",
        "summary",
        "sync",
        "serve",
        "server",
    ]


# --- --show-completion and --install-completion ---------------------------------------------------

SCRIPT_MARK = {
    "bash": "complete -o default -F _fittrack_completion fittrack",
    "zsh": "#compdef fittrack",
    "fish": "complete --command fittrack",
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_named_shells_script(cli: Invoke, shell: str) -> None:
    result = cli("--show-completion", shell)
    assert result.exit_code == 0, result.output
    assert SCRIPT_MARK[shell] in result.stdout
    assert f"_FITTRACK_COMPLETE=complete_{shell}" in result.stdout


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_show_completion_detects_the_shell(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, shell: str
) -> None:
    monkeypatch.setattr(shellingham, "detect_shell", lambda: (shell, f"/usr/bin/{shell}"))
    result = cli("--show-completion")
    assert result.exit_code == 0, result.output
    assert SCRIPT_MARK[shell] in result.stdout


def _undetectable() -> tuple[str, str]:
    raise shellingham.ShellDetectionFailure()


def test_an_undetectable_shell_falls_back_on_SHELL(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shellingham, "detect_shell", _undetectable)
    monkeypatch.setenv("SHELL", "/usr/local/bin/zsh")
    result = cli("--show-completion")
    assert result.exit_code == 0, result.output
    assert SCRIPT_MARK["zsh"] in result.stdout


@pytest.mark.parametrize(
    ("args", "shell_env", "words"),
    [
        (["--show-completion", "tcsh"], "/bin/bash", ["the shell 'tcsh'", "bash, zsh, fish"]),
        (["--install-completion", "tcsh"], "/bin/bash", ["the shell 'tcsh'"]),
        (["--show-completion"], "", ["an unknown shell", "name one of bash, zsh, fish"]),
        (["--show-completion"], "/bin/csh", ["the shell 'csh'"]),
    ],
)
def test_a_shell_without_completion_is_refused_in_one_line(
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    shell_env: str,
    words: list[str],
) -> None:
    monkeypatch.setattr(shellingham, "detect_shell", _undetectable)
    monkeypatch.setenv("SHELL", shell_env)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: no completion for ")
    assert result.stderr.count("\n") == 1
    for word in words:
        assert word in result.stderr
    assert not (tmp_path / "user").exists()


@pytest.mark.parametrize(
    ("shell", "script", "rc"),
    [
        ("bash", ".bash_completions/fittrack.sh", (".bashrc", ".bash_completions/fittrack.sh")),
        ("zsh", ".zfunc/_fittrack", (".zshrc", ".zfunc")),
        ("fish", ".config/fish/completions/fittrack.fish", None),
    ],
)
def test_install_completion_writes_the_script_where_the_shell_reads_it(
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    shell: str,
    script: str,
    rc: tuple[str, str] | None,
) -> None:
    home = tmp_path / "user"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    result = cli("--install-completion", shell)
    assert result.exit_code == 0, result.output
    assert f"{shell} completion installed in" in result.stdout
    assert f"_FITTRACK_COMPLETE=complete_{shell}" in (home / script).read_text()
    if rc is not None:  # the shell's startup file now reads the script
        assert rc[1] in (home / rc[0]).read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_in_a_real_bash(cli: Invoke, fittrack_home: Path) -> None:
    assert cli("types", "add", "climbing", "--met", "5.8").exit_code == 0
    script = cli("--show-completion", "bash").stdout
    program = (
        f"{script}\n"
        "COMP_WORDS=(fittrack log cl); COMP_CWORD=2; _fittrack_completion fittrack\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    # The fittrack of this interpreter's environment, found on PATH as the script expects.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, "FITTRACK_HOME": str(fittrack_home)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["climbing"]


# --- listing the commands builds none of them -----------------------------------------------------


def test_each_summary_is_the_first_paragraph_of_its_commands_help() -> None:
    """`_SUMMARIES` says what a listing shows without building the commands: it must be what
    building them would show (paste the right side into cli/app.py when this fails)."""
    import inspect

    from fittrack.cli.app import _COMMANDS, _SUMMARIES, _build

    real = {name: inspect.cleandoc(_build(name).help or "").split("\n\n")[0] for name in _COMMANDS}
    assert real == _SUMMARIES


@pytest.mark.parametrize(
    "args",
    [["--help"], ["-h"]],
)
@pytest.mark.parametrize("width", ["120", "60"])
def test_help_from_the_summaries_is_the_help_of_the_commands(
    args: list[str], width: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fittrack.cli import app as app_module

    env = {"COLUMNS": width}
    listed = CliRunner().invoke(app, args, env=env)
    monkeypatch.setattr(app_module, "_SUMMARIES", {})
    built = CliRunner().invoke(app, args, env=env)
    assert listed.exit_code == built.exit_code == 0
    assert listed.stdout == built.stdout
    assert "Record an activity." in listed.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("words", ["fittrack ", "fittrack s", "fittrack goal ", "fittrack log r"])
def test_completion_from_the_summaries_is_that_of_the_commands(
    shell: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fittrack.cli import app as app_module

    listed = _complete(shell, words)
    monkeypatch.setattr(app_module, "_SUMMARIES", {})
    assert listed == _complete(shell, words)
    assert listed


def _on_a_terminal(*args: str) -> str:
    """What ``fittrack ARGS`` writes to a terminal (a pseudo-terminal 120 columns wide)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    for name in ("NO_COLOR", "COLUMNS", "TYPER_USE_RICH"):  # fittrack.cli.docs sets the last
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "fittrack", *args], stdout=slave, stderr=subprocess.PIPE, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed: all is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.stderr is not None
    with process.stderr:
        errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, errors
    text = b"".join(chunks).decode()
    return re.sub(r"\x1b\[[0-9;]*m", "", text)  # the colours, not the words


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["goal", "add", "--help"], "First day of the goal [default: today]."),
        (["import", "--help"], "metric or imperial [default: your profile's]."),
        (["summary", "--help"], "This month [the default]."),
    ],
    ids=["goal add", "import", "summary"],
)
def test_brackets_in_help_show_on_a_terminal_too(args: list[str], words: str) -> None:
    # Rich help takes "[default: today]" for markup and drops it unless it is escaped.
    shown = " ".join(_on_a_terminal(*args).split())  # lines joined, box edges and all
    assert " ".join(words.split()) in shown.replace(" │ ", " "), shown
