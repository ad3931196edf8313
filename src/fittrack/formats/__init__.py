"""File formats: each module turns a file into ``ImportedActivity`` records (and ours back again).

None of them touches the database: ``discover`` finds what to import, ``detect`` tells each file's
format and reads it, and ``fittrack.importer`` decides what to add, skip or refuse. A
module raises ``DataError`` with a one-line reason a person understands ("truncated FIT file",
"not a GPX file: …") for a file it cannot read; nothing else may escape for any input.

Modules are imported only when a file of their kind is read, so ``fittrack list`` never pays for
gpxpy or fitdecode.
"""

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime

# At module level, not in check_possible: it runs once per row of a million-row import.
from fittrack.core.dates import FIRST_YEAR, LAST_YEAR
from fittrack.core.moments import seconds_between
from fittrack.core.quantities import (
    MAX_CALORIES_KCAL,
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    MAX_NOTE_CHARS,
)
from fittrack.core.track import Track
from fittrack.errors import DataError


@dataclass(frozen=True)
class ImportedActivity:
    """One activity as a file describes it; ``None`` where the file says nothing.

    ``type`` is a fittrack slug when the file's sport maps to one, the sport's own name made a slug
    when it does not (the importer then adds it as a new type; "other" with a warning when the name
    cannot be a slug), or None when the file names no sport at all (the importer then uses
    ``--type`` or guesses from the speed). ``duration_s`` is moving time; ``sport`` is the file's
    own word for the sport, kept for messages.
    """

    start: datetime
    source: str
    type: str | None = None
    sport: str | None = None
    end: datetime | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    calories_kcal: float | None = None
    note: str = ""
    # Only our own CSV/JSON exports carry these: they make re-importing an export lossless.
    id: str | None = None
    calories_estimated: bool | None = None
    calories_method: str | None = None
    workload: float | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    warnings: tuple[str, ...] = field(default=())
    track: Track | None = None
    """The samples a GPX, TCX or FIT file recorded (None for other formats or no samples)."""


def check_possible(item: ImportedActivity) -> None:
    """Refuse values no workout has, before any arithmetic can overflow on them (DataError)."""
    where = f"the activity starting {item.start.isoformat()}"
    for moment in (item.start, item.end):
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise DataError(f"{where}: a date outside {FIRST_YEAR}–{LAST_YEAR}")
    if item.end is not None and seconds_between(item.start, item.end) < 0:
        raise DataError(f"{where} ends before it starts")
    limits = (
        ("duration", item.duration_s, MAX_DURATION_S),
        ("distance", item.distance_m, MAX_DISTANCE_M),
        ("calories", item.calories_kcal, MAX_CALORIES_KCAL),
        ("workload", item.workload, MAX_DURATION_S / 60 * 25),
    )
    for label, value, limit in limits:
        if value is not None and not (math.isfinite(value) and 0 <= value <= limit):
            raise DataError(f"{where}: an impossible {label} ({value:g})")
    if len(item.note) > MAX_NOTE_CHARS:
        raise DataError(
            f"{where}: a note of {len(item.note):,} characters (at most {MAX_NOTE_CHARS:,})"
        )
    if item.id is not None:
        try:
            uuid.UUID(item.id)
        except ValueError:
            raise DataError(f"{where}: its id {item.id!r} is not a UUID") from None


def _sport_key(sport: str) -> str:
    return " ".join(sport.strip().lower().replace("_", " ").replace("-", " ").split())


def known_sport(sport: str | None, table: dict[str, str]) -> str | None:
    """The fittrack type ``table`` gives a file's sport name (case and separators ignored)."""
    if sport is None or not sport.strip():
        return None
    return table.get(_sport_key(sport))


def type_slug(name: str) -> str | None:
    """A file's sport name as an activity type slug, or None when it cannot be one.

    Lowercase, accents dropped, every run of other characters a single ``-``, leading characters
    that are not letters dropped, at most 32 characters: "Rock Climbing" → "rock-climbing",
    "Ski (alpin)" → "ski-alpin", "Kitesurf" → "kitesurf". A name with no letter a-z in it (Strava's
    GPX sport numbers such as "23", "攀岩") cannot be a slug.
    """
    import re
    import unicodedata

    from fittrack.core.activity_types import SLUG_RE

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_name.lower())
    slug = re.sub(r"^[^a-z]+", "", slug)[:32].rstrip("-_")
    return slug if re.fullmatch(SLUG_RE, slug) else None


def map_sport(sport: str | None, table: dict[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """The fittrack type for a file's sport name (case and separators ignored), and any warning.

    No sport → (None, ()); a sport the table does not know → its own name as a slug (the importer
    keeps it as a new type), or ("other", (a warning,)) when that name cannot be a slug.
    """
    if sport is None or not sport.strip():
        return None, ()
    known = known_sport(sport, table)
    if known is not None:
        return known, ()
    slug = type_slug(sport)
    if slug is not None:
        return slug, ()
    return "other", (f"unknown sport '{sport.strip()}' cannot be a type name, imported as 'other'",)


def parse_by_name(name: str, data: bytes) -> list[ImportedActivity]:
    """Read a watch file by its extension: ``.gpx``, ``.tcx``, ``.fit``, each maybe ``.gz``."""
    lowered = name.lower()
    if lowered.endswith(".gz"):
        import gzip
        import zlib

        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name} is not a readable gzip file ({exc})") from exc
        lowered = lowered[:-3]
    if lowered.endswith(".gpx"):
        from fittrack.formats import gpx

        return gpx.parse(data, name)
    if lowered.endswith(".tcx"):
        from fittrack.formats import tcx

        return tcx.parse(data, name)
    if lowered.endswith(".fit"):
        from fittrack.formats import fit

        return fit.parse(data, name)
    raise DataError(f"{name}: not a GPX, TCX or FIT file (by its extension)")


def decode_csv(data: bytes, name: str, kind: str) -> str:
    """CSV bytes as text, or a DataError saying what the file is instead (``kind`` names the
    expected file in the message, e.g. "Strava activities.csv")."""
    if not data.strip():
        raise DataError(f"{name} is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("the file is UTF-16 text; save it as UTF-8 CSV and import that")
    if b"\x00" in data:
        raise DataError("not a CSV file: it holds binary data")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not a CSV file: not UTF-8 text (byte {exc.start})") from exc
    if text.lstrip().startswith("<"):
        raise DataError(f"not a {kind}: this is XML (a GPX or TCX file?)")
    return text
