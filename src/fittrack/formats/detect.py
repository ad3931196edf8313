"""Telling a file's format and reading it with that format's module.

``read_unit`` takes a ``discover.Unit`` and gives its format's name and its activities (a stream,
for our CSV on disk: a million rows in bounded memory), plus, for our JSON backup, the parsed
``fittrack_json.Export`` whose types, goals and profile go in with them. The format is the one
asked for (``--format``) or, for ``auto``, the one ``detect`` finds from the name and first bytes.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity
from fittrack.formats.discover import Unit

if TYPE_CHECKING:
    from fittrack.formats.fittrack_json import Export

FORMATS = ("auto", "csv", "json", "gpx", "tcx", "fit", "strava", "garmin")
HEAD_BYTES = 65536
NOT_OUR_CSV = "not a fittrack CSV (its header is not id,type,start,…)"


@dataclass
class Read:
    """What a unit holds: its format, its activities, and our JSON backup's document."""

    format: str
    activities: Iterable[ImportedActivity]
    backup: "Export | None" = None


def read_unit(unit: Unit, fmt: str = "auto", *, units: str = "metric", tz: tzinfo) -> Read:
    """The format and activities of a unit; ``units`` and ``tz`` are a Garmin CSV's.

    Raises DataError for an empty file, one whose format cannot be told, or one that is not the
    format asked for.
    """
    from fittrack import formats
    from fittrack.formats import fittrack_csv, fittrack_json, garmin, strava, strava_csv

    if unit.is_strava_export:
        assert unit.path is not None
        return Read("strava", strava.parse_export(unit.path))
    lowered = unit.name.lower()
    first = head(unit.path) if unit.path is not None else unit.read()
    if not first.strip():
        raise DataError("the file is empty")
    if fmt == "auto":
        fmt = detect(lowered, first)
    if fmt == "csv" and unit.path is not None:
        # Our CSV may hold a million rows: stream it from disk rather than read it whole.
        if not fittrack_csv.looks_like_ours(first):
            raise DataError(NOT_OUR_CSV)
        return Read(fmt, stream_csv(unit.path, unit.name))
    data = unit.read() if unit.path is not None else first
    if fmt in ("gpx", "tcx", "fit"):
        name = unit.name if lowered.removesuffix(".gz").endswith(f".{fmt}") else f"x.{fmt}"
        return Read(fmt, formats.parse_by_name(name, data))
    if fmt == "csv":
        if not fittrack_csv.looks_like_ours(data[:4096]):
            raise DataError(NOT_OUR_CSV)
        return Read(fmt, fittrack_csv.read(io.BytesIO(data), unit.name))
    if fmt == "json":
        export = fittrack_json.Export(data, unit.name)
        return Read(fmt, export.activities(), export)
    if fmt == "strava":
        if unit.path is not None:  # activities.csv on its own: its activity files beside it
            return Read(fmt, strava.parse_export(unit.path))
        return Read(fmt, strava_csv.parse_csv(data, unit.name))
    if fmt == "garmin":
        return Read(fmt, garmin.parse_csv(data, unit.name, units=units, tz=tz))
    raise DataError(f"cannot tell what kind of file {unit.name} is")


def head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first bytes of a file: enough to tell its format (the rest may be huge)."""
    with open(path, "rb") as stream:
        return stream.read(size)


def stream_csv(path: Path, name: str) -> Iterator[ImportedActivity]:
    """Our CSV on disk, one activity at a time (the file stays open until the last is read)."""
    from fittrack.formats import fittrack_csv

    with open(path, "rb") as stream:
        yield from fittrack_csv.read(stream, name)


def detect(name: str, data: bytes) -> str:
    """The format of a file, from its name (lower case) and first bytes."""
    from fittrack.formats import fittrack_csv, fittrack_json, garmin, strava_csv

    for suffix in ("gpx", "tcx", "fit"):
        if name.endswith((f".{suffix}", f".{suffix}.gz")):
            return suffix
    first = data[:4096]
    if fittrack_json.looks_like_ours(first):
        return "json"
    if fittrack_csv.looks_like_ours(first):
        return "csv"
    if strava_csv.looks_like_strava_csv(first):
        return "strava"
    if garmin.looks_like_garmin_csv(first):
        return "garmin"
    if len(first) > 12 and first[8:12] == b".FIT":
        return "fit"
    text = first.lstrip()[:400].lower()
    if b"<gpx" in text:
        return "gpx"
    if b"trainingcenterdatabase" in text:
        return "tcx"
    raise DataError(
        "cannot tell what kind of file this is: give --format csv, json, gpx, tcx, fit, strava "
        "or garmin"
    )


def guess_type(item: ImportedActivity) -> str:
    """walk, run or ride from the average speed; other without a distance."""
    if not item.distance_m or not item.duration_s:
        return "other"
    kmh = item.distance_m / item.duration_s * 3.6
    return "walk" if kmh < 7 else "run" if kmh < 16 else "ride"
