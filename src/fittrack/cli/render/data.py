"""What ``fittrack import`` prints: its progress bar, the summary line, the table of files, and
the line after Ctrl-C."""

from collections.abc import Sequence
from typing import Protocol

from fittrack.cli.render import base
from fittrack.cli.render.base import Text
from fittrack.core.activity_types import ActivityType


class ImportReportLike(Protocol):
    """What the import table shows of a file (``fittrack.importer.FileReport``)."""

    path: str
    added: int
    skipped: int
    failed: int
    error: str | None
    warnings: list[str]
    implausible: int
    skipped_rows: list[str]
    new_types: list[ActivityType]
    brought: dict[str, int]
    tracks_added: int

    @property
    def duplicates(self) -> int:
        """Rows skipped as already there."""


class ImportProgress:
    """A progress bar on stderr over files (and the rows read), shown only on a terminal.

    Before the files are counted it is a spinner; once ``total`` is known, a bar with the
    percentage of files done and the count of rows read.
    """

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]} rows"),
            console=base.stderr_console(),
            transient=True,
        )
        self._task = self._progress.add_task("importing", total=None, rows=0)
        self._rows = 0
        self._files = 0
        self._total: int | None = None
        self._progress.start()

    def total(self, files: int) -> None:
        """The number of files to import is known."""
        self._total = files
        self._progress.update(self._task, total=files, description=f"importing 0/{files} files")

    def rows(self, count: int) -> None:
        """More rows read."""
        self._rows += count
        self._progress.update(self._task, rows=self._rows)

    def file(self, report: ImportReportLike) -> None:
        """One more file done."""
        self._files += 1
        of = f"/{self._total}" if self._total is not None else ""
        self._progress.update(
            self._task, completed=self._files, description=f"importing {self._files}{of} files"
        )

    def stop(self) -> None:
        """Remove the bar."""
        self._progress.stop()


def shown_path(path: str) -> str:
    """A path as the person would type it from where they stand: relative under the current
    folder, as given otherwise."""
    import os

    if not os.path.isabs(path):
        return os.path.normpath(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative


def import_summary(reports: Sequence[ImportReportLike], dry_run: bool) -> str:
    """One line: "Imported 12 activities from 3 files; 2 skipped (already there), 1 file failed."

    Files counts those that added something; what a JSON backup brought besides activities
    follows ("with 2 goals, 1 type and the profile").
    """
    added = sum(r.added for r in reports)
    tracks_added = sum(r.tracks_added for r in reports)
    # A duplicate that brought its track is said as that, not again as "already there".
    duplicates = sum(r.duplicates for r in reports) - tracks_added
    implausible = sum(r.implausible for r in reports)
    failed = sum(r.failed for r in reports)
    sources = sum(1 for r in reports if r.added)
    brought = {k: sum(r.brought.get(k, 0) for r in reports) for k in ("goals", "types")}
    profile = any(r.brought.get("profile") for r in reports)
    verb = "Would import" if dry_run else "Imported"
    line = f"{verb} {base.plural(added, 'activity', 'activities')}"
    if sources:
        line += f" from {base.plural(sources, 'file')}"
    extras = [base.plural(brought["goals"], "goal")] if brought["goals"] else []
    extras += [base.plural(brought["types"], "type")] if brought["types"] else []
    extras += ["the profile"] if profile else []
    if extras:
        line += " with " + (
            extras[0] if len(extras) == 1 else ", ".join(extras[:-1]) + " and " + extras[-1]
        )
    tail = []
    if tracks_added:
        existing = "an existing activity" if tracks_added == 1 else "existing activities"
        tail.append(f"{base.plural(tracks_added, 'track')} added to {existing}")
    if duplicates:
        tail.append(f"{duplicates} skipped (already there)")
    if implausible:
        tail.append(f"{implausible} skipped (implausible speed)")
    if failed:
        tail.append(f"{base.plural(failed, 'file')} failed")
    line += ("; " + ", ".join(tail) if tail else "") + "."
    if dry_run:
        line += " (dry run: nothing was written)"
    return line


def import_report(reports: Sequence[ImportReportLike], dry_run: bool, verbose: bool) -> None:
    """The summary line, then a table of the files that failed or skipped rows (all with
    ``verbose``), then the new types and the rows skipped for a reason other than a duplicate."""
    console = base.stdout_console()
    if not reports:
        console.print("Nothing to import.")
        return
    shown = [r for r in reports if verbose or r.failed or r.skipped or r.warnings]
    if shown:
        from rich.table import Table  # the files' table of an import: rare, and short

        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("file", overflow="fold", ratio=1)
        for column in ("added", "skipped", "failed"):
            table.add_column(column, justify="right", no_wrap=True)
        table.add_column("note", overflow="fold", ratio=1)
        for r in shown:
            note = (
                Text(r.error, style="red") if r.error else Text("; ".join(r.warnings), style="dim")
            )
            table.add_row(
                Text(shown_path(r.path)), str(r.added), str(r.skipped), str(r.failed), note
            )
        console.print(table)
    for r in reports:
        for kind in r.new_types:
            console.print(
                Text(
                    f"New type '{kind.slug}' (MET {kind.met:.1f} of 'other'; see `fittrack types "
                    f"list`) from {shown_path(r.path)}."
                ),
                soft_wrap=True,
            )
        for reason in r.skipped_rows:
            console.print(Text(f"{shown_path(r.path)}: {reason}"), soft_wrap=True)
        hidden = r.implausible - len(r.skipped_rows)
        if hidden > 0:
            console.print(
                Text(f"{shown_path(r.path)}: {base.plural(hidden, 'more row')} like these"),
                soft_wrap=True,
            )
    console.print(Text(import_summary(reports, dry_run)), soft_wrap=True)


def import_interrupted(
    saved: Sequence[ImportReportLike], current: str | None, more: int, dry_run: bool
) -> None:
    """Ctrl-C: one line on stderr, which files were saved and that the rest were not.

    "Interrupted: saved a.csv and b.gpx (5 activities); c.fit and the rest were not imported."
    """
    if dry_run:
        line = "Interrupted: nothing was written (dry run)."
    elif current is None and not saved:
        line = "Interrupted: nothing was imported."
    else:
        done = [shown_path(r.path) for r in saved if not r.failed]
        if done:
            names = ", ".join(done[:3]) + (f" and {len(done) - 3} more" if len(done) > 3 else "")
            added = base.plural(sum(r.added for r in saved), "activity", "activities")
            line = f"Interrupted: saved {names} ({added}); "
        else:
            line = "Interrupted: nothing was saved; "
        if current is None:
            line += "the rest were not imported."
        elif more:
            line += f"{shown_path(current)} and the rest were not imported."
        else:
            line += f"{shown_path(current)} was not imported."
    base.stderr_console().print(Text(line), soft_wrap=True)
