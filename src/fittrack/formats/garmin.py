"""Garmin Connect ``Activities.csv``: the list from Activities → All Activities → Export CSV.

The header varies with the export's date and the sports in the list, so columns are found by name.
Required: ``Activity Type``, ``Date``, ``Distance``, and ``Time``, ``Moving Time`` or
``Elapsed Time``; ``Title`` (the note) and ``Calories`` are read when present. Headers in another
language are refused: those exports also localise numbers and dates.

Decisions, since Garmin documents none of this:

- ``Date`` is the activity's local wall-clock time without an offset. It is read in the zone the
  caller passes (``tz``: the profile's zone), so an activity recorded while travelling is off by
  the difference between the zones. A wall-clock time that happens twice when clocks go back is
  its first occurrence.
- The file has no unit column: ``Distance`` is km or miles as the *account* was set when exporting,
  and swims (pool or open water) are in metres or yards. The caller says which with ``units``
  ("metric", the default, or "imperial"; ``fittrack import --units``). Nothing in the file tells
  them apart reliably, so no guess is made.
- ``--`` and an empty cell are missing; ``1,024`` is one thousand and twenty-four. A distance or
  calories of 0 is what Garmin writes when nothing was measured (strength, elliptical), so it is
  read as missing too.
- The duration is ``Moving Time`` when present and non-zero (gym activities have ``00:00:00``),
  else ``Time``, else ``Elapsed Time``; ``end`` is start + ``Elapsed Time`` when that is known.
- A second header line inside the file (two exports pasted together) starts a new header.

Rows are numbered as a spreadsheet shows them: the header is row 1. One bad row fails the file.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from fittrack.errors import DataError, UsageError
from fittrack.formats import ImportedActivity, decode_csv, map_sport

__all__ = ["ACTIVITY_TYPES", "UNITS", "looks_like_garmin_csv", "parse_csv"]

SOURCE = "garmin"

# Garmin Connect's English activity type names, in map_sport's normal form (lower case, single
# spaces), to fittrack slugs. Sports with no close fittrack type are left out on purpose: map_sport
# keeps their own name, which the importer adds as a new type.
ACTIVITY_TYPES: dict[str, str] = {
    "running": "run",
    "treadmill running": "run",
    "trail running": "run",
    "indoor running": "run",
    "track running": "run",
    "virtual running": "run",
    "street running": "run",
    "ultra run": "run",
    "walking": "walk",
    "casual walking": "walk",
    "speed walking": "walk",
    "indoor walking": "walk",
    "hiking": "hike",
    "cycling": "ride",
    "road cycling": "ride",
    "road biking": "ride",
    "gravel/unpaved cycling": "ride",
    "gravel cycling": "ride",
    "mountain biking": "mountain-bike",
    "indoor cycling": "indoor-ride",
    "virtual cycling": "indoor-ride",
    "spinning": "spin",
    "open water swimming": "open-water-swim",
    "pool swimming": "swim",
    "lap swimming": "swim",
    "swimming": "swim",
    "rowing": "row",
    "indoor rowing": "row",
    "strength training": "strength",
    "hiit": "hiit",
    "yoga": "yoga",
    "pilates": "pilates",
    "elliptical": "elliptical",
    "stair stepper": "stairs",
    "floor climbing": "stairs",
    # Garmin's generic kinds: the user chose no sport, so "other" is the answer, not a guess.
    "cardio": "other",
    "other": "other",
    "gym & fitness equipment": "other",
}

# Metres per unit of Distance: (most sports, swims) for each account setting.
UNITS: dict[str, tuple[float, float]] = {
    "metric": (1000.0, 1.0),  # km; swims in metres
    "imperial": (1609.344, 0.9144),  # miles; swims in yards
}
_SWIM_TYPES = frozenset({"swim", "open-water-swim"})

# No activity lasts a year, and none was recorded before 1900 or after 2200: such values are damage,
# and would overflow the date arithmetic (start + elapsed, moving to UTC) further on.
MAX_DURATION_S = 366 * 86400
MIN_YEAR, MAX_YEAR = 1900, 2200

_REQUIRED = ("Activity Type", "Date", "Distance")
_DURATIONS = ("Moving Time", "Time", "Elapsed Time")
_MISSING = frozenset({"", "--", "--:--:--", "--:--"})
# First header cells of localised exports seen in the wild (Danish, German, German 2012, French,
# Spanish, Italian, Dutch, Lithuanian): refused with a reason instead of "not a Garmin file".
_LOCALISED_FIRST_CELLS = frozenset(
    {
        "Aktivitetstype",
        "Aktivitätstyp",
        "Favorit",
        "Type d'activité",
        "Tipo de actividad",
        "Tipo di attività",
        "Activiteittype",
        "Veiklos tipas",
    }
)
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DURATION_RE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)")


@dataclass(frozen=True)
class _Columns:
    """Where each value is in the current header; None for a column this export lacks."""

    width: int
    type: int
    date: int
    distance: int
    title: int | None
    calories: int | None
    moving: int | None
    time: int | None
    elapsed: int | None


def looks_like_garmin_csv(head: bytes) -> bool:
    """Whether the first bytes of a file are the header of a Garmin Connect ``Activities.csv``.

    True also for a localised export, so that it is refused with a reason rather than reported as
    an unknown format.
    """
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    line = text.split("\n", 1)[0]
    if line.startswith("Aktivitäten von"):  # the 2012 German layout's title line
        return True
    try:
        cells = [cell.strip() for cell in next(csv.reader([line]), [])]
    except csv.Error:
        return False
    if not cells:
        return False
    return ("Activity Type" in cells and "Date" in cells) or cells[0] in _LOCALISED_FIRST_CELLS


def parse_csv(
    data: bytes,
    name: str = "Activities.csv",
    units: str | None = None,
    *,
    tz: tzinfo,
) -> list[ImportedActivity]:
    """The activities in a Garmin Connect ``Activities.csv``; zero for a header without rows.

    ``units`` is the Garmin account's setting when it exported ("metric", the default, or
    "imperial"); ``tz`` is the zone its local times are read in (the profile's). ``name`` is the
    file's name, for messages.
    """
    chosen = (units or "metric").strip().lower()
    if chosen not in UNITS:
        raise UsageError(f"units must be 'metric' or 'imperial', not '{units}'")
    per_unit, per_swim_unit = UNITS[chosen]
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    activities: list[ImportedActivity] = []
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(f"{name} is empty")
        columns = _columns(header)
        # Spreadsheet numbering: the header is row 1, and a title with line breaks is one row.
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if row[0].strip() == "Activity Type":
                columns = _columns(row)  # a second export pasted below the first
                continue
            activities.append(_activity(row, columns, number, per_unit, per_swim_unit, tz))
    except csv.Error as exc:
        raise DataError(f"line {reader.line_num}: not valid CSV ({exc})") from exc
    return activities


def _decode(data: bytes, name: str) -> str:
    return decode_csv(data, name, "Garmin Connect Activities.csv")


def _columns(raw_header: Sequence[str]) -> _Columns:
    header = [" ".join(cell.split()) for cell in raw_header]

    def find(column: str) -> int | None:
        return header.index(column) if column in header else None

    if "Activity Type" not in header:
        first = header[0] if header else ""
        if first in _LOCALISED_FIRST_CELLS or first.startswith("Aktivitäten von"):
            raise DataError(
                f"this export's headers are not in English ('{first}', …); set Garmin Connect's "
                "language to English, export the list again and import that"
            )
    for column in _REQUIRED:
        if column not in header:
            raise DataError(f"not a Garmin Connect Activities.csv: no '{column}' column")
    if not any(column in header for column in _DURATIONS):
        raise DataError(
            "not a Garmin Connect Activities.csv: no 'Time', 'Moving Time' or 'Elapsed Time' column"
        )
    return _Columns(
        width=len(header),
        type=header.index("Activity Type"),
        date=header.index("Date"),
        distance=header.index("Distance"),
        title=find("Title"),
        calories=find("Calories"),
        moving=find("Moving Time"),
        time=find("Time"),
        elapsed=find("Elapsed Time"),
    )


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}…'"


def _cell(row: Sequence[str], index: int | None) -> str:
    text = row[index].strip() if index is not None else ""
    return "" if text in _MISSING else text


def _number(row: Sequence[str], index: int | None, column: str, number: int) -> float | None:
    """A non-negative finite number (``1,024`` allowed), or None when missing or zero."""
    text = _cell(row, index)
    if not text:
        return None
    plain = text.replace(",", "") if _THOUSANDS_RE.fullmatch(text) else text
    try:
        value = float(plain)
    except ValueError:
        raise DataError(f"row {number}: '{column}' is not a number: {_shown(text)}") from None
    if not math.isfinite(value) or value < 0:
        raise DataError(f"row {number}: '{column}' is not a number ≥ 0: {_shown(text)}")
    return value if value > 0 else None


def _duration(row: Sequence[str], index: int | None, column: str, number: int) -> float | None:
    """Seconds from ``HH:MM:SS``, ``HH:MM:SS.s`` or ``MM:SS``; None when missing or zero."""
    text = _cell(row, index)
    if not text:
        return None
    match = _DURATION_RE.fullmatch(text)
    if match is None or int(match[2]) >= 60 or float(match[3]) >= 60:
        raise DataError(f"row {number}: '{column}' is not a duration like 01:02:03: {_shown(text)}")
    seconds = int(match[1] or 0) * 3600 + int(match[2]) * 60 + float(match[3])
    if seconds > MAX_DURATION_S:
        raise DataError(f"row {number}: '{column}' is longer than a year: {_shown(text)}")
    return seconds if seconds > 0 else None


def _start(text: str, tz: tzinfo, number: int) -> datetime:
    if not text:
        raise DataError(f"row {number}: no 'Date'")
    try:
        if not re.match(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DataError(
            f"row {number}: 'Date' is not a date like 2024-05-01 07:30:00: {_shown(text)}"
        ) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise DataError(f"row {number}: 'Date' is out of range: {_shown(text)}")
    # Garmin writes the local wall-clock time; an offset, should one appear, is kept.
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def _activity(
    row: list[str],
    columns: _Columns,
    number: int,
    per_unit: float,
    per_swim_unit: float,
    tz: tzinfo,
) -> ImportedActivity:
    width = columns.width
    if len(row) < width:
        raise DataError(f"row {number}: {len(row)} cells where the header has {width} (truncated?)")
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        raise DataError(f"row {number}: {len(row)} cells where the header has {width}")
    start = _start(_cell(row, columns.date), tz, number)
    sport = _cell(row, columns.type) or None
    activity_type, warnings = map_sport(sport, ACTIVITY_TYPES)
    distance = _number(row, columns.distance, "Distance", number)
    if distance is not None:
        # Rounded to the millimetre: 5.01 km is 5010 m, not 5009.999999999999.
        distance = round(
            distance * (per_swim_unit if activity_type in _SWIM_TYPES else per_unit), 3
        )
    moving = _duration(row, columns.moving, "Moving Time", number)
    timer = _duration(row, columns.time, "Time", number)
    elapsed = _duration(row, columns.elapsed, "Elapsed Time", number)
    duration = next((value for value in (moving, timer, elapsed) if value is not None), None)
    return ImportedActivity(
        start=start,
        source=SOURCE,
        type=activity_type,
        sport=sport,
        end=start + timedelta(seconds=elapsed) if elapsed is not None else None,
        duration_s=duration,
        distance_m=distance,
        calories_kcal=_number(row, columns.calories, "Calories", number),
        note=_cell(row, columns.title).replace("\r\n", "\n"),
        warnings=warnings,
    )
