"""``fittrack serve`` and ``fittrack server …``: run the sync server and administer its users.

Both need the ``server`` extra; without it they say how to install it. The server's settings come
from the environment (docs/server.md): ``FITTRACK_DATABASE_URL`` (PostgreSQL or SQLite; default
SQLite at ``$FITTRACK_HOME/server.db``), ``FITTRACK_REDIS_URL``, ``FITTRACK_RATE_LIMIT``, …
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from fittrack.cli.common import JsonFlag, print_json
from fittrack.errors import DataError, UsageError

server_app = typer.Typer(
    help="Administer the sync server's users and their API tokens.\n\n"
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
    """Migrate the server's database, open it, run ``work(db)`` and close it."""
    require_server_extra()
    import asyncio

    from fittrack.server.db import migrate, open_database
    from fittrack.server.settings import Settings

    settings = Settings.from_env()
    _migrate(migrate, settings.database_url)

    async def run() -> _T:
        db = open_database(settings.database_url)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


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


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    as_json: JsonFlag = False,
) -> None:
    """Add a user and print their first API token (shown once).

    Example: fittrack server user add ana@example.org
    """
    from fittrack.server.auth import add_user

    _new_token(email, add_user, as_json)


@token_app.command("new")
def token_new(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    as_json: JsonFlag = False,
) -> None:
    """Make another API token for a user (shown once), e.g. for a new device.

    Example: fittrack server token new ana@example.org
    """
    from fittrack.server.auth import add_token

    _new_token(email, add_token, as_json)


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str, typer.Argument(help="The token to revoke.")],
) -> None:
    """Revoke an API token (the whole token): requests with it are refused within a few seconds
    on every worker.

    Example: fittrack server token revoke ft_3q2Lk…(the whole 46 characters)
    """
    from fittrack.server.auth import revoke_token

    _on_database(lambda db: revoke_token(db, token))
    typer.secho("token revoked", err=True)


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
            "Warning: several workers without FITTRACK_REDIS_URL: each keeps its own rate limits "
            "and cache, so a write on one worker is not seen by another's cache (docs/server.md)",
            err=True,
            fg="yellow",
        )
    typer.secho(
        f"fittrack server on http://{host}:{port} ({workers} worker{'s' * (workers > 1)}, "
        f"{settings.database_url.split(':', 1)[0]}, "
        f"{'Redis' if settings.redis_url else 'in-process'} limits and cache)",
        err=True,
    )
    options: dict[str, Any] = {
        "app": "fittrack.server.app:create_app",
        "factory": True,
        "host": host,
        "port": port,
        # uvloop and httptools: without them a worker is several times slower, and
        # multi-worker setups lose TCP_NODELAY (docs/performance.md).
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,  # the app writes its own line per request, without query strings
        "log_config": LOG_CONFIG,
        "timeout_graceful_shutdown": 10,
    }
    from fittrack.server.workers import serve as run_workers

    raise typer.Exit(run_workers(options, workers))


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
            "class": "fittrack.server.logs.TurnBufferedHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "fittrack.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
