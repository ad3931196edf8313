"""Strava's ``activities.csv``, current and legacy layouts: its header, cells, numbers and dates.

What is read, per row of ``activities.csv``:

- current layout (exports since about 2019, 79 to 103 columns): ``Activity Date`` (UTC,
  "Oct 5, 2014, 4:15:21 PM"),
  ``Activity Type``, ``Activity Name`` and ``Activity Description`` (the note), and the *SI* block:
  the second ``Elapsed Time`` (s), ``Moving Time`` (s), the second ``Distance`` (m) and
  ``Calories`` (kcal). The first ``Elapsed Time``/``Distance`` pair is Strava's display summary
  (km, miles, metres or nautical miles depending on the sport) and is never used. Columns are found
  by name and occurrence, after stripping the HTML some exports put in header cells.
- legacy layout (exports up to 2018): ``id,date,name,type,description,elapsed_time,distance,commute,
  gear,filename``; ``date`` is UTC ``YYYY-MM-DD HH:MM:SS``, ``distance`` metres, and there is no
  moving time, so the elapsed time stands in for it unless the activity's file gives one.

Headers in another language are refused: their numbers use decimal commas and their dates the
account's locale, and guessing at either would import wrong values silently.

Values: an empty cell is missing. A distance or calories of 0 is what Strava writes when nothing
was measured (yoga, weight training), so it is read as missing too; a moving time of 0 falls back
to the elapsed time. The ``start`` is the CSV's UTC time; ``end`` is start + elapsed time.

A row that lacks something its activity's own file may give (the moving time, the distance, the
calories, the sport, the end) asks ``file_detail`` for that file's values, when the caller passes
one (``strava.parse_export`` does: it reads the files of the export); the CSV's values win
whenever present, and the start is always the CSV's.

Rows are numbered as a spreadsheet shows them: the header is row 1. One bad row fails the file.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, decode_csv, map_sport

__all__ = [
    "CSV_NAME",
    "SPORT_TYPES",
    "FileDetail",
    "FileDetailReader",
    "looks_like_strava_csv",
    "parse_csv",
]

SOURCE = "strava"
CSV_NAME = "activities.csv"

# Strava's English "Activity Type" names, in map_sport's normal form (lower case, single spaces),
# to fittrack slugs. Sports with no close fittrack type (skiing, paddling, sailing, …) are left
# out on purpose: map_sport keeps their own name, which the importer adds as a new type.
SPORT_TYPES: dict[str, str] = {
    "run": "run",
    "trail run": "run",
    "virtual run": "run",
    "walk": "walk",
    "hike": "hike",
    "ride": "ride",
    "gravel ride": "ride",
    "mountain bike ride": "mountain-bike",
    "virtual ride": "indoor-ride",
    "swim": "swim",
    "rowing": "row",
    "virtual row": "row",
    "weight training": "strength",
    "crossfit": "circuit",
    "hiit": "hiit",
    "high intensity interval training": "hiit",
    "yoga": "yoga",
    "pilates": "pilates",
    "elliptical": "elliptical",
    "stair stepper": "stairs",
    # Strava's catch-all: the user said "a workout", so "other" is right, not a guess to warn about.
    "workout": "other",
}

# No activity lasts a year, and none was recorded before 1900 or after 2200: such values are damage,
# and would overflow the date arithmetic (start + elapsed, moving to UTC) further on.
MAX_DURATION_S = 366 * 86400
MIN_YEAR, MAX_YEAR = 1900, 2200

_TAG_RE = re.compile(r"<[^>]*>")
# "Oct 5, 2014, 4:15:21 PM" as exported; "5 Oct 2014, 16:15:21" as an en-GB account may show it.
# Newer exports put a narrow no-break space before "PM"; \s matches it.
_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\s*(?P<half>[AaPp])\.?\s*[Mm]\.?)?"
)
_MONTH = r"(?P<month>[A-Za-z]{3})[A-Za-z]*\.?"
_DATE_RES = (
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}),?\s+{_TIME}"),
    re.compile(rf"(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}}),?\s+{_TIME}"),
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_LEGACY_COLUMNS = ("id", "date", "name", "type", "elapsed_time", "distance")
_DATE_EXAMPLE = "'Oct 5, 2014, 4:15:21 PM'"


@dataclass(frozen=True)
class _Layout:
    """Where each value is in one export's header; None for a column this layout lacks."""

    date: int
    type: int | None
    name: int | None
    description: int | None
    elapsed: int | None
    moving: int | None
    distance: int
    calories: int | None
    filename: int | None
    legacy: bool


@dataclass(frozen=True)
class FileDetail:
    """What an activity's own file adds: the sums over the activities the file holds."""

    type: str | None
    sport: str | None
    end: datetime | None
    duration_s: float | None
    distance_m: float | None
    calories_kcal: float | None
    warnings: tuple[str, ...]


FileDetailReader = Callable[[str], tuple[FileDetail | None, str | None]]
"""Given a ``Filename`` cell: that file's values, or None and a warning saying why not."""


def _clean_header(cell: str) -> str:
    """A header cell without HTML tags, entities or extra spaces: `<span …>Type</span>` → Type."""
    return " ".join(html.unescape(_TAG_RE.sub("", cell)).split())


def looks_like_strava_csv(head: bytes) -> bool:
    """Whether the first bytes of a file are the header of a Strava ``activities.csv``.

    True also for a localised export, so that it is refused with a reason rather than reported as
    an unknown format.
    """
    cells = _first_line_cells(head)
    if not cells:
        return False
    if "Activity Date" in cells[:4] and cells[0] == "Activity ID":
        return True
    if all(column in cells for column in _LEGACY_COLUMNS):
        return True
    return _looks_localised(cells)


def parse_csv(
    data: bytes,
    name: str = CSV_NAME,
    file_detail: FileDetailReader | None = None,
) -> list[ImportedActivity]:
    """The activities in a Strava ``activities.csv``; zero for a header without rows.

    ``file_detail(filename)`` gives the values of the file the ``Filename`` column names, or a
    warning saying why there are none (the activity then keeps the CSV's values and carries it).
    Without ``file_detail`` the files are not looked at. ``name`` is the file's name, for messages.
    """
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(f"{name} is empty")
        layout = _layout([_clean_header(cell) for cell in header])
        activities: list[ImportedActivity] = []
        # Spreadsheet numbering: the header is row 1, and a note with line breaks is one row.
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue  # a blank line (often the last one) is not an activity
            activities.append(_activity(row, len(header), layout, number, file_detail))
    except csv.Error as exc:
        raise DataError(f"line {reader.line_num}: not valid CSV ({exc})") from exc
    return activities


def _decode(data: bytes, name: str) -> str:
    return decode_csv(data, name, "Strava activities.csv")


def _first_line_cells(head: bytes) -> list[str]:
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    line = text.split("\n", 1)[0]
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error:
        return []
    return [_clean_header(cell) for cell in cells]


def _looks_localised(cells: Sequence[str]) -> bool:
    # Every Strava export starts with the activity's id; other languages translate the name but
    # keep "ID" ("Aktivitäts-ID", "ID de l'activité"). A bare "ID" is any table's first column.
    first = cells[0] if cells else ""
    return first not in ("ID", "Activity ID") and re.search(r"\bID\b", first) is not None


def _occurrences(header: Sequence[str], column: str) -> list[int]:
    return [i for i, cell in enumerate(header) if cell == column]


def _layout(header: list[str]) -> _Layout:
    """Find the columns this export has; refuse a header that is not a Strava one we can read."""

    def first(column: str) -> int | None:
        found = _occurrences(header, column)
        return found[0] if found else None

    if "Activity Date" in header:
        distances = _occurrences(header, "Distance")
        if len(distances) < 2:
            # The first Distance is in display units (km, mi, m or nautical miles by sport).
            raise DataError(
                "not a Strava activities.csv as exported: only one 'Distance' column, and the "
                "metres one is the second"
            )
        # Both Elapsed Time columns are seconds; the second is the SI block's.
        elapsed = _occurrences(header, "Elapsed Time")
        return _Layout(
            date=header.index("Activity Date"),
            type=first("Activity Type"),
            name=first("Activity Name"),
            description=first("Activity Description"),
            elapsed=elapsed[-1] if elapsed else None,
            moving=first("Moving Time"),
            distance=distances[1],
            calories=first("Calories"),
            filename=first("Filename"),
            legacy=False,
        )
    if all(column in header for column in _LEGACY_COLUMNS):
        return _Layout(
            date=header.index("date"),
            type=first("type"),
            name=first("name"),
            description=first("description"),
            elapsed=first("elapsed_time"),
            moving=None,
            distance=header.index("distance"),
            calories=None,
            filename=first("filename"),
            legacy=True,
        )
    if _looks_localised(header):
        shown = ", ".join(header[:3])
        raise DataError(
            f"this export's headers are not in English ({shown}, …); set Strava's language to "
            "English, request the export again and import that"
        )
    raise DataError("not a Strava activities.csv: no 'Activity Date' column")


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}…'"


def _cell(row: Sequence[str], index: int | None) -> str:
    return row[index].strip() if index is not None else ""


def _number(row: Sequence[str], index: int | None, column: str, number: int) -> float | None:
    """A non-negative finite number, or None for an empty cell."""
    text = _cell(row, index)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"row {number}: '{column}' is not a number: {_shown(text)}") from None
    if not math.isfinite(value) or value < 0:
        raise DataError(f"row {number}: '{column}' is not a number ≥ 0: {_shown(text)}")
    return value


def _duration(row: Sequence[str], index: int | None, column: str, number: int) -> float | None:
    """Seconds, or None when empty or zero."""
    value = _positive(_number(row, index, column, number))
    if value is not None and value > MAX_DURATION_S:
        raise DataError(
            f"row {number}: '{column}' is longer than a year: {_shown(_cell(row, index))}"
        )
    return value


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def _parse_date(text: str, legacy: bool, column: str, number: int) -> datetime:
    """Strava's UTC start time: "Oct 5, 2014, 4:15:21 PM" (current) or ISO (legacy, resaved)."""
    if not text:
        raise DataError(f"row {number}: no '{column}'")
    match = next((m for m in (r.fullmatch(text) for r in _DATE_RES) if m is not None), None)
    if match is not None:
        month = _MONTHS.get(match["month"].lower())
        hours, half = int(match["hour"]), match["half"]
        # 12 AM is midnight and 12 PM noon; "0:10 AM" and "13:10 PM" are no times.
        valid = month is not None and (half is None or 1 <= hours <= 12)
        if half is not None:
            hours = hours % 12 + (12 if half in "Pp" else 0)
        try:
            if not valid or month is None:
                raise ValueError(text)
            parsed = datetime(
                int(match["year"]),
                month,
                int(match["day"]),
                hours,
                int(match["minute"]),
                int(match["second"]),
            )
        except ValueError:
            raise DataError(f"row {number}: '{column}' is not a date: {_shown(text)}") from None
    else:
        try:
            # The legacy layout's form, and what a spreadsheet may have rewritten the date to.
            parsed = datetime.fromisoformat(text)
        except ValueError:
            example = "'2018-03-04 07:15:00'" if legacy else _DATE_EXAMPLE
            raise DataError(
                f"row {number}: '{column}' is not a date like {example}: {_shown(text)}"
            ) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise DataError(f"row {number}: '{column}' is out of range: {_shown(text)}")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _activity(
    row: list[str],
    width: int,
    layout: _Layout,
    number: int,
    file_detail: FileDetailReader | None,
) -> ImportedActivity:
    if len(row) < width:
        raise DataError(f"row {number}: {len(row)} cells where the header has {width} (truncated?)")
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        raise DataError(f"row {number}: {len(row)} cells where the header has {width}")
    legacy = layout.legacy
    start = _parse_date(
        _cell(row, layout.date), legacy, "date" if legacy else "Activity Date", number
    )
    elapsed = _duration(row, layout.elapsed, "elapsed_time" if legacy else "Elapsed Time", number)
    moving = _duration(row, layout.moving, "Moving Time", number)
    distance = _positive(
        _number(row, layout.distance, "distance" if legacy else "Distance", number)
    )
    calories = _positive(_number(row, layout.calories, "Calories", number))
    sport = _cell(row, layout.type) or None
    activity_type, warnings = map_sport(sport, SPORT_TYPES)
    end = start + timedelta(seconds=elapsed) if elapsed is not None else None

    filename = _cell(row, layout.filename)
    lacking = moving is None or distance is None or calories is None or activity_type is None
    if filename and file_detail is not None and lacking:
        detail, problem = file_detail(filename)
        if problem is not None:
            warnings = (*warnings, problem)
        elif detail is not None:
            moving = moving if moving is not None else detail.duration_s
            distance = distance if distance is not None else detail.distance_m
            calories = calories if calories is not None else detail.calories_kcal
            end = end if end is not None else detail.end
            if activity_type is None and detail.type is not None:
                activity_type, sport = detail.type, detail.sport
                warnings = (*warnings, *detail.warnings)

    title = _cell(row, layout.name)
    description = _cell(row, layout.description)
    note = "\n".join(part for part in (title, description) if part).replace("\r\n", "\n")
    return ImportedActivity(
        start=start,
        source=SOURCE,
        type=activity_type,
        sport=sport,
        end=end,
        duration_s=moving if moving is not None else elapsed,
        distance_m=distance,
        calories_kcal=calories,
        note=note,
        warnings=warnings,
    )
