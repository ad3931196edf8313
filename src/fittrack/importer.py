"""Importing files: find them, read each with its format, and add it to the log all or nothing.

Each file is one transaction: every activity in it is added (or skipped as a duplicate), or, if any
part of it cannot be read, none is and the file is reported as failed with its reason while the
other files go on. An activity is a duplicate when one with the same id exists (deleted ones
included), or one of the same type starting within 60 seconds of it; ``force`` imports those too
(with a new id when the id is taken). ``dry_run`` does all the work and rolls every file back.

A sport or type no type here knows keeps its own name: it is added as a new custom type with the
MET of ``other`` (in the same transaction as the file, so a failed file leaves no type behind); a
name that cannot be a slug (no letter a-z in it) is imported as ``other`` with a warning. A row
faster than its type's plausible top speed (``core.activity_types.implausible_speed_kmh``) is
skipped with its row number and the reason, unless ``force`` (or the file is our JSON backup,
restored as it was). Our JSON backup brings its custom types, goals and profile first, then its
activities, all in the file's one transaction.

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
from fittrack.core.activity_types import ActivityType, implausible_speed_kmh
from fittrack.core.calories import energy_for
from fittrack.core.dates import FIRST_YEAR, LAST_YEAR
from fittrack.core.moments import add_seconds, seconds_between
from fittrack.core.profile import Profile
from fittrack.core.quantities import MAX_CALORIES_KCAL, MAX_DISTANCE_M, MAX_DURATION_S
from fittrack.errors import DataError, FittrackError, UsageError
from fittrack.formats import ImportedActivity
from fittrack.storage import activities
from fittrack.storage.db import begin_immediate
from fittrack.storage.rows import to_db_time

FORMATS = ("auto", "csv", "json", "gpx", "tcx", "fit", "strava", "garmin")
WATCH_SUFFIXES = (".gpx", ".tcx", ".fit", ".gpx.gz", ".tcx.gz", ".fit.gz")
DATA_SUFFIXES = (*WATCH_SUFFIXES, ".csv", ".json", ".zip")
DUPLICATE_WINDOW_S = 60
BATCH = 2000
PIPE_LIMIT = 512 * 1024 * 1024
PIPE_TOO_BIG = "more than 512 MB from a pipe: save it to a file and import that"
MAX_ROW_NOTES = 20  # reasons kept per file for skipped rows; the counts are always whole

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

_Extra = Callable[[sqlite3.Connection, "FileReport"], None]


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
    implausible: int = 0
    """Rows skipped for a speed beyond their type's plausible maximum (part of ``skipped``)."""
    skipped_rows: list[str] = field(default_factory=list)
    """Why rows were skipped, with their row number (the first ``MAX_ROW_NOTES``)."""
    new_types: list[ActivityType] = field(default_factory=list)
    """Types this file added because no type here had their name."""
    brought: dict[str, int] = field(default_factory=dict)
    """What our JSON backup added besides activities: ``types``, ``goals``, ``profile``."""
    ids: list[str] = field(default_factory=list)
    """The ids added (only when the importer was asked to collect them)."""

    @property
    def duplicates(self) -> int:
        """Rows skipped because they were already there."""
        return self.skipped - self.implausible

    def note_row(self, text: str) -> None:
        """Keep the reason a row was skipped (the first few: a file may have a million)."""
        if len(self.skipped_rows) < MAX_ROW_NOTES:
            self.skipped_rows.append(text)

    def to_json(self) -> dict[str, Any]:
        """``{"path", "added", "skipped", "failed", "error"}`` (PRODUCT.md), plus the details."""
        return {
            "path": self.path,
            "added": self.added,
            "skipped": self.skipped,
            "failed": self.failed,
            "error": self.error,
            "warnings": self.warnings,
            "skipped_rows": self.skipped_rows,
            "new_types": [t.slug for t in self.new_types],
            "brought": self.brought,
        }


class ImportInterrupted(Exception):
    """Ctrl-C during an import: the files done before it are saved, the one under way is not."""

    def __init__(self, done: list[FileReport], current: str | None, more: int) -> None:
        super().__init__("interrupted")
        self.done = done
        self.current = current
        """The file under way (rolled back) or next (not started); None when none was left."""
        self.more = more
        """How many files after ``current`` were not started."""


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
        collect_ids: bool = False,
    ) -> None:
        self.conn = conn
        self.profile = profile
        self.tz = tz
        self.now = now
        self.resolve_type = resolve_type
        self.options = options
        self.on_rows = on_rows or (lambda n: None)
        self.collect_ids = collect_ids
        self._types: dict[str, ActivityType] = {}
        self._row = 0  # the row of the file under way, counting from 1
        self._ctrl_c = _CtrlC()

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
            elif not is_file:  # a pipe (/dev/stdin, <(…)): read once, when its turn comes
                yield _Unit(str(path), _read_pipe(path), path.name)
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

    def run(
        self,
        paths: Iterable[Path],
        on_file: Callable[[FileReport], None],
        on_total: Callable[[int], None] | None = None,
    ) -> list[FileReport]:
        """Import every file; ``on_total`` hears how many there are, ``on_file`` of each done.

        Ctrl-C raises ``ImportInterrupted``: the files done are saved (none in a dry run), the
        one under way is rolled back, the rest are not started.
        """
        reports: list[FileReport] = []
        units: list[_Unit | FileReport] = []
        if self.options.dry_run:
            begin_immediate(self.conn)  # every file in it, all rolled back at the end
        try:
            units = list(self.units(paths))
            if on_total is not None:
                on_total(len(units))
            with self._ctrl_c:
                for unit in units:
                    report = unit if isinstance(unit, FileReport) else self.import_unit(unit)
                    reports.append(report)
                    self._ctrl_c.allow()  # deferred from just before the file's COMMIT
                    on_file(report)
        except KeyboardInterrupt:
            # Between two files the next one is the first not imported.
            left = [u.path if isinstance(u, FileReport) else u.label for u in units[len(reports) :]]
            raise ImportInterrupted(reports, left[0] if left else None, len(left[1:])) from None
        finally:
            self._ctrl_c.allow(raise_pending=False)
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
            return fmt, export.activities(), self._backup_extras(export)
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

    def _backup_extras(self, export: Any) -> Callable[[sqlite3.Connection, FileReport], None]:
        """Our JSON's custom types, goals and profile, added before its activities.

        A type already here with the same definition is left as it is; one defined differently
        keeps the definition here (said in a warning): changing a type would change how the
        activities already logged with it read. A goal whose id is here is left as it is; the
        profile is taken only when none is set here.
        """

        def add(conn: sqlite3.Connection, report: FileReport) -> None:
            from fittrack.storage.goals import insert_goal

            types = self._add_types(conn, export.types(), report)
            goals = 0
            for goal in export.goals():
                exists = conn.execute("SELECT 1 FROM goal WHERE id = ?", (goal.id,)).fetchone()
                if exists is None:
                    insert_goal(conn, goal)
                    goals += 1
            profile = export.profile()
            saved = conn.execute("SELECT 1 FROM profile").fetchone()
            brought = {"types": types, "goals": goals, "profile": 0}
            if profile is not None and saved is None:
                from fittrack.storage.profile import save_profile

                save_profile(conn, profile, self.now)
                brought["profile"] = int(profile != Profile())  # the defaults bring nothing
            report.brought = {k: v for k, v in brought.items() if v}

        return add

    def _add_types(
        self, conn: sqlite3.Connection, types: list[ActivityType], report: FileReport
    ) -> int:
        from fittrack.core.activity_types import validate_new_type
        from fittrack.storage.profile import add_custom_type, load_custom_types

        added = 0
        for kind in types:
            existing = load_custom_types(conn)
            mine = next((t for t in existing if t.slug == kind.slug), None)
            if mine is not None:
                differs = _differences(mine, kind)
                if differs:
                    report.warnings.append(
                        f"the backup's type '{kind.slug}' differs from yours ({differs}): "
                        "kept yours"
                    )
                continue
            try:
                validate_new_type(kind.slug, kind.met, [], existing)
            except UsageError:  # a built-in type's name, or another type's alias
                report.warnings.append(
                    f"the backup's type '{kind.slug}' is already a name here: kept the one here"
                )
                continue
            aliases: list[str] = []
            for alias in kind.aliases:
                try:
                    validate_new_type(kind.slug, kind.met, [*aliases, alias], existing)
                except UsageError:
                    report.warnings.append(
                        f"the alias '{alias}' of the backup's type '{kind.slug}' is already a "
                        "name here: left out"
                    )
                else:
                    aliases.append(alias)
            add_custom_type(conn, replace(kind, aliases=tuple(aliases)), self.now)
            self._types.clear()  # a name resolved before may mean this type now
            added += 1
        return added

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
        self._row = 0
        try:
            if extra is not None:
                extra(conn, report)
            # With nothing in the log yet, only rows of this same file can collide: insert in
            # batches (the primary key drops repeated ids) and sweep near-duplicates in SQL after.
            fast = not self.options.force and (
                conn.execute("SELECT 1 FROM activity LIMIT 1").fetchone() is None
            )
            iterator = iter(items)
            while batch := list(islice(iterator, BATCH)):
                records = [r for item in batch if (r := self._record(item, report)) is not None]
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
                            if self.collect_ids:
                                report.ids.append(admitted.id)
                report.skipped += len(batch)
                self.on_rows(len(batch))
            report.skipped -= report.added
            if fast:
                swept = conn.execute(_SWEEP_NEAR_DUPLICATES).rowcount
                report.added -= swept
                report.skipped += swept
                if self.collect_ids:  # the log was empty: every row in it is this file's
                    report.ids = [r[0] for r in conn.execute("SELECT id FROM activity")]
        except BaseException:
            self._types.clear()  # types this file added are rolled back with it
            report.new_types = []
            report.brought = {}
            report.ids = []
            report.skipped_rows = []
            report.implausible = 0
            if nested:
                conn.execute("ROLLBACK TO import_file")
                conn.execute("RELEASE import_file")
            else:
                conn.execute("ROLLBACK")
            raise
        # From here until run() has counted the file as saved, Ctrl-C waits: a KeyboardInterrupt
        # raised just after COMMIT returned would report a saved file as not imported.
        self._ctrl_c.defer()
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

    def _lookup(self, name: str, report: FileReport) -> ActivityType:
        if name not in self._types:
            try:
                self._types[name] = self.resolve_type(name)
            except UsageError:
                self._types[name] = self._new_type(name, report)
        return self._types[name]

    def _new_type(self, name: str, report: FileReport) -> ActivityType:
        """A type for a name no type here has: a new custom type with the MET of ``other``."""
        from fittrack.core.activity_types import validate_new_type
        from fittrack.formats import type_slug
        from fittrack.storage.profile import add_custom_type, load_custom_types

        other = self.resolve_type("other")
        slug = type_slug(name)
        if slug is None:
            report.warnings.append(
                f"unknown activity type '{name}' cannot be a type name, imported as 'other'"
            )
            return other
        try:
            return self.resolve_type(slug)  # "Rock Climbing!" may be "rock-climbing" already
        except UsageError:
            pass
        kind = validate_new_type(slug, other.met, [], load_custom_types(self.conn))
        add_custom_type(self.conn, kind, self.now)
        report.new_types.append(kind)
        return kind

    def _record(self, item: ImportedActivity, report: FileReport) -> ActivityRecord | None:
        """The activity to add for one row, or None for a row skipped with its reason."""
        for warning in item.warnings:
            if warning not in report.warnings:
                report.warnings.append(warning)
        self._row += 1
        _check(item)
        kind = self._kind(item, report)
        duration = item.duration_s
        if duration is None and item.end is not None:
            duration = seconds_between(item.start, item.end)
        if duration is None or duration <= 0:
            raise DataError(f"the activity starting {item.start:%Y-%m-%d %H:%M} has no duration")
        speed = implausible_speed_kmh(kind, item.distance_m, duration)
        # A JSON backup is restored as it was: its activities were in a fittrack log already.
        if speed is not None and not self.options.force and report.format != "json":
            top = (kind.max_speed_mps or 0) * 3.6
            report.implausible += 1
            report.note_row(
                f"row {self._row} ({item.start:%Y-%m-%d %H:%M}): {speed:.1f} km/h is beyond "
                f"{kind.slug}'s plausible {top:g} km/h; skipped (--force imports it)"
            )
            return None
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


class _CtrlC:
    """Ctrl-C as KeyboardInterrupt, except in the moments it is deferred (``defer`` to ``allow``).

    Installed as the SIGINT handler while ``run`` imports, when Python's own handler is in place
    and this is the main thread; otherwise it does nothing and Ctrl-C is Python's as usual.
    """

    def __init__(self) -> None:
        self._deferred = False
        self._pending = False
        self._previous: Any = None

    def __enter__(self) -> "_CtrlC":
        import signal
        import threading

        if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum: int, frame: object) -> None:
        if self._deferred:
            self._pending = True
        else:
            raise KeyboardInterrupt

    def defer(self) -> None:
        """Hold Ctrl-C until ``allow``."""
        self._deferred = True

    def allow(self, *, raise_pending: bool = True) -> None:
        """Ctrl-C acts again; one pressed while deferred is raised now."""
        self._deferred = False
        if self._pending and raise_pending:
            self._pending = False
            raise KeyboardInterrupt
        self._pending = False


def _differences(mine: ActivityType, theirs: ActivityType) -> str:
    """What differs between two definitions of a type, e.g. "MET 5.8 here, 6 in the backup"."""
    parts = []
    for label, a, b in (
        ("name", mine.name, theirs.name),
        ("MET", mine.met, theirs.met),
        ("aliases", ",".join(mine.aliases), ",".join(theirs.aliases)),
        ("counts distance", mine.tracks_distance, theirs.tracks_distance),
        ("top speed m/s", mine.max_speed_mps, theirs.max_speed_mps),
        ("figure", mine.figure, theirs.figure),
    ):
        if a != b:
            parts.append(f"{label} {_shown(a)} here, {_shown(b)} in the backup")
    return "; ".join(parts)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _read_pipe(path: Path) -> Callable[[], bytes]:
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
