"""``fittrack login``, ``logout``, ``sync`` and ``config``: share one log between devices.

httpx (and the sync engine) are imported inside these commands only; ``log`` and the other
everyday commands pay for them only when ``auto_sync`` is on and they changed something.
"""

import os
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from fittrack.cli.common import JsonFlag, Session, open_session, print_json
from fittrack.errors import FittrackError, SyncError, UsageError

config_app = typer.Typer(
    help="Settings kept in config.toml.\n\nExample: fittrack config set auto_sync true",
    no_args_is_help=True,
)

AUTO_SYNC_TIMEOUT_S = 2.0
"""How long a change waits for the server when auto_sync is on before saying it will go later."""


def _check_url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"{text!r} is not a server address; give one like https://fittrack.example.org"
        )
    return text.strip().rstrip("/")


def _max_wait() -> float:
    text = os.environ.get("FITTRACK_SYNC_MAX_WAIT", "").strip()
    try:
        return max(0.0, float(text)) if text else 60.0
    except ValueError:
        raise UsageError(f"FITTRACK_SYNC_MAX_WAIT={text!r}: give a number of seconds") from None


def _is_loopback(host: str | None) -> bool:
    import ipaddress

    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_token(token: str | None) -> str:
    """--token or FITTRACK_TOKEN; else a line piped on standard input; else a hidden prompt."""
    import sys

    if token is None:
        if sys.stdin.isatty():
            token = typer.prompt("API token", hide_input=True, err=True)
        else:
            # Not a terminal: `... | fittrack login` or `< file`. getpass would warn that it
            # cannot hide the input and prompt anyway; the token is simply read.
            try:
                token = sys.stdin.readline()
            except UnicodeDecodeError:
                raise UsageError("the token on standard input is not UTF-8 text") from None
    token = token.strip()
    if not token:
        raise UsageError("the token is empty; paste the one `fittrack server user add` printed")
    if not (token.isascii() and token.isprintable()) or " " in token:
        raise UsageError(
            "that is not an API token (it has spaces or characters a token never has); "
            "paste the one `fittrack server user add` printed"
        )
    return token


def login(
    server: Annotated[
        str,
        typer.Option(
            "--server", metavar="URL", help="The server's address, e.g. https://fit.example.org."
        ),
    ],
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN",
            envvar="FITTRACK_TOKEN",
            show_envvar=True,
            help=(
                "Your API token. Better left out: a token typed here stays in your shell's "
                "history; leave it out to be asked (hidden), pipe it on standard input, or set "
                "FITTRACK_TOKEN."
            ),
        ),
    ] = None,
) -> None:
    """Connect this device to a sync server: check the token, then remember both.

    The token comes from the server's administrator (`fittrack server user add EMAIL`). Give
    it at the hidden prompt, on standard input (`fittrack login --server URL < token.txt`) or in
    FITTRACK_TOKEN, rather than with --token, which leaves it in your shell's history. It is kept
    in the config file, readable only by you. An http:// address other than this machine's is
    warned about: the token would cross the network unencrypted.

    Example: fittrack login --server https://fit.example.org
    """
    from fittrack import config
    from fittrack.sync.http import ServerClient, TokenRefused, Unreachable

    url = _check_url(server)
    parts = urlsplit(url)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        typer.secho(
            f"Warning: {url} is plain http: your token and your log would cross the network "
            "unencrypted; use https:// unless you trust every network in between.",
            err=True,
            fg="yellow",
        )
    token = _read_token(token)
    try:
        with ServerClient(url, token, timeout_s=10.0, max_wait_s=_max_wait()) as client:
            me = client.get("/v1/me")
    except TokenRefused:
        raise SyncError(
            f"the server at {url} refused the token; check it, or ask the server's administrator "
            "for a new one (`fittrack server token new EMAIL`)"
        ) from None
    except Unreachable as exc:
        raise SyncError(f"{exc.reason}; nothing was saved — check the address") from None
    settings = config.load()
    settings.update(server=url, token=token)
    config.save(settings)
    typer.echo(f"Logged in to {url} as {me['email']}. Run `fittrack sync` to share your log.")


def logout() -> None:
    """Forget the sync server and token (your log stays on this device).

    Example: fittrack logout
    """
    from fittrack import config

    settings = config.load()
    if "server" not in settings and "token" not in settings:
        typer.echo("Not logged in.")
        return
    server = settings.pop("server", None)
    settings.pop("token", None)
    config.save(settings)
    typer.echo(f"Logged out of {server}.")


def _credentials() -> tuple[str, str]:
    from fittrack import config

    settings = config.load()
    server, token = settings.get("server"), settings.get("token")
    if not server or not token:
        raise SyncError("not logged in to a server: run `fittrack login --server URL` first")
    return str(server), str(token)


def sync(
    as_json: JsonFlag = False,
    with_tracks: Annotated[
        bool,
        typer.Option(
            "--tracks",
            help=(
                "Also pull the tracks (GPS and sensor samples) of activities this device has "
                "without one, up to 200 a run."
            ),
        ),
    ] = False,
) -> None:
    """Push the changes made here, pull those made elsewhere; list conflicts.

    Edits and deletions travel too. When both devices changed the same activity or goal, a
    deletion wins, then the later edit, and the one that lost is listed. Offline, nothing is
    lost: the next sync carries on from where this one stopped. Tracks imported here are
    pushed after the activities; a track that cannot go is listed and tried again next time.

    Example: fittrack sync --tracks
    """
    from fittrack.sync import engine
    from fittrack.sync.http import ServerClient

    server, token = _credentials()
    session = open_session()
    with ServerClient(server, token, max_wait_s=_max_wait()) as client:
        report = engine.sync(session.conn, client, session.now, with_tracks=with_tracks)
    if as_json:
        print_json(report.to_json())
    else:
        _print_report(report)
    if report.failed:
        raise SyncError(
            f"{len(report.failed)} change(s) could not be pushed (listed above); "
            "they stay on this device"
        )


def _counts(counter: Any) -> str:
    parts = []
    for key, one, many in (
        ("activities", "activity", "activities"),
        ("goals", "goal", "goals"),
        ("profile", "profile", "profile"),
    ):
        if counter[key]:
            parts.append(f"{counter[key]} {one if counter[key] == 1 else many}")
    return ", ".join(parts) or "nothing"


def _print_report(report: Any) -> None:
    typer.echo(f"Pushed {_counts(report.pushed)}; pulled {_counts(report.pulled)}.")
    for conflict in report.conflicts:
        typer.echo(f"Conflict: {conflict.describe()}")
    tracks = report.tracks
    for count, done in ((tracks["pushed"], "pushed"), (tracks["pulled"], "pulled")):
        if count:
            typer.echo(f"{count} track{'' if count == 1 else 's'} {done}.")
    if tracks["more"]:
        typer.echo(
            f"Asked the server for the tracks of {tracks['checked']} activities; run "
            "`fittrack sync --tracks` again for the others."
        )
    for failure in report.failed:
        typer.secho(
            f"Not pushed: {failure['kind']} {failure['id'][:8]}: {failure['error']}",
            err=True,
            fg="yellow",
        )
    for failure in report.track_errors:
        typer.secho(
            f"Not pulled: track {failure['id'][:8]}: {failure['error']}", err=True, fg="yellow"
        )


FETCH_TRACK_TIMEOUT_S = 3.0
"""How long ``show`` waits for a track from the server before showing what it has."""


def fetch_track_for_show(session: Session, activity_id: str) -> bool:
    """Bring an activity's track from the server for ``show``, when this device syncs with one
    and the activity is on it: whether a track was stored. Never fails ``show``: a server away
    or refusing is one yellow line on stderr, and the activity is shown without its track."""
    from fittrack import config
    from fittrack.storage import sync as local

    try:
        settings = config.load()
    except FittrackError:
        return False
    server, token = settings.get("server"), settings.get("token")
    account = local.get_state(session.conn, "account")
    if not server or not token or account is None or not account.startswith(f"{server} "):
        return False
    from fittrack.sync import engine
    from fittrack.sync.http import ServerClient

    try:
        with ServerClient(
            str(server), str(token), timeout_s=FETCH_TRACK_TIMEOUT_S, max_wait_s=0.0
        ) as client:
            return engine.fetch_track(session.conn, client, activity_id, session.now)
    except FittrackError as exc:
        typer.secho(f"Its track is on the server but not here: {exc}", err=True, fg="yellow")
        return False


def auto_push(session: Session) -> None:
    """After a change: with ``auto_sync`` on, push it now (about 2 s at most); when the server
    cannot be reached, say the change is saved here and will go with a later sync."""
    from fittrack import config

    try:
        settings = config.load()
    except FittrackError:
        return  # the next `fittrack sync` will say what is wrong with the file
    if settings.get("auto_sync") is not True or not settings.get("server"):
        return
    from fittrack.storage import sync as local

    account = local.get_state(session.conn, "account")
    if account is None or not account.startswith(str(settings["server"]) + " "):
        typer.secho("Saved locally; run `fittrack sync` once to start syncing.", err=True)
        return
    from fittrack.sync import engine
    from fittrack.sync.http import ServerClient, Unreachable

    try:
        with ServerClient(
            str(settings["server"]),
            str(settings.get("token", "")),
            timeout_s=AUTO_SYNC_TIMEOUT_S,
            max_wait_s=0.0,
        ) as client:
            report = engine.Report(server=client.url)
            engine.push(
                session.conn, client, int(local.get_state(session.conn, "cursor") or 0), report
            )
    except Unreachable:
        typer.secho("Saved locally, will sync later.", err=True, fg="yellow")
        return
    except FittrackError as exc:  # a refused token, a rate limit: say which
        typer.secho(f"Saved locally; not pushed: {exc}", err=True, fg="yellow")
        return
    for conflict in report.conflicts:
        typer.secho(f"Conflict: {conflict.describe()}", err=True, fg="yellow")
    if report.failed:
        typer.secho("Saved locally; `fittrack sync` says what the server refused.", err=True)


@config_app.command("set")
def config_set(
    key: Annotated[str, typer.Argument(metavar="KEY", help="auto_sync")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="true or false")],
    as_json: Annotated[
        bool, typer.Option("--json", help='Print the setting as JSON: {"key", "value"}.')
    ] = False,
) -> None:
    """Change a setting.

    auto_sync: push each change (log, edit, delete, goals) to the server right away; when it
    cannot be reached, the change is saved here and goes with the next sync.

    Example: fittrack config set auto_sync true
    """
    from fittrack import config

    parsed = config.parse_setting(key, value)
    settings = config.load()
    settings[key] = parsed
    config.save(settings)
    if as_json:
        print_json({"key": key, "value": parsed})
        return
    typer.echo(f"{key} = {str(parsed).lower()}")


@config_app.command("show")
def config_show(as_json: JsonFlag = False) -> None:
    """Show the settings (the token only by its first characters).

    Example: fittrack config show
    """
    shown = _shown_settings()
    if as_json:
        print_json(shown)
        return
    for key, value in shown.items():
        typer.echo(f"{key} = {_text(value)}".rstrip())


SHOWN_KEYS = ("server", "token", "auto_sync", "file")
"""What ``config show`` lists and ``config get`` reads."""


@config_app.command("get")
def config_get(
    key: Annotated[
        str,
        typer.Argument(
            metavar="KEY",
            help=f"One of {', '.join(SHOWN_KEYS)}.",
            autocompletion=lambda: list(SHOWN_KEYS),
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Print one setting's value (nothing when it is not set; the token masked, as in show).

    Example: fittrack config get server
    """
    if key not in SHOWN_KEYS:
        raise UsageError(f"unknown setting {key!r}; the settings are {', '.join(SHOWN_KEYS)}")
    value = _shown_settings()[key]
    if as_json:
        print_json({"key": key, "value": value})
    elif value is not None:
        typer.echo(_text(value))


def _shown_settings() -> dict[str, Any]:
    from fittrack import config

    settings = config.load()
    return {
        "server": settings.get("server"),
        "token": _masked(settings.get("token")),
        "auto_sync": bool(settings.get("auto_sync", False)),
        "file": str(config.path()),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _masked(token: Any) -> str | None:
    return None if not token else f"{str(token)[:6]}…"
