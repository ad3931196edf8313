"""Where fittrack keeps its files.

``$FITTRACK_HOME`` names the data directory (tests and people with several logs use it); otherwise
platformdirs' per-user data directory. The database is ``fittrack.db`` in it; the config file
lives in the user config directory, or in ``$FITTRACK_HOME`` when that is set.
"""

import os
from pathlib import Path

APP_NAME = "fittrack"
DB_FILENAME = "fittrack.db"


def data_dir() -> Path:
    """The directory that holds the database (not created here)."""
    home = os.environ.get("FITTRACK_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs  # only when FITTRACK_HOME is unset

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path() -> Path:
    """The SQLite database file."""
    return data_dir() / DB_FILENAME


def config_path() -> Path:
    """The TOML config file."""
    home = os.environ.get("FITTRACK_HOME")
    if home:
        return Path(home).expanduser() / "config.toml"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def explain(directory: Path, exc: OSError) -> str:
    """Why the data directory cannot be used, in one line naming the real culprit.

    Called after ``exc`` was raised reaching, creating or reading ``directory``: the directory may
    be fine while a parent cannot be entered, or a parent may be a file. Only the error path pays
    for the extra ``stat`` calls.
    """
    import errno

    named = _named(directory)
    chain = [*reversed(directory.parents), directory]
    for place in chain:
        try:
            if place.exists() and not place.is_dir():
                if place == directory:
                    return f"{place} is a file, not a directory; {_fix()}"
                return f"{place} is a file, not a directory, so {named} cannot be made; {_fix()}"
        except OSError:
            break  # the parent before it cannot be entered: the loop below says which
    for place in chain:
        try:
            os.stat(place)
        except FileNotFoundError:
            break
        except OSError:
            continue
        if not os.access(place, os.X_OK):
            who = owner(place)
            if place == directory:
                return f"cannot read {named}: permission denied{who}; {_fix()}"
            return f"cannot enter {place}{who}: permission denied, so {named} cannot be reached"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        existing = next((p for p in reversed(chain) if p.is_dir()), None)
        if existing is not None and existing != directory and not os.access(existing, os.W_OK):
            return f"cannot create {named}: the folder {existing} is read-only"
        if not os.access(directory, os.R_OK | os.X_OK):
            return f"cannot read {named}: permission denied{owner(directory)}; {_fix()}"
    return f"cannot use {named}: {exc.strerror or exc}"


def _named(directory: Path) -> str:
    if os.environ.get("FITTRACK_HOME"):
        return f"the data directory {directory} (FITTRACK_HOME)"
    return f"the data directory {directory}"


def _fix() -> str:
    if os.environ.get("FITTRACK_HOME"):
        return "point FITTRACK_HOME at a directory you can read and write"
    return "make it a directory you can read and write, or set FITTRACK_HOME"


def owner(place: Path) -> str:
    """' (it belongs to NAME)', or '' when that cannot be told."""
    try:
        import pwd

        return f" (it belongs to {pwd.getpwuid(place.stat().st_uid).pw_name})"
    except (ImportError, KeyError, OSError):
        return ""
