"""Importing files: find them, read each with its format, and add it to the log all or nothing.

Each file is one transaction: every activity in it is added (or skipped as a duplicate), or, if any
part of it cannot be read, none is and the file is reported as failed with its reason while the
other files go on. An activity is a duplicate when one with the same id exists (deleted ones
included), or one of the same type starting within 60 seconds of it; ``force`` imports those too
(with a new id when the id is taken). ``dry_run`` does all the work and rolls every file back.

A GPX, TCX or FIT file's track is stored with its activity, in the same transaction. A file whose
activity is already here without a track (a duplicate by the rule above) adds its track to that
activity instead of adding a second activity; one that already has a track is skipped as before.

A sport or type no type here knows keeps its own name: it is added as a new custom type with the
MET of ``other`` (in the same transaction as the file, so a failed file leaves no type behind); a
name that cannot be a slug (no letter a-z in it) is imported as ``other`` with a warning. A row
faster than its type's plausible top speed (``core.activity_types.implausible_speed_kmh``) is
skipped with its row number and the reason, unless ``force`` (or the file is our JSON backup,
restored as it was). Our JSON backup brings its custom types, goals and profile first, then its
activities and their tracks, all in the file's one transaction.

A JSON backup's tracks go with their activities as a GPX file's track does: one whose activity
is added is saved with it (``storage.tracks.save_track``, its bytes kept as exported, its figures
cache computed as for any file); one whose activity is skipped as already there is added to that
activity when it has no track yet, else left alone. A track whose activity is not in the file
goes to the activity with its id here on the same terms; none with that id here, or bytes
``storage.trackcodec`` cannot read, fail the file. Each is decoded when its turn comes, so a
backup of a thousand long tracks never holds them all decoded.

Rows are read as a stream and written in batches through plain sqlite3, so a million-row CSV
imports in bounded memory. What to import is found by ``formats.discover``, each file's format told
and read by ``formats.detect``; the SQL (the file's transaction, duplicate checks, new types, the
backup's extras) is ``storage.imports``. This module decides, and reports what it did.
"""

import sqlite3
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.activity_types import ActivityType, implausible_speed_kmh
from fittrack.core.calories import personal_energy
from fittrack.core.moments import add_seconds, seconds_between
from fittrack.core.profile import Profile
from fittrack.core.track import Track  # loaded with ImportedActivity anyway
from fittrack.errors import DataError, FittrackError, UsageError
from fittrack.formats import ImportedActivity, check_possible
from fittrack.formats.detect import guess_type, read_unit
from fittrack.formats.discover import Unit, Unusable, units
from fittrack.interrupts import CtrlC
from fittrack.storage import activities, imports, tracks

if TYPE_CHECKING:
    from fittrack.formats.fittrack_json import BackupTrack, Export

BATCH = 2000
MAX_ROW_NOTES = 20  # reasons kept per file for skipped rows; the counts are always whole


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
    tracks: int = 0
    """Tracks stored with the activities this file added."""
    tracks_added: int = 0
    """Tracks this file added to activities already here without one (those rows are also
    counted in ``skipped``: no activity was added for them, but see ``tracks_beside``)."""
    tracks_beside: int = 0
    """Of ``tracks_added``, a JSON backup's tracks for activities here that are not in the file:
    no row of the file was skipped for them."""

    @property
    def duplicates(self) -> int:
        """Rows skipped because they were already there, plus ``tracks_beside``: the summary
        takes ``tracks_added`` off this, each such track having stood for a skipped row."""
        return self.skipped - self.implausible + self.tracks_beside

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
            "tracks": self.tracks,
            "tracks_added": self.tracks_added,
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
        self._ctrl_c = CtrlC()

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
        found: list[Unit | Unusable] = []
        if self.options.dry_run:
            imports.begin_dry_run(self.conn)  # every file in it, all rolled back at the end
        try:
            found = list(units(paths))
            if on_total is not None:
                on_total(len(found))
            with self._ctrl_c:
                for unit in found:
                    if isinstance(unit, Unusable):
                        report = FileReport(unit.label, failed=1, error=unit.error)
                    else:
                        report = self.import_unit(unit)
                    reports.append(report)
                    self._ctrl_c.allow()  # deferred from just before the file's COMMIT
                    on_file(report)
        except KeyboardInterrupt:
            # Between two files the next one is the first not imported.
            left = [u.label for u in found[len(reports) :]]
            raise ImportInterrupted(reports, left[0] if left else None, len(left[1:])) from None
        finally:
            self._ctrl_c.allow(raise_pending=False)
            if self.options.dry_run:
                imports.discard_dry_run(self.conn)
        return reports

    def import_unit(self, unit: Unit) -> FileReport:
        """One file, all or nothing."""
        report = FileReport(unit.label)
        try:
            read = read_unit(unit, self.options.format, units=self.options.units, tz=self.tz)
            report.format = read.format
            self._store(read.activities, report, read.backup)
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

    def _restore(self, backup: "Export", report: FileReport) -> None:
        """Our JSON backup's custom types, goals and profile, added before its activities
        (``storage.imports`` says which are kept)."""
        added_types = imports.add_backup_types(self.conn, backup.types(), self.now, report.warnings)
        if added_types:
            self._types.clear()  # a name resolved before may mean one of these types now
        added_goals = imports.add_missing_goals(self.conn, backup.goals())
        profile = backup.profile()
        brought = {"types": added_types, "goals": added_goals, "profile": 0}
        if profile is not None and imports.save_profile_if_unset(self.conn, profile, self.now):
            brought["profile"] = int(profile != Profile())  # the defaults bring nothing
        report.brought = {k: v for k, v in brought.items() if v}

    def _store(
        self,
        items: Iterable[ImportedActivity],
        report: FileReport,
        backup: "Export | None",
    ) -> None:
        conn = self.conn
        transaction = imports.FileTransaction(conn)  # says so when another fittrack holds the lock
        self._row = 0
        # A JSON backup's tracks by activity id, each taken by its activity's row as it comes.
        pending: dict[str, BackupTrack] = {}
        try:
            if backup is not None:
                self._restore(backup, report)
                pending = {entry.activity_id: entry for entry in backup.tracks()}
            # With nothing in the log yet, only rows of this same file can collide: insert in
            # batches (the primary key drops repeated ids) and sweep near-duplicates in SQL after.
            fast = not self.options.force and imports.log_is_empty(conn)
            iterator = iter(items)
            while batch := list(islice(iterator, BATCH)):
                pairs = [
                    (record, item.track if item.track is not None else pending.pop(record.id, None))
                    for item in batch
                    if (record := self._record(item, report)) is not None
                ]
                if fast:
                    report.added += imports.insert_new(conn, [record for record, _ in pairs])
                    for record, track in pairs:
                        if track:  # a Track of no samples is false: nothing to keep
                            self._save_track(record.id, track)
                            report.tracks += 1
                else:
                    for record, track in pairs:  # one at a time: later rows see earlier ones
                        admitted = self._admit(record)
                        if admitted is not None:
                            activities.insert(conn, [admitted])
                            report.added += 1
                            if track:
                                self._save_track(admitted.id, track)
                                report.tracks += 1
                            if self.collect_ids:
                                report.ids.append(admitted.id)
                        elif track and (existing := imports.existing_without_track(conn, record)):
                            self._save_track(existing, track)
                            report.tracks_added += 1
                        elif track is not None and not isinstance(track, Track):
                            _decoded(track)  # a backup's, left alone; a damaged one fails
                report.skipped += len(batch)
                self.on_rows(len(batch))
            report.skipped -= report.added
            if fast:
                swept = imports.sweep_near_duplicates(conn)
                report.added -= swept
                report.skipped += swept
                if swept and report.tracks:
                    report.tracks -= tracks.delete_orphans(conn)
                if self.collect_ids:  # the log was empty: every row in it is this file's
                    report.ids = imports.activity_ids(conn)
            for entry in pending.values():  # tracks of activities not in the file
                self._restore_beside(entry, report)
        except BaseException:
            self._types.clear()  # types this file added are rolled back with it
            report.tracks = report.tracks_added = report.tracks_beside = 0
            report.new_types = []
            report.brought = {}
            report.ids = []
            report.skipped_rows = []
            report.implausible = 0
            transaction.rollback()
            raise
        # From here until run() has counted the file as saved, Ctrl-C waits: a KeyboardInterrupt
        # raised just after COMMIT returned would report a saved file as not imported.
        self._ctrl_c.defer()
        transaction.commit()

    def _save_track(self, activity_id: str, track: "Track | BackupTrack") -> None:
        """Store a track with its activity, in the file's transaction; ``storage.tracks``
        computes the figures cache (elevation gain, best efforts) as it saves. A backup's track
        is decoded here, one at a time, and keeps its exported bytes."""
        if isinstance(track, Track):
            tracks.save_track(self.conn, activity_id, track, self.now)
        else:
            tracks.save_track(self.conn, activity_id, _decoded(track), self.now, data=track.data)

    def _restore_beside(self, entry: "BackupTrack", report: FileReport) -> None:
        """A backup's track whose activity is not in the file: added to the activity with its
        id here when that is live without a track, else left alone; DataError when no activity
        here has that id (deleted ones included)."""
        takes = imports.takes_track(self.conn, entry.activity_id)
        if takes is None:
            raise DataError(f"{entry.where}: no activity has this id, in the file or here")
        if takes:
            self._save_track(entry.activity_id, entry)
            report.tracks_added += 1
            report.tracks_beside += 1
        else:
            _decoded(entry)  # left alone, but a damaged one fails the file

    def _admit(self, record: ActivityRecord) -> ActivityRecord | None:
        """The record to add, or None for a duplicate; forced, a taken id gets a new one."""
        id_taken = imports.id_taken(self.conn, record.id)
        if self.options.force:
            return replace(record, id=str(uuid.uuid4())) if id_taken else record
        if id_taken or imports.is_near_duplicate(self.conn, record):
            return None
        return record

    def _kind(self, item: ImportedActivity, report: FileReport) -> ActivityType:
        if item.type is None:
            if self.options.type_override is not None:
                return self.options.type_override
            guessed = guess_type(item)
            note = (
                f"no sport in the file: guessed '{guessed}' from the speed (use --type to set it)"
            )
            if note not in report.warnings:
                report.warnings.append(note)
            return self._lookup(guessed, report)
        override = self.options.type_override
        if override is not None and override.slug != item.type:
            # --type is for files that name no sport: say why it did not apply here.
            note = f"the file names its sport ({item.type}): --type {override.slug} not used"
            if note not in report.warnings:
                report.warnings.append(note)
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
        from fittrack.formats import type_slug

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
        kind = imports.add_new_type(self.conn, slug, other.met, self.now)
        report.new_types.append(kind)
        return kind

    def _record(self, item: ImportedActivity, report: FileReport) -> ActivityRecord | None:
        """The activity to add for one row, or None for a row skipped with its reason."""
        for warning in item.warnings:
            if warning not in report.warnings:
                report.warnings.append(warning)
        self._row += 1
        check_possible(item)
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
        energy = personal_energy(
            kind,
            item.distance_m,
            duration,
            self.profile,
            item.calories_kcal,
            day=start.date(),
            heart_rate_avg=_heart_rate_avg(item, self.profile),
        )
        if item.calories_kcal is None:
            kcal, estimated, method = (
                energy.calories_kcal,
                energy.calories_estimated,
                energy.calories_method,
            )
        else:
            # Our own export restores its figures as they were; a device's value is given.
            kcal = item.calories_kcal
            estimated = item.calories_estimated if item.calories_estimated is not None else False
            method = item.calories_method or ("met" if estimated else "given")
        return ActivityRecord(
            id=str(uuid.UUID(item.id)) if item.id else str(uuid.uuid4()),
            type=kind.slug,
            start=start,
            end=end,
            duration_s=duration,
            distance_m=item.distance_m,
            calories_kcal=kcal,
            calories_estimated=estimated,
            calories_method=method,
            workload=item.workload if item.workload is not None else energy.workload,
            note=item.note,
            source=item.source,
            created_at=item.created_at or self.now,
            updated_at=item.updated_at or self.now,
        )


def _decoded(entry: "BackupTrack") -> Track:
    """The track a backup's entry holds; DataError naming the entry when its bytes are not one
    (``storage.trackcodec`` says why)."""
    from fittrack.storage import trackcodec

    try:
        return trackcodec.decode(entry.data)
    except DataError as exc:
        # "a stored track is damaged (cut short)": this one is not stored yet.
        reason = str(exc).replace("a stored track", "the track", 1)
        raise DataError(f"{entry.where}: {reason}") from None


def _heart_rate_avg(item: ImportedActivity, profile: Profile) -> float | None:
    """The average heart rate of the file's track, for the heart-rate estimate: worked out only
    when the track recorded heart rate, no calories were given and the profile could use it
    (sex, birth date and weight: ``core.calories.personal_energy``), so an import for anyone
    else costs what it did."""
    track = item.track
    if (
        track is None
        or track.heart_rate is None
        or item.calories_kcal is not None
        or None in (profile.sex, profile.birth_date, profile.weight_kg)
    ):
        return None
    from fittrack.core.track_figures import figures

    return figures(track).heart_rate_avg
