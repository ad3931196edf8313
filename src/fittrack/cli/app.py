"""The ``fittrack`` command: the Typer app, its command groups, the one place errors become exits.

Command modules import only typer and ``core`` at the top; the database, Rich and anything heavy are
imported inside the commands that use them, so ``fittrack list`` starts in a fraction of a second.
"""

import gc

# Starting up makes thousands of objects that live as long as the process (Typer's and Click's
# classes and functions, then ours): a collection among them frees nothing. Collections wait
# until this module is imported, which then moves them out of the collector's sight for good
# (gc.freeze, at the end), so neither a later collection nor the one at exit walks them again:
# about 9 % of the instructions of a command (bench/commands.py, docs/performance.md).
_COLLECTING = gc.isenabled()
gc.disable()

import re  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import Annotated, Any  # noqa: E402

import typer  # noqa: E402
from typer.core import TyperArgument, TyperGroup, TyperOption  # noqa: E402

from fittrack import __version__  # noqa: E402
from fittrack.errors import DataError, FittrackError, UsageError  # noqa: E402


class FittrackGroup(TyperGroup):
    """The root group: turns every ``FittrackError`` into one red line on stderr and its exit
    code (0 / 1 / 2); names every parameter in help; lists commands in panels, in the order a
    person meets them; takes a shell's name after ``--show-completion``/``--install-completion``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_parameters(self)  # the root's own options; each command is named as it is built

    def invoke(self, ctx: Any) -> Any:
        from fittrack.cli.common import close_sessions

        try:
            return super().invoke(ctx)
        except FittrackError as exc:
            _fail(exc)
        except sqlite3.DatabaseError as exc:
            from fittrack.paths import db_path
            from fittrack.storage.db import database_error

            _fail(database_error(db_path(), exc))
        finally:
            close_sessions()

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's own errors (bad flag, missing argument) as one line, like ours."""
        call = {
            "args": args,
            "prog_name": prog_name,
            "complete_var": complete_var,
            "windows_expand_args": windows_expand_args,
            **extra,
        }
        if not standalone_mode:
            return super().main(standalone_mode=False, **call)
        try:
            _check_utf8(sys.argv[1:] if args is None else args)
        except FittrackError as exc:
            typer.secho(f"Error: {exc}", err=True, fg="red")
            sys.exit(exc.exit_code)
        try:
            result = super().main(standalone_mode=False, **call)
        except typer.TyperException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                # `fittrack goal`: the group's help, what was asked for, not a mistake. Rich help
                # has printed itself already; plain help (in a pipe) is the message.
                if exc.format_message():
                    typer.echo(exc.format_message())
                sys.exit(0)
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            typer.secho(f"Error: {exc.format_message()}{hint}", err=True, fg="red")
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            typer.secho("Aborted.", err=True, fg="red")
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: Any) -> list[str]:
        # The order of _COMMANDS (the order a person meets them), not alphabetical.
        return [*_COMMANDS, *(name for name in self.commands if name not in _COMMANDS)]

    def get_command(self, ctx: Any, name: str) -> Any:
        """Build a command when it is first asked for (Click's lazy-loading group pattern).

        Typer turns every parameter of every command into Click's objects before it can run
        one; building only the command that runs keeps that cost from growing with the CLI.
        A listing of the commands (``fittrack --help``, completing a command's name) needs only
        each one's name, panel and first paragraph of help: it gets those from ``_SUMMARIES``
        and builds nothing (tests/cli/test_help_completion.py holds them to the real help).
        """
        command = self.commands.get(name)
        listing = ctx is not None and ctx.meta.get(_LISTING)
        if command is None and listing and name in _SUMMARIES:
            return typer.core.TyperCommand(
                name, help=_SUMMARIES[name], rich_help_panel=_COMMANDS[name][2]
            )
        if command is None and name in _COMMANDS:
            command = _build(name)
            self.add_command(command, name)
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Typer's "Did you mean 'list'?" for a mistyped command, from every command's name
        (Typer looks only among those built, which here is none yet)."""
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as exc:
            message = getattr(exc, "message", "")
            if args and message.startswith("No such command") and "Did you mean" not in message:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], list(_COMMANDS))
                if matches:
                    suggestions = ", ".join(repr(m) for m in matches)
                    exc.message = f"{message.rstrip('.')}. Did you mean {suggestions}?"
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta[_LISTING] = False

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        ctx.meta[_LISTING] = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            ctx.meta[_LISTING] = False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # `--show-completion zsh`: Typer's options are flags (the shell is detected), so the
        # shell's name, when given, is taken here before the parser sees it as a command.
        for param in self.params:  # Typer adds its completion options after __init__
            if param.name in _COMPLETION_CALLBACKS:
                param.callback = _COMPLETION_CALLBACKS[param.name]
                setattr(param, "help", _COMPLETION_HELP[param.name])  # noqa: B010 (an Option)
        if len(args) > 1 and args[0] in _COMPLETION_OPTIONS and not args[1].startswith("-"):
            ctx.meta["fittrack.shell"] = args[1]
            args = [args[0], *args[2:]]
        return list(super().parse_args(ctx, args))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The plain (non-Rich) help, docs/cli.md's, in the same panels as the Rich one."""
        panels: dict[str, list[tuple[str, str]]] = {}
        names = self.list_commands(ctx)
        longest = max(len(name) for name in names)
        width = formatter.width - 6 - longest
        for name in names:
            command = self.get_command(ctx, name)
            if command.hidden:
                continue
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            # Padded to the longest name, so that every panel's descriptions line up.
            row = (name.ljust(longest), command.get_short_help_str(width))
            panels.setdefault(panel, []).append(row)
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)


class _NamedArgument(TyperArgument):
    """An argument shown by its name in usage lines: ``ID``, ``[GOAL_ID]``, ``FILE...``.

    Typer's own spelling is ``{ID}`` for a required argument, which reads as a set or a
    placeholder to fill in literally.
    """

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        name = self.metavar  # as declared: `FILE...`, `[DISTANCE] [DURATION]`
        if name is None:
            name = (self.name or "").upper() + ("..." if self.nargs != 1 else "")
        if usage and not self.required and not name.startswith("["):
            return f"[{name}]"
        return name


def _untyped(kind: Any) -> Any:
    """A copy of a parameter type that shows no ``<str>`` next to an argument's name."""
    import copy

    shown = copy.copy(kind)
    # An instance attribute: the type's class is shared by every parameter of that type.
    setattr(shown, "get_metavar", lambda param, ctx: "")  # noqa: B010
    return shown


def _unwrap(text: str) -> str:
    """A docstring's paragraphs as single lines, for the terminal to wrap at its own width.

    Rich help keeps a docstring's line breaks, which cut sentences at the width of the source,
    not the terminal's. Indented lines (examples) stay as they are.
    """
    paragraphs = text.split("\n\n")
    return "\n\n".join(
        p if any(line.startswith(" ") for line in p.splitlines()) else " ".join(p.split("\n"))
        for p in paragraphs
    )


_MARKUP_TAG = r"(\\*)(\[[a-z#/@][^[]*?])"
"""What Rich's markup takes for a tag (``rich.markup.escape``'s pattern): ``[default: today]``."""


def _literal(text: str, rich: bool) -> str:
    """Help text as written, also in Rich help, which would take ``[default: today]`` for a
    style and drop it (leaving "First day of the goal ."): such brackets are escaped, as
    ``rich.markup.escape`` does, without importing Rich for it."""
    if not rich:
        return text
    return re.sub(_MARKUP_TAG, lambda m: m.group(1) * 2 + "\\" + m.group(2), text)


def _name_parameters(command: Any) -> None:
    """Give every argument and valued option of the tree a name in help (``ID``, ``WHEN``…).

    The commands' declarations set the metavars; this catches any they miss, so that no help
    ever shows Typer's ``<str>`` or ``{ID}``.
    """
    rich = sys.stdout.isatty()
    if isinstance(command.help, str):
        command.help = _literal(_unwrap(command.help), rich)
    if not rich:
        # Piped help is Click's plain text (as docs/cli.md is): whole, with no 80-column boxes
        # padded with spaces.
        command.rich_markup_mode = None
    for param in command.params:
        if isinstance(getattr(param, "help", None), str):
            param.help = _literal(param.help, rich)
        if isinstance(param, TyperArgument):
            param.__class__ = _NamedArgument
            if not hasattr(param.type, "choices"):  # a Choice shows its choices: keep them
                param.type = _untyped(param.type)
        elif (
            isinstance(param, TyperOption)
            and not (param.is_flag or param.count)
            and param.metavar is None
            and not hasattr(param.type, "choices")
        ):
            param.metavar = (param.name or "value").upper()
    for sub in getattr(command, "commands", {}).values():
        _name_parameters(sub)


def _check_utf8(args: Sequence[str]) -> None:
    """Refuse, before any command runs, an argument that is not UTF-8.

    Python hands such bytes over as lone surrogates (``'bad\\udcff'``), which every string
    operation accepts until SQLite or a file refuses to encode them, deep in a command: checked
    here once, no option, note or name can carry one into the log.
    """
    for position, arg in enumerate(args):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            previous = args[position - 1] if position else ""
            after = f" (after {previous})" if previous.startswith("-") else ""
            raise UsageError(
                f"the argument '{shown}'{after} is not UTF-8 text "
                "— check the character encoding of your terminal or script"
            ) from None


def _fail(exc: FittrackError | DataError) -> None:
    typer.secho(f"Error: {exc}", err=True, fg="red")
    raise typer.Exit(code=exc.exit_code)


app = typer.Typer(
    cls=FittrackGroup,
    name="fittrack",
    help="A local-first fitness tracker: log workouts, set goals, see whether you are on track.",
    epilog="Example: fittrack log run 5k 27:30",
    invoke_without_command=True,  # bare `fittrack` prints OVERVIEW, not the whole help
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

TRACKING = "Tracking"
GOALS = "Goals"
DATA = "Data"
SYNC = "Sync"
SERVER = "Server administration"
"""The panels of ``fittrack --help``, in the order they are shown."""

OVERVIEW = """\
fittrack: log workouts, set goals, see whether you are on track.

First commands to type:
  fittrack log run 5k 27:30      record a workout
  fittrack status                your goals and this week
  fittrack list                  your latest activities
  fittrack goal add 20km --per week
                                 set a goal (3h, 3x, 2000kcal…)
  fittrack --help                every command
"""
"""What bare ``fittrack`` prints: where to begin, rather than the full reference."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fittrack {__version__}")
        raise typer.Exit()


_SHELLS = ("bash", "zsh", "fish")
_COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
_COMPLETION_HELP = {
    "install_completion": "Install tab completion for your shell (or the one named: bash, zsh, "
    "fish).",
    "show_completion": "Print the completion script for your shell (or the one named).",
}


def _shell(ctx: Any) -> str:
    """The shell to complete for: the one named, else the one running us, else $SHELL's."""
    import os

    name = ctx.meta.get("fittrack.shell")
    if not name:
        # What Typer uses to detect the shell; imported here, only when asked for completion.
        import shellingham  # type: ignore[import-untyped]

        try:
            name = str(shellingham.detect_shell()[0])
        except shellingham.ShellDetectionFailure:
            # Run from a script or an editor: the login shell is the best guess.
            name = os.path.basename(os.environ.get("SHELL", ""))
    if name not in _SHELLS:
        said = f"the shell {name!r}" if name else "an unknown shell"
        _fail(UsageError(f"no completion for {said}; name one of {', '.join(_SHELLS)}"))
    return str(name)


def _show_completion(ctx: Any, param: Any, value: Any) -> None:
    """Print the completion script (``--show-completion [SHELL]``) and exit."""
    if not value or ctx.resilient_parsing:
        return
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="fittrack", complete_var="_FITTRACK_COMPLETE", shell=_shell(ctx)
    )
    typer.echo(script)
    raise typer.Exit()


def _install_completion(ctx: Any, param: Any, value: Any) -> None:
    """Install the completion script (``--install-completion [SHELL]``) and exit."""
    if not value or ctx.resilient_parsing:
        return
    from typer._completion_shared import install

    shell, path = install(
        shell=_shell(ctx), prog_name="fittrack", complete_var="_FITTRACK_COMPLETE"
    )
    typer.echo(f"{shell} completion installed in {path}; it works in a new terminal.")
    raise typer.Exit()


_COMPLETION_CALLBACKS = {
    "install_completion": _install_completion,
    "show_completion": _show_completion,
}
"""Typer's --install-completion/--show-completion (``add_completion``), taking a shell's name
too, and falling back on $SHELL when the shell cannot be detected."""


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A local-first fitness tracker: log workouts, set goals, see whether you are on track.

    Your log lives in one SQLite file ($FITTRACK_HOME/fittrack.db, or your user data directory).
    Shell completion: fittrack --install-completion (bash, zsh, fish).

    Example: fittrack log run 5k 27:30 && fittrack status
    """
    if ctx.invoked_subcommand is None:
        typer.echo(OVERVIEW, nl=False)


# Unknown options reach these commands as quantities, so that `log run -5k` is refused as a
# negative distance (and `--pace` as an unknown option) by our own one-line errors.
_QUANTITIES = {"context_settings": {"ignore_unknown_options": True}}

_COMMANDS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    # name: (module in fittrack.cli, its function or Typer group, help panel, settings)
    "log": ("log", "log", TRACKING, _QUANTITIES),
    "list": ("activities", "list_", TRACKING, {}),
    "show": ("activities", "show", TRACKING, {}),
    "edit": ("activities", "edit", TRACKING, _QUANTITIES),
    "delete": ("activities", "delete", TRACKING, {}),
    "restore": ("activities", "restore", TRACKING, {}),
    "undo": ("undo", "undo", TRACKING, {}),
    "status": ("status", "status", TRACKING, {}),
    "summary": ("status", "summary", TRACKING, {}),
    "goal": ("goals", "goal_app", GOALS, {}),
    "progress": ("status", "progress", GOALS, {}),
    "load": ("load", "load", GOALS, {}),
    "export": ("data", "export", DATA, {}),
    "import": ("data", "import_", DATA, {}),
    "types": ("profile", "types_app", DATA, {}),
    "profile": ("profile", "profile_app", DATA, {}),
    "login": ("sync", "login", SYNC, {}),
    "logout": ("sync", "logout", SYNC, {}),
    "sync": ("sync", "sync", SYNC, {}),
    "config": ("sync", "config_app", SYNC, {}),
    "serve": ("serve", "serve", SERVER, {}),
    "server": ("serve", "server_app", SERVER, {}),
}
"""Every command, in the order of ``fittrack --help``; each is built only when asked for."""

_LISTING = "fittrack.listing"
"""Set in ``ctx.meta`` while the root lists its commands (help, completion of a name)."""

_SUMMARIES = {
    # name: the first paragraph of its help, as `fittrack --help` lists it
    "log": "Record an activity. With no --start, it ends now.",
    "list": "List activities, newest first. Days are read in your profile's timezone.",
    "show": "Show one activity in full; with a track, its splits, best efforts and profile too.",
    "edit": "Change an activity: give only what changes.",
    "delete": "Delete an activity (after asking, unless --yes).",
    "restore": "Bring back a deleted activity (its id, or a unique prefix of it).",
    "undo": "Take back the last change (log, edit, delete, restore, goal, profile, types add).",
    "status": "Show every active goal in its current period, then this week's totals per type.",
    "summary": (
        "Totals per activity type and personal records over a week, month, year or any days."
    ),
    "goal": "Goals per day, week, month or year.",
    "progress": "Show a goal's history: each period's value and status, and your streaks.",
    "load": "Show fitness (42-day), fatigue (7-day) and form, from each day's workload.",
    "export": "Export activities as CSV, everything as JSON, or one activity's track as GPX.",
    "import": "Import activities from files, folders and zips, each file all or nothing.",
    "types": "Activity types and their MET values.",
    "profile": "Your weight and body (for calories), timezone, display units and week start.",
    "login": "Connect this device to a sync server: check the token, then remember both.",
    "logout": "Forget the sync server and token (your log stays on this device).",
    "sync": "Push the changes made here, pull those made elsewhere; list conflicts.",
    "config": "Settings kept in config.toml.",
    "serve": "Run the sync server (needs the 'server' extra).",
    "server": "Administer the sync server's users and their API tokens.",
}
"""What a listing shows of each command, so that listing them builds none (a command without
a summary here is built to be listed)."""


def _build(name: str) -> Any:
    """The Click command ``name``, made by Typer from its function or group, parameters named."""
    import importlib

    module, attribute, panel, settings = _COMMANDS[name]
    target = getattr(importlib.import_module(f"fittrack.cli.{module}"), attribute)
    holder = typer.Typer(add_completion=False)

    @holder.callback()
    def _holder() -> None:
        """A group, so that Typer keeps the one command as a command of it."""

    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, rich_help_panel=panel)
    else:
        holder.command(name, rich_help_panel=panel, **settings)(target)
    command = typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]
    _name_parameters(command)
    return command


def main() -> None:
    """The console script (also ``python -m fittrack``, under the same name)."""
    app(prog_name="fittrack")


gc.freeze()  # what the imports made lives as long as the process
if _COLLECTING:
    gc.enable()
