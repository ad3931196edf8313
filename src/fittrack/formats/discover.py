"""Finding what to import: files, folders, zips and pipes, each turned into ``Unit``s.

A ``Unit`` is one thing the importer adds as one transaction: a file, a zip member, a pipe read
once, or a whole Strava bulk export (its zip or folder). A path that cannot be used at all (missing,
a zip that is not one, a folder with no data file in it) comes as ``Unusable`` with the reason, in
its place in the order, so that the importer reports it among the files it did import.

Nothing here reads a file's contents except to list a zip or tell a Strava export; a unit's
``read`` is called only when its turn comes.
"""

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fittrack.errors import DataError

WATCH_SUFFIXES = (".gpx", ".tcx", ".fit", ".gpx.gz", ".tcx.gz", ".fit.gz")
DATA_SUFFIXES = (*WATCH_SUFFIXES, ".csv", ".json", ".zip")
PIPE_LIMIT = 512 * 1024 * 1024
PIPE_TOO_BIG = "more than 512 MB from a pipe: save it to a file and import that"
NO_DATA_FILES = "no GPX, TCX, FIT, CSV or JSON files in it"


@dataclass
class Unit:
    """One thing to import as one transaction: a file, a zip member, or a Strava export.

    ``label`` names it in reports; ``name`` is its file name (for the format's extension);
    ``path`` is set when it is a file or export on disk, so it can be streamed rather than read.
    """

    label: str
    read: Callable[[], bytes]
    name: str
    path: Path | None = None

    @property
    def is_strava_export(self) -> bool:
        """Whether this unit is a whole Strava bulk export (its zip or folder)."""
        return self.path is not None and (self.path.is_dir() or self.path.suffix.lower() == ".zip")


@dataclass(frozen=True)
class Unusable:
    """A path given that cannot be imported at all, and why."""

    label: str
    error: str


def units(paths: Iterable[Path]) -> Iterator[Unit | Unusable]:
    """Everything to import, in order; a path that cannot be used comes as ``Unusable``."""
    for path in paths:
        try:
            exists, is_dir, is_file = path.exists(), path.is_dir(), path.is_file()
        except OSError as exc:  # a name too long, a loop of links…
            yield Unusable(str(path), f"cannot open it ({exc.strerror})")
            continue
        if not exists:
            yield Unusable(str(path), "no such file or folder")
        elif is_dir:
            yield from _folder(path)
        elif path.suffix.lower() == ".zip":
            yield from _zip(path)
        elif not is_file:  # a pipe (/dev/stdin, <(…)): read once, when its turn comes
            yield Unit(str(path), read_pipe(path), path.name)
        else:
            yield Unit(str(path), path.read_bytes, path.name, path)


def _folder(folder: Path) -> Iterator[Unit | Unusable]:
    from fittrack.formats import strava

    if strava.is_strava_export(folder):
        yield Unit(str(folder), lambda: b"", "activities.csv", folder)
        return
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES)
    )
    if not files:
        yield Unusable(str(folder), NO_DATA_FILES)
    for file in files:
        yield from units([file])


def _zip(path: Path) -> Iterator[Unit | Unusable]:
    from fittrack.formats import strava

    try:
        if strava.is_strava_export(path):
            yield Unit(str(path), lambda: b"", "activities.csv", path)
            return
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.lower().endswith(DATA_SUFFIXES) and not n.lower().endswith(".zip")
            ]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Unusable(str(path), f"not a readable zip file ({exc})")
        return
    if not names:
        yield Unusable(str(path), NO_DATA_FILES)
    for name in names:

        def read(member: str = name) -> bytes:
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)

        yield Unit(f"{path}/{name}", read, Path(name).name)


def read_pipe(path: Path) -> Callable[[], bytes]:
    """A reader of a pipe that reads it the first time only (a pipe cannot be read twice)."""
    data: list[bytes] = []

    def read() -> bytes:
        if not data:
            with open(path, "rb") as stream:
                data.append(stream.read(PIPE_LIMIT + 1))
        if len(data[0]) > PIPE_LIMIT:
            raise DataError(PIPE_TOO_BIG)
        return data[0]

    return read
