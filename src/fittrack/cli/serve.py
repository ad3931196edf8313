"""``fittrack serve`` and ``fittrack server …``: run the sync server and administer its users.

Both need the ``server`` extra; without it they say how to install it. The server's settings come
from the environment (docs/server.md): ``FITTRACK_DATABASE_URL`` (PostgreSQL or SQLite; default
SQLite at ``$FITTRACK_HOME/server.db``), ``FITTRACK_REDIS_URL``, ``FITTRACK_RATE_LIMIT``, …
"""

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from fittrack.cli.common import JsonFlag, confirm, print_json
from fittrack.errors import DataError, UsageError

server_app = typer.Typer(
    help="Administer the sync server's users and their API tokens.\n\n"
    "They act on the server's database (FITTRACK_DATABASE_URL) directly: run them where the "
    "server runs.\n\n"
    "Example: fittrack server user add ana@example.org",
    no_args_is_help=True,
)
user_app = typer.Typer(
    help="The server's users.\n\nExample: fittrack server user add ana@example.org",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="API tokens: a user may hold several (one per device).\n\n"
    "Example: fittrack server token new ana@example.org",
    no_args_is_help=True,
)
server_app.add_typer(user_app, name="user")
server_app.add_typer(token_app, name="token")

_T = TypeVar("_T")


def require_server_extra() -> None:
    """Refuse, with the command that fixes it, when the ``server`` extra is not installed."""
    from importlib.util import find_spec

    missing = [m for m in ("fastapi", "uvicorn", "psycopg", "redis") if find_spec(m) is None]
    if missing:
        raise UsageError(
            f"the server needs the 'server' extra ({', '.join(missing)} not installed); "
            "install it with: pip install 'fittrack[server]'"
        )


def _on_database(work: Callable[[Any], Awaitable[_T]]) -> _T:
    """Migrate the server's database, run ``work(engine)`` on it and let it go."""
    require_server_extra()
    import asyncio

    from fittrack.server.db import is_unavailable, migrate, open_engine
    from fittrack.server.settings import Settings

    settings = Settings.from_env()
    _migrate(migrate, settings.database_url)

    async def run() -> _T:
        engine = open_engine(settings.database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError | sqlite3.Error) or is_unavailable(exc):
            # Said of the server's database: the CLI's own would name the wrong file.
            raise DataError(f"the server's database refused: {_first_line(exc)}") from exc
        raise


def _migrate(migrate: Callable[[str], None], url: str) -> None:
    try:
        migrate(url)
    except (UsageError, DataError):
        raise
    except Exception as exc:  # psycopg/SQLAlchemy: the server is down, the URL is wrong, …
        raise DataError(f"cannot reach the server's database: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _new_token(email: str, make: Callable[[Any, str], Awaitable[str]], as_json: bool) -> None:
    """Make a token with ``make(db, address)`` (a new user's, or another one) and show it once."""
    from fittrack.server.auth import check_email

    address = check_email(email)
    token = _on_database(lambda db: make(db, address))
    _show_token(address, token, as_json)


def _show_token(email: str, token: str, as_json: bool) -> None:
    if as_json:
        print_json({"email": email, "token": token})
        return
    typer.echo(token)
    typer.secho(
        f"the token of {email}: shown once, only its hash is kept — give it to "
        "`fittrack login --server URL`",
        err=True,
        fg="yellow",
    )


EmailArg = Annotated[str, typer.Argument(metavar="EMAIL", help="The user's email address.")]


@user_app.command("add")
def user_add(email: EmailArg, as_json: JsonFlag = False) -> None:
    """Add a user and print their first API token (shown once).

    Example: fittrack server user add ana@example.org
    """
    from fittrack.server.auth import add_user

    _new_token(email, add_user, as_json)


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """List the users: email, when added, how many tokens, when a token was last used.

    Example: fittrack server user list
    """
    from fittrack.server.auth import list_users

    users = _on_database(list_users)
    if as_json:
        print_json(users)
        return
    if not users:
        typer.secho("No users yet: add one with `fittrack server user add EMAIL`.", err=True)
        return
    _columns(
        ("email", "created", "tokens", "last used"),
        [
            (u["email"], _local(u["created_at"]), str(u["tokens"]), _local(u["last_used_at"]))
            for u in users
        ],
    )


@user_app.command("remove")
def user_remove(
    email: EmailArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Remove a user, their tokens and all their data (after asking, unless --yes).

    Their activities, goals and profile are deleted from the server in one transaction; the
    copies on their devices stay. This cannot be undone.

    Example: fittrack server user remove ana@example.org --yes
    """
    from fittrack.server.auth import check_email, remove_user, user_footprint

    address = check_email(email)

    async def work(db: Any) -> dict[str, int] | None:
        if not yes:
            found = await user_footprint(db, address)
            if not confirm(f"Remove {address}, {_footprint(found)}? This cannot be undone."):
                return None
        return await remove_user(db, address)

    removed = _on_database(work)
    if removed is None:
        typer.echo("Nothing removed.", err=True)
        raise typer.Exit(code=1)
    if as_json:
        print_json({"email": address, "removed": removed})
        return
    typer.echo(f"Removed {address}, {_footprint(removed)}.")


def _footprint(counts: dict[str, int]) -> str:
    """``2 tokens, 120 activities, 3 goals and their profile`` (deleted rows counted too)."""

    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    parts = [
        count(counts["tokens"], "token", "tokens"),
        count(counts["activity"], "activity", "activities"),
        count(counts["goal"], "goal", "goals"),
    ]
    if counts["activity_type"]:
        parts.append(count(counts["activity_type"], "custom type", "custom types"))
    if counts["profile"]:
        parts.append("their profile")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@token_app.command("new")
def token_new(email: EmailArg, as_json: JsonFlag = False) -> None:
    """Make another API token for a user, for a new device say (shown once).

    Example: fittrack server token new ana@example.org
    """
    from fittrack.server.auth import add_token

    _new_token(email, add_token, as_json)


@token_app.command("list")
def token_list(
    email: Annotated[
        str | None,
        typer.Argument(metavar="[EMAIL]", help="Only this user's tokens.", show_default=False),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List API tokens: id, first characters, user, created, last used (never the token).

    The id is what `fittrack server token revoke` takes. Tokens made before fittrack kept their
    first characters have an empty prefix.

    Example: fittrack server token list ana@example.org
    """
    from fittrack.server.auth import list_tokens

    tokens = _on_database(lambda db: list_tokens(db, email))
    if as_json:
        print_json(tokens)
        return
    if not tokens:
        typer.secho("No tokens.", err=True)
        return
    _columns(
        ("id", "prefix", "user", "created", "last used"),
        [
            (
                t["id"],
                f"{t['prefix']}…" if t["prefix"] else "",
                t["email"],
                _local(t["created_at"]),
                _local(t["last_used_at"]),
            )
            for t in tokens
        ],
    )


@token_app.command("revoke")
def token_revoke(
    token: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The token's id from `fittrack server token list` (or a unique start of it, "
            "4+ characters), or the whole token.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Revoke an API token: requests with it are refused within a few seconds on every worker.

    Example: fittrack server token revoke 3f2a9c1b0d4e
    """
    from fittrack.server.auth import revoke_token

    revoked = _on_database(lambda db: revoke_token(db, token))
    if as_json:
        print_json(revoked)
        return
    shown = f" ({revoked['prefix']}…)" if revoked["prefix"] else ""
    typer.secho(f"token {revoked['id']}{shown} of {revoked['email']} revoked", err=True)


def _local(stamp: str | None) -> str:
    """A stored UTC time in this machine's zone, to the minute; ``never`` for none."""
    from datetime import datetime

    if stamp is None:
        return "never"
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _columns(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Plain aligned columns: whole in a pipe (no cut, no padding after the last column)."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        typer.echo("  ".join([*cells, row[-1]]).rstrip())


def serve(
    host: Annotated[
        str,
        typer.Option(metavar="HOST", help="The address to listen on; 0.0.0.0 for every interface."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", min=1, max=65535, help="The TCP port.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            metavar="N", min=1, max=64, help="Worker processes (use Redis with more than one)."
        ),
    ] = 1,
) -> None:
    """Run the sync server (needs the 'server' extra).

    Settings come from the environment: FITTRACK_DATABASE_URL (default SQLite at
    $FITTRACK_HOME/server.db), FITTRACK_REDIS_URL, FITTRACK_RATE_LIMIT (120/minute), …;
    see docs/server.md.

    Example: FITTRACK_DATABASE_URL=postgresql://localhost/fittrack fittrack serve --workers 2
    """
    require_server_extra()

    from fittrack.server.db import migrate
    from fittrack.server.settings import Settings

    settings = Settings.from_env()
    _check_can_listen(host, port)
    # Once here, before the workers start, rather than in each worker at once.
    _migrate(migrate, settings.database_url)
    if workers > 1 and not settings.redis_url:
        typer.secho(
            "Warning: several workers without FITTRACK_REDIS_URL: each keeps its own rate limits, "
            "and the cache is off (a worker's own cache would not see another's writes; "
            "docs/server.md)",
            err=True,
            fg="yellow",
        )
    typer.secho(
        f"fittrack server on http://{host}:{port} ({workers} worker{'s' * (workers > 1)}, "
        f"{settings.database_url.split(':', 1)[0]}, "
        f"{_limits_and_cache(settings.redis_url is not None, workers)})",
        err=True,
    )
    import os

    import uvicorn

    # Each worker builds its app from the environment (``factory``): it learns from this how
    # many workers share the port, and so whether its in-process cache may be used.
    before = os.environ.get("FITTRACK_WORKERS")
    os.environ["FITTRACK_WORKERS"] = str(workers)
    try:
        _run(uvicorn, host, port, workers)
    finally:
        if before is None:
            del os.environ["FITTRACK_WORKERS"]
        else:
            os.environ["FITTRACK_WORKERS"] = before


def _limits_and_cache(redis: bool, workers: int) -> str:
    if redis:
        return "Redis limits and cache"
    return "in-process limits and cache" if workers == 1 else "in-process limits, no cache"


def _run(uvicorn: Any, host: str, port: int, workers: int) -> None:
    """uvicorn, and with ``workers`` > 1 its own supervisor of that many worker processes."""
    uvicorn.run(
        "fittrack.server.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvloop and httptools: without them a worker is several times slower (performance.md).
        loop="uvloop",
        http="httptools",
        access_log=False,  # the app writes its own line per request, without query strings
        log_config=LOG_CONFIG,
        timeout_graceful_shutdown=10,
    )


def _check_can_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address this machine cannot listen on (uvicorn would log a
    traceback-free error but exit 3 after the banner)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataError(
            f"cannot listen on {host}:{port} ({reason}); pick another --port, or a --host "
            "this machine has"
        ) from None


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "fittrack.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
