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
