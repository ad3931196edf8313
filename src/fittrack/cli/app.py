"""The ``fittrack`` command: the Typer app, its command groups, the one place errors become exits.

Command modules import only typer and ``core`` at the top; the database, Rich and anything heavy are
imported inside the commands that use them, so ``fittrack list`` starts in a fraction of a second.
"""

import sqlite3
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from fittrack import __version__
from fittrack.errors import DataError, FittrackError, UsageError


class FittrackGroup(TyperGroup):
    """Turns every ``FittrackError`` into one red line on stderr and its exit code (0 / 1 / 2)."""

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
            if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help
                ctx = getattr(exc, "ctx", None)
                hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
                typer.secho(f"Error: {exc.format_message()}{hint}", err=True, fg="red")
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            typer.secho("Aborted.", err=True, fg="red")
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: Any) -> list[str]:
        # Keep the order commands were added in (the order a person meets them), not alphabetical.
        return list(self.commands)


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
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fittrack {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A local-first fitness tracker: log workouts, set goals, see whether you are on track.

    Your log lives in one SQLite file ($FITTRACK_HOME/fittrack.db, or your user data directory).

    Example: fittrack log run 5k 27:30 && fittrack status
    """


def _register() -> None:
    from fittrack.cli import activities, data, goals, log, profile, serve, status, sync, undo

    # Unknown options reach the command as quantities, so that `log run -5k` is refused as a
    # negative distance (and `--pace` as an unknown option) by our own one-line errors.
    quantities = {"ignore_unknown_options": True}
    app.command("log", context_settings=quantities)(log.log)
    app.command("list")(activities.list_)
    app.command("show")(activities.show)
    app.command("edit", context_settings=quantities)(activities.edit)
    app.command("delete")(activities.delete)
    app.command("restore")(activities.restore)
    app.command("undo")(undo.undo)
    app.add_typer(goals.goal_app, name="goal")
    app.command("status")(status.status)
    app.command("progress")(status.progress)
    app.command("summary")(status.summary)
    app.command("export")(data.export)
    app.command("import")(data.import_)
    app.add_typer(profile.types_app, name="types")
    app.add_typer(profile.profile_app, name="profile")
    app.command("login")(sync.login)
    app.command("logout")(sync.logout)
    app.command("sync")(sync.sync)
    app.add_typer(sync.config_app, name="config")
    app.command("serve")(serve.serve)
    app.add_typer(serve.server_app, name="server")


_register()


def main() -> None:
    """The console script."""
    app()
