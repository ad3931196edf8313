"""The config file (``config.toml``): the sync server, its token, and ``auto_sync``.

It holds a secret (the token), so it is written with permissions 0600, through a temporary file
renamed over the old one: a crash never leaves half a file. It is written by a TOML library
(tomli-w) and read by the standard library's tomllib, so any text (an address with non-ASCII
characters, quotes, an emoji) reads back exactly as it was saved.
"""

import os
from pathlib import Path
from typing import Any

from fittrack.errors import DataError, UsageError

SETTABLE = {"auto_sync": "true or false: push each change to the server right away (2 s at most)"}
"""Keys ``fittrack config set`` takes (the server and token are set by ``fittrack login``)."""

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def path() -> Path:
    """Where the config file is."""
    from fittrack.paths import config_path

    return config_path()


def load() -> dict[str, Any]:
    """The settings, {} when there is no file."""
    file = path()
    try:
        with open(file, "rb") as stream:
            content = stream.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DataError(f"cannot read the config file {file}: {exc.strerror or exc}") from exc
    # Imported only when there is a file: every change (`log`, `edit`…) looks for one, to push
    # it when auto_sync is on, and most logs have none (tomllib is ~3 % of `log`).
    import tomllib

    try:
        return tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the config file {file}: {exc}") from exc


def save(values: dict[str, Any]) -> None:
    """Write the settings (0600, atomically)."""
    import tomli_w

    file = path()
    text = tomli_w.dumps({k: v if isinstance(v, bool) else str(v) for k, v in values.items()})
    partial = file.with_name(file.name + ".partial")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(partial, 0o600)
        os.replace(partial, file)
    except OSError as exc:
        raise DataError(f"cannot write the config file {file}: {exc.strerror}") from exc


def parse_setting(key: str, text: str) -> Any:
    """The value ``fittrack config set KEY VALUE`` stores; UsageError for unknown keys or values."""
    if key in ("server", "token"):
        raise UsageError(f"'{key}' is set by `fittrack login --server URL` (and unset by logout)")
    if key not in SETTABLE:
        known = ", ".join(SETTABLE)
        raise UsageError(f"unknown setting {key!r}; settable: {known}")
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise UsageError(f"{key} is true or false, not {text!r}")
