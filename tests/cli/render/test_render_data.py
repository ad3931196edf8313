"""What import prints apart from a run of it: the summary line's wording and paths as typed."""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fittrack.cli.render import data
from fittrack.core.activity_types import ActivityType


@dataclass
class _Report:
    path: str
    added: int = 0
    skipped: int = 0
    failed: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    implausible: int = 0
    skipped_rows: list[str] = field(default_factory=list)
    new_types: list[ActivityType] = field(default_factory=list)
    brought: dict[str, int] = field(default_factory=dict)
    tracks_added: int = 0

    @property
    def duplicates(self) -> int:
        return self.skipped - self.implausible


def test_a_track_added_to_an_existing_activity_is_said_instead_of_already_there() -> None:
    reimport = _Report("run.fit", skipped=1, tracks_added=1)
    assert data.import_summary([reimport], dry_run=False) == (
        "Imported 0 activities; 1 track added to an existing activity."
    )
    both = [reimport, _Report("ride.gpx", skipped=2, tracks_added=1)]
    assert data.import_summary(both, dry_run=True) == (
        "Would import 0 activities; 2 tracks added to existing activities, 1 skipped (already "
        "there). (dry run: nothing was written)"
    )


def test_the_summary_names_what_a_backup_brought_besides_activities() -> None:
    backup = _Report("backup.json", added=3, brought={"goals": 2, "types": 1, "profile": 1})
    assert data.import_summary([backup], dry_run=False) == (
        "Imported 3 activities from 1 file with 2 goals, 1 type and the profile."
    )
    only_goals = _Report("backup.json", brought={"goals": 1})
    assert data.import_summary([only_goals], dry_run=True) == (
        "Would import 0 activities with 1 goal. (dry run: nothing was written)"
    )


def test_the_summary_gives_each_reason_rows_were_skipped() -> None:
    reports = [
        _Report("a.csv", added=1, skipped=3, implausible=1),
        _Report("b.csv", failed=1, error="unreadable"),
    ]
    assert data.import_summary(reports, dry_run=False) == (
        "Imported 1 activity from 1 file; 2 skipped (already there), "
        "1 skipped (implausible speed), 1 file failed."
    )


def test_a_path_is_shown_as_typed_from_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert data.shown_path(str(tmp_path / "runs" / "a.csv")) == os.path.join("runs", "a.csv")
    assert data.shown_path("./runs//b.csv") == os.path.join("runs", "b.csv")
    elsewhere = str(tmp_path.parent / "c.csv")
    assert data.shown_path(elsewhere) == elsewhere
