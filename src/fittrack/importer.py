"""Importing files: find them, read each with its format, and add it to the log all or nothing.

Each file is one transaction: every activity in it is added (or skipped as a duplicate), or, if any
part of it cannot be read, none is and the file is reported as failed with its reason while the
other files go on. An activity is a duplicate when one with the same id exists (deleted ones
included), or one of the same type starting within 60 seconds of it; ``force`` imports those too
(with a new id when the id is taken). ``dry_run`` does all the work and rolls every file back.

Rows are read as a stream and written in batches through plain sqlite3, so a million-row CSV
imports in bounded memory.
"""

import io
import math
import sqlite3
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import ActivityType
from fittrack.core.calories import energy_for
from fittrack.core.dates import FIRST_YEAR, LAST_YEAR, add_seconds, seconds_between
from fittrack.core.profile import Profile
from fittrack.core.quantities import MAX_CALORIES_KCAL, MAX_DISTANCE_M, MAX_DURATION_S
from fittrack.errors import DataError, FittrackError, UsageError
from fittrack.formats import ImportedActivity
from fittrack.storage import activities
from fittrack.storage.activities import to_db_time
from fittrack.storage.db import begin_immediate

FORMATS = ("auto", "csv", "json", "gpx", "tcx", "fit", "strava", "garmin")
WATCH_SUFFIXES = (".gpx", ".tcx", ".fit", ".gpx.gz", ".tcx.gz", ".fit.gz")
DATA_SUFFIXES = (*WATCH_SUFFIXES, ".csv", ".json", ".zip")
DUPLICATE_WINDOW_S = 60
BATCH = 2000
PIPE_LIMIT = 512 * 1024 * 1024
PIPE_TOO_BIG = "more than 512 MB from a pipe: save it to a file and import that"

# Into an empty log every row comes from the file being imported: drop each activity that has one
# of the same type starting within a minute earlier in the file (by rowid, i.e. file order).
_SWEEP_NEAR_DUPLICATES = f"""
DELETE FROM activity WHERE rowid IN (
    SELECT later.rowid FROM activity AS later WHERE EXISTS (
        SELECT 1 FROM activity AS earlier
        WHERE earlier.type = later.type AND earlier.rowid < later.rowid
          AND earlier.start_at >= strftime('%Y-%m-%d %H:%M:%f', later.start_at,
                                           '-{DUPLICATE_WINDOW_S} seconds')
          AND earlier.start_at <= strftime('%Y-%m-%d %H:%M:%f', later.start_at,
                                           '+{DUPLICATE_WINDOW_S} seconds')))
"""

_Extra = Callable[[sqlite3.Connection], None]


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    added: int = 0
    skipped: int = 0
    failed: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    format: str = ""

    def to_json(self) -> dict[str, Any]:
        """``{"path", "added", "skipped", "failed", "error"}`` (PRODUCT.md), plus warnings."""
        return {
            "path": self.path,
            "added": self.added,
            "skipped": self.skipped,
            "failed": self.failed,
            "error": self.error,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class Options:
    """What the person asked for on the command line."""

    format: str = "auto"
    type_override: ActivityType | None = None
    dry_run: bool = False
    force: bool = False
    units: str = "metric"


@dataclass
class _Unit:
    """One thing to import as one transaction: a file, a zip member, or a Strava export."""

    label: str
    read: Callable[[], bytes]
    name: str
    path: Path | None = None


class Importer:
    """Imports files into one open database for one person."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        profile: Profile,
        tz: tzinfo,
        now: datetime,
        resolve_type: Callable[[str], ActivityType],
        options: Options,
        on_rows: Callable[[int], None] | None = None,
    ) -> None:
        self.conn = conn
        self.profile = profile
        self.tz = tz
        self.now = now
        self.resolve_type = resolve_type
        self.options = options
        self.on_rows = on_rows or (lambda n: None)
        self._types: dict[str, ActivityType] = {}

    # ---- finding the files -------------------------------------------------------------------

    def units(self, paths: Iterable[Path]) -> Iterator[_Unit | FileReport]:
        """Everything to import, in order; a path that cannot be used comes as a failed report."""
        for path in paths:
            try:
                exists, is_dir, is_file = path.exists(), path.is_dir(), path.is_file()
            except OSError as exc:  # a name too long, a loop of links…
                yield FileReport(str(path), failed=1, error=f"cannot open it ({exc.strerror})")
                continue
            if not exists:
                yield FileReport(str(path), failed=1, error="no such file or folder")
            elif is_dir:
                yield from self._folder(path)
            elif path.suffix.lower() == ".zip":
                yield from self._zip(path)
            elif not is_file:  # a pipe (/dev/stdin, <(…)): it can be read only once
                with open(path, "rb") as stream:
                    data = stream.read(PIPE_LIMIT + 1)
                if len(data) > PIPE_LIMIT:
                    yield FileReport(str(path), failed=1, error=PIPE_TOO_BIG)
                else:
                    yield _Unit(str(path), _constant(data), path.name)
            else:
                yield _Unit(str(path), path.read_bytes, path.name, path)

    def _folder(self, folder: Path) -> Iterator[_Unit | FileReport]:
        from fittrack.formats import strava

        if strava.is_strava_export(folder):
            yield _Unit(str(folder), lambda: b"", "activities.csv", folder)
            return
        files = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES)
        )
        if not files:
            yield FileReport(
                str(folder), failed=1, error="no GPX, TCX, FIT, CSV or JSON files in it"
            )
        for file in files:
            yield from self.units([file])

    def _zip(self, path: Path) -> Iterator[_Unit | FileReport]:
        from fittrack.formats import strava

        try:
            if strava.is_strava_export(path):
                yield _Unit(str(path), lambda: b"", "activities.csv", path)
                return
            with zipfile.ZipFile(path) as archive:
                names = [
                    n
                    for n in archive.namelist()
                    if n.lower().endswith(DATA_SUFFIXES) and not n.lower().endswith(".zip")
                ]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            yield FileReport(str(path), failed=1, error=f"not a readable zip file ({exc})")
            return
        if not names:
            yield FileReport(str(path), failed=1, error="no GPX, TCX, FIT, CSV or JSON files in it")
        for name in names:

            def read(member: str = name) -> bytes:
                with zipfile.ZipFile(path) as archive:
                    return archive.read(member)

            yield _Unit(f"{path}/{name}", read, Path(name).name)

    # ---- reading and adding ------------------------------------------------------------------

    def run(self, paths: Iterable[Path], on_file: Callable[[FileReport], None]) -> list[FileReport]:
        """Import every file; ``on_file`` hears of each as it is done."""
        reports = []
        if self.options.dry_run:
            begin_immediate(self.conn)  # every file in it, all rolled back at the end
        try:
            for unit in self.units(paths):
                report = unit if isinstance(unit, FileReport) else self.import_unit(unit)
                reports.append(report)
                on_file(report)
        finally:
            if self.options.dry_run:
                self.conn.execute("ROLLBACK")
        return reports

    def import_unit(self, unit: _Unit) -> FileReport:
        """One file, all or nothing."""
        report = FileReport(unit.label)
        try:
            fmt, items, extra = self._read(unit)
            report.format = fmt
            self._store(items, report, extra)
        except sqlite3.DatabaseError:
            raise  # the database, not the file, is at fault: the command reports it
        except FittrackError as exc:
            report.added = report.skipped = 0
            report.failed = 1
            report.error = str(exc)
        except Exception as exc:
            # (zlib.error, BadZipFile, OverflowError, NotImplementedError for an exotic zip…),
            # it is this file that failed, not the command.
            report.added = report.skipped = 0
            report.failed = 1
            report.error = f"cannot read it ({type(exc).__name__}: {exc})"
        return report

    def _read(self, unit: _Unit) -> tuple[str, Iterable[ImportedActivity], _Extra | None]:
        """The format of a unit, its activities, and (our JSON) what else goes in with them."""
        from fittrack import formats
        from fittrack.formats import fittrack_csv, fittrack_json, garmin, strava

        fmt = self.options.format
        if unit.path is not None and (unit.path.is_dir() or unit.path.suffix.lower() == ".zip"):
            return "strava", strava.parse_export(unit.path), None
        lowered = unit.name.lower()
        head = _head(unit.path) if unit.path is not None else unit.read()
        if not head.strip():
            raise DataError("the file is empty")
        if fmt == "auto":
            fmt = _detect(lowered, head)
        if fmt == "csv" and unit.path is not None:
            # Our CSV may hold a million rows: stream it from disk rather than read it whole.
            if not fittrack_csv.looks_like_ours(head):
                raise DataError("not a fittrack CSV (its header is not id,type,start,…)")
            return fmt, _stream_csv(unit.path, unit.name), None
        data = unit.read() if unit.path is not None else head
        if fmt in ("gpx", "tcx", "fit"):
            name = unit.name if lowered.removesuffix(".gz").endswith(f".{fmt}") else f"x.{fmt}"
            return fmt, formats.parse_by_name(name, data), None
        if fmt == "csv":
            if not fittrack_csv.looks_like_ours(data[:4096]):
                raise DataError("not a fittrack CSV (its header is not id,type,start,…)")
            return fmt, fittrack_csv.read(io.BytesIO(data), unit.name), None
        if fmt == "json":
            export = fittrack_json.Export(data, unit.name)
            return fmt, export.activities(), self._goals_and_profile(export)
        if fmt == "strava":
            if unit.path is not None:  # activities.csv on its own: its activity files beside it
                return fmt, strava.parse_export(unit.path), None
            return fmt, strava.parse_csv(data, unit.name), None
        if fmt == "garmin":
            return (
                fmt,
                garmin.parse_csv(data, unit.name, units=self.options.units, tz=self.tz),
                None,
            )
        raise DataError(f"cannot tell what kind of file {unit.name} is")

    def _goals_and_profile(self, export: Any) -> _Extra:
        """Our JSON's goals (and its profile when none is set here), in the same transaction."""

        def add(conn: sqlite3.Connection) -> None:
            from fittrack.storage.goals import insert_goal

            for goal in export.goals():
                exists = conn.execute("SELECT 1 FROM goal WHERE id = ?", (goal.id,)).fetchone()
                if exists is None:
                    insert_goal(conn, goal)
            profile = export.profile()
            saved = conn.execute("SELECT 1 FROM profile").fetchone()
            if profile is not None and saved is None:
                from fittrack.storage.profile import save_profile

                save_profile(conn, profile, self.now)

        return add

    def _store(
        self,
        items: Iterable[ImportedActivity],
        report: FileReport,
        extra: _Extra | None,
    ) -> None:
        conn = self.conn
        # A savepoint inside the run's transaction (a dry run: rolled back at the end, so each
        # file sees the ones before it, as a real run would) or a transaction of its own.
        nested = conn.in_transaction
        if nested:
            conn.execute("SAVEPOINT import_file")
        else:
            begin_immediate(conn)  # says so when another fittrack holds the write lock
        try:
            # With nothing in the log yet, only rows of this same file can collide: insert in
            # batches (the primary key drops repeated ids) and sweep near-duplicates in SQL after.
            fast = not self.options.force and (
                conn.execute("SELECT 1 FROM activity LIMIT 1").fetchone() is None
            )
            iterator = iter(items)
            while batch := list(islice(iterator, BATCH)):
                records = [self._record(item, report) for item in batch]
                if fast:
                    before = conn.total_changes
                    activities.insert(conn, records, ignore_existing=True)
                    report.added += conn.total_changes - before
                else:
                    for record in records:  # one at a time: later rows see earlier ones
                        admitted = self._admit(record)
                        if admitted is not None:
                            activities.insert(conn, [admitted])
                            report.added += 1
                report.skipped += len(records)
                self.on_rows(len(batch))
            report.skipped -= report.added
            if fast:
                swept = conn.execute(_SWEEP_NEAR_DUPLICATES).rowcount
                report.added -= swept
                report.skipped += swept
            if extra is not None:
                extra(conn)
        except BaseException:
            if nested:
                conn.execute("ROLLBACK TO import_file")
                conn.execute("RELEASE import_file")
            else:
                conn.execute("ROLLBACK")
            raise
        if nested:
            conn.execute("RELEASE import_file")
        else:
            conn.execute("COMMIT")

    def _admit(self, record: ActivityRecord) -> ActivityRecord | None:
        """The record to add, or None for a duplicate; forced, a taken id gets a new one."""
        id_taken = (
            self.conn.execute("SELECT 1 FROM activity WHERE id = ?", (record.id,)).fetchone()
            is not None
        )
        if self.options.force:
            return replace(record, id=str(uuid.uuid4())) if id_taken else record
        if id_taken:
            return None
        window = timedelta(seconds=DUPLICATE_WINDOW_S)
        near = self.conn.execute(
            "SELECT 1 FROM activity WHERE type = ? AND start_at >= ? AND start_at <= ? "
            "AND deleted_at IS NULL LIMIT 1",
            (record.type, to_db_time(record.start - window), to_db_time(record.start + window)),
        ).fetchone()
        return record if near is None else None

    def _kind(self, item: ImportedActivity, report: FileReport) -> ActivityType:
        if item.type is None:
            if self.options.type_override is not None:
                return self.options.type_override
            guessed = _guess_type(item)
            note = (
                f"no sport in the file: guessed '{guessed}' from the speed (use --type to set it)"
            )
            if note not in report.warnings:
                report.warnings.append(note)
            return self._lookup(guessed, report)
        return self._lookup(item.type, report)

    def _lookup(self, slug: str, report: FileReport) -> ActivityType:
        if slug not in self._types:
            try:
                self._types[slug] = self.resolve_type(slug)
            except UsageError:
                report.warnings.append(f"unknown activity type '{slug}', imported as 'other'")
                self._types[slug] = self.resolve_type("other")
        return self._types[slug]

    def _record(self, item: ImportedActivity, report: FileReport) -> ActivityRecord:
        for warning in item.warnings:
            if warning not in report.warnings:
                report.warnings.append(warning)
        _check(item)
        kind = self._kind(item, report)
        duration = item.duration_s
        if duration is None and item.end is not None:
            duration = seconds_between(item.start, item.end)
        if duration is None or duration <= 0:
            raise DataError(f"the activity starting {item.start:%Y-%m-%d %H:%M} has no duration")
        end = item.end if item.end is not None else add_seconds(item.start, duration)
        start = item.start
        if item.id is None:  # a watch file: show it at the person's offset of the day
            start, end = start.astimezone(self.tz), end.astimezone(self.tz)
        energy = energy_for(
            kind, item.distance_m, duration, self.profile.weight_kg, item.calories_kcal
        )
        return ActivityRecord(
            id=str(uuid.UUID(item.id)) if item.id else str(uuid.uuid4()),
            type=kind.slug,
            start=start,
            end=end,
            duration_s=duration,
            distance_m=item.distance_m,
            calories_kcal=energy.calories_kcal
            if item.calories_kcal is None
            else item.calories_kcal,
            calories_estimated=(
                item.calories_estimated
                if item.calories_estimated is not None
                else energy.calories_estimated
            ),
            workload=item.workload if item.workload is not None else energy.workload,
            note=item.note,
            source=item.source,
            created_at=item.created_at or self.now,
            updated_at=item.updated_at or self.now,
        )


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _check(item: ImportedActivity) -> None:
    """Refuse values no workout has, before any arithmetic can overflow on them."""
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
    if item.id is not None:
        try:
            uuid.UUID(item.id)
        except ValueError:
            raise DataError(f"{where}: its id {item.id!r} is not a UUID") from None


def _head(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a file: enough to tell its format (the rest may be huge)."""
    with open(path, "rb") as stream:
        return stream.read(size)


def _stream_csv(path: Path, name: str) -> Iterator[ImportedActivity]:
    from fittrack.formats import fittrack_csv

    with open(path, "rb") as stream:
        yield from fittrack_csv.read(stream, name)


def _detect(name: str, data: bytes) -> str:
    """The format of a file, from its name and first bytes."""
    from fittrack.formats import fittrack_csv, fittrack_json, garmin, strava

    for suffix in ("gpx", "tcx", "fit"):
        if name.endswith((f".{suffix}", f".{suffix}.gz")):
            return suffix
    head = data[:4096]
    if fittrack_json.looks_like_ours(head):
        return "json"
    if fittrack_csv.looks_like_ours(head):
        return "csv"
    if strava.looks_like_strava_csv(head):
        return "strava"
    if garmin.looks_like_garmin_csv(head):
        return "garmin"
    if len(head) > 12 and head[8:12] == b".FIT":
        return "fit"
    text = head.lstrip()[:400].lower()
    if b"<gpx" in text:
        return "gpx"
    if b"trainingcenterdatabase" in text:
        return "tcx"
    raise DataError(
        "cannot tell what kind of file this is: give --format csv, json, gpx, tcx, fit, strava "
        "or garmin"
    )


def _guess_type(item: ImportedActivity) -> str:
    """walk, run or ride from the average speed; other without a distance."""
    if not item.distance_m or not item.duration_s:
        return "other"
    kmh = item.distance_m / item.duration_s * 3.6
    return "walk" if kmh < 7 else "run" if kmh < 16 else "ride"
