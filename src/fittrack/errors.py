"""One exception tree for everything fittrack tells a person went wrong.

Domain and storage code raise these with a message written for the user; the CLI turns them into one
red line on stderr and the exit code below, in one place (``fittrack.cli.app.FittrackGroup``).
"""


class FittrackError(Exception):
    """Something the user can act on. Exit code 1."""

    exit_code = 1


class UsageError(FittrackError):
    """Bad input: a flag, a quantity, a date, a type. Says what was wrong and what is right."""

    exit_code = 2


class NotFound(FittrackError):
    """An id, a prefix or a name that matches nothing."""

    exit_code = 1


class DataError(FittrackError):
    """A file or database that cannot be read as what it should be."""

    exit_code = 1


class SyncError(FittrackError):
    """The sync server refused, failed or could not be reached."""

    exit_code = 1
