"""fittrack's own CSV: a header of the ACTIVITY keys, ISO 8601 times with offset, SI numbers, UTF-8.

Writing streams the rows ``storage.export`` reads (its query formats the times, so a million rows
export at close to the speed of a raw dump); reading streams too, one row at a time, so the
importer can insert in batches with memory that does not grow with the file. A note with commas,
quotes or line breaks survives both ways (the csv module quotes it).
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO

from fittrack.core.activity import ACTIVITY_KEYS
from fittrack.core.calories import CALORIES_METHODS
from fittrack.errors import DataError
from fittrack.formats import ImportedActivity


def write(out: IO[str], batches: Iterable[Sequence[Sequence[object]]]) -> int:
    """Write the header and every row (one value a key of ``ACTIVITY_KEYS``); returns the count.

    The rows come ready as text and numbers (``storage.export.csv_rows``), in batches.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACTIVITY_KEYS)
    count = 0
    for rows in batches:
        writer.writerows(rows)
        count += len(rows)
    return count


def looks_like_ours(head: bytes) -> bool:
    """True when the first line is our header."""
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return bool(first) and first[0].strip().split(",")[:3] == list(ACTIVITY_KEYS[:3])


def _time(text: str, row: int, key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DataError(f"row {row}: '{key}' is not an ISO 8601 time: {text!r}") from None
    if moment.utcoffset() is None:
        raise DataError(f"row {row}: '{key}' has no UTC offset: {text!r}")
    return moment


def _number(text: str, row: int, key: str, *, optional: bool = False) -> float | None:
    if text == "" and optional:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"row {row}: '{key}' is not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise DataError(f"row {row}: '{key}' must be a positive number, not {text!r}")
    return value


def read(stream: IO[bytes], name: str = "") -> Iterator[ImportedActivity]:
    """Our CSV, row by row. A bad row raises DataError naming it (the importer rolls back)."""
    # A note may be longer than the csv module's default 128 KiB field limit: what we export we
    # must read back.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _rows(csv.reader(text), name)
    except UnicodeDecodeError as exc:
        raise DataError(f"{name or 'the file'} is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise DataError(f"{name or 'the file'}: malformed CSV ({exc})") from None
    finally:
        text.detach()  # the caller owns the stream and closes it


_OPTIONAL = ("calories_method",)
"""Columns a CSV exported by an older fittrack lacks: it imports as it always did."""


def _rows(reader: Iterator[list[str]], name: str) -> Iterator[ImportedActivity]:
    header = next(reader, None)
    if header is None:
        return
    missing = [k for k in ACTIVITY_KEYS if k not in header and k not in _OPTIONAL]
    if missing:
        raise DataError(f"{name or 'the file'} is not a fittrack CSV: no {', '.join(missing)}")
    at = {key: header.index(key) for key in ACTIVITY_KEYS if key in header}
    for row_number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise DataError(
                f"row {row_number}: {len(row)} fields where the header has {len(header)}"
            )
        yield _activity(row, at, row_number)


def _activity(row: list[str], at: dict[str, int], n: int) -> ImportedActivity:
    def get(key: str) -> str:
        return row[at[key]]

    estimated = get("calories_estimated").strip().lower()
    if estimated not in ("true", "false", "1", "0"):
        raise DataError(f"row {n}: 'calories_estimated' must be true or false, not {estimated!r}")
    method = row[at["calories_method"]].strip() if "calories_method" in at else ""
    if method and method not in CALORIES_METHODS:
        raise DataError(
            f"row {n}: 'calories_method' must be one of {', '.join(CALORIES_METHODS)}, "
            f"not {method!r}"
        )
    activity_type = get("type").strip().lower()
    if not activity_type:
        raise DataError(f"row {n}: 'type' is empty")
    return ImportedActivity(
        id=get("id").strip() or None,
        type=activity_type,
        sport=activity_type,
        start=_time(get("start"), n, "start"),
        end=_time(get("end"), n, "end"),
        duration_s=_number(get("duration_s"), n, "duration_s"),
        distance_m=_number(get("distance_m"), n, "distance_m", optional=True),
        calories_kcal=_number(get("calories_kcal"), n, "calories_kcal"),
        calories_estimated=estimated in ("true", "1"),
        calories_method=method or None,
        workload=_number(get("workload"), n, "workload"),
        note=get("note"),
        source=get("source").strip() or "csv",
        created_at=_time(get("created_at"), n, "created_at").astimezone(UTC),
        updated_at=_time(get("updated_at"), n, "updated_at").astimezone(UTC),
    )
