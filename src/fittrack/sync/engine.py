"""Reconcile this device's log with the server: push what changed here, then pull what changed
there, and list what lost when both sides changed the same row.

The rules, the same on both sides (the server applies them to pushes, this module to pulls):
a deletion wins over any edit and stays; otherwise the later ``updated_at`` wins. A row both
sides changed since the last sync is a conflict: the loser is reported, never silently dropped.

Failure at any point leaves a consistent log: a pushed batch is marked in sync only once the
server has confirmed it (a lost answer means the next sync sends it again, and the server's PUT
rules make the repeat a no-op), and each pulled page is applied together with the cursor after
it in one transaction, so the next sync resumes exactly there.
"""

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.goals import Goal
from fittrack.core.merge import Version, merge
from fittrack.core.moments import stamp
from fittrack.errors import DataError, SyncError
from fittrack.storage import sync as local
from fittrack.storage import trackcodec, tracks
from fittrack.storage.db import write
from fittrack.storage.rows import (
    BODY_FIELDS,
    profile_body_to_row,
    profile_from_row,
    profile_to_row,
)
from fittrack.sync.http import RateLimited, Rejected, ServerClient, TokenRefused, Unreachable

BATCH_ROWS = 500
"""Rows read for one push: a batch request carries at most this many (the server takes 1000)."""

BATCH_BYTES = 4_000_000
"""A batch is split further when its JSON would be larger (long notes)."""

PAGE = 500
"""Changes pulled per request (and per local transaction)."""


@dataclass(frozen=True)
class Conflict:
    """A row changed on both sides since the last sync: whose version won, and the one that lost
    (when this side knows it)."""

    kind: str
    id: str
    winner: str
    """``server`` (another device's change won) or ``local`` (this device's won)."""
    lost: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "winner": self.winner, "lost": self.lost}

    def describe(self) -> str:
        if self.winner == "server":
            return f"{self.kind} {self.id[:8]}: the other device's change won over this one's"
        return f"{self.kind} {self.id[:8]}: this device's change won over the other's"


@dataclass
class Report:
    """What one sync did."""

    server: str
    pushed: Counter[str] = field(default_factory=Counter)
    pulled: Counter[str] = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    last_sync: str | None = None
    tracks: Counter[str] = field(default_factory=Counter)
    """``pushed``, ``pulled``, ``failed``; ``checked`` (activities asked about by ``--tracks``)
    and ``more`` (1 when some are left for the next run)."""
    track_errors: list[dict[str, str]] = field(default_factory=list)
    """Tracks that could not be pulled (those not pushed are in ``failed``, as unpushed changes
    are): asked about again by the next ``sync --tracks``."""

    def to_json(self) -> dict[str, Any]:
        kinds = ("activities", "goals", "profile")
        return {
            "server": self.server,
            "pushed": {k: self.pushed[k] for k in kinds},
            "pulled": {k: self.pulled[k] for k in kinds},
            "conflicts": [c.to_json() for c in self.conflicts],
            "failed": self.failed,
            "last_sync": self.last_sync,
            "tracks": {
                **{k: self.tracks[k] for k in ("pushed", "pulled", "failed", "checked")},
                "more": bool(self.tracks["more"]),
                "errors": self.track_errors,
            },
        }


def sync(
    conn: sqlite3.Connection, client: ServerClient, now: datetime, *, with_tracks: bool = False
) -> Report:
    """Push, then pull; then the tracks (``push_tracks``, and ``pull_tracks`` too
    ``with_tracks``); the report of all. Raises SyncError when the server cannot be used for
    the activities and goals; a track that cannot go is only reported."""
    report = Report(server=client.url)
    me = client.get("/v1/me")
    account = f"{client.url} {me['id']}"
    with write(conn):
        if local.get_state(conn, "account") != account:
            # Another server or account: it has none of this log yet, and its cursor is not ours.
            local.mark_all_changed(conn)
            tracks.mark_tracks_unpushed(conn)
            local.set_state(conn, "account", account)
            local.set_state(conn, "cursor", "0")
    cursor = int(local.get_state(conn, "cursor") or 0)
    push(conn, client, cursor, report)
    pull(conn, client, report)
    push_tracks(conn, client, report)
    if with_tracks:
        pull_tracks(conn, client, report, now)
    report.last_sync = stamp(now)
    with write(conn):
        local.set_state(conn, "last_sync", report.last_sync)
    return report


def push(conn: sqlite3.Connection, client: ServerClient, cursor: int, report: Report) -> None:
    """Send every row changed here, in batches; mark each confirmed one in sync."""
    for kind, key in (("activity", "activities"), ("goal", "goals")):
        after = ""
        while True:
            rows: list[Any] = (
                local.changed_activities(conn, after, BATCH_ROWS)
                if kind == "activity"
                else local.changed_goals(conn, after, BATCH_ROWS)
            )
            if not rows:
                break
            after = rows[-1].id
            items = [_activity_item(r) if kind == "activity" else _goal_item(r) for r in rows]
            results = []
            for part in _by_size(items):
                answers = _send(client, key, part, cursor)
                results += answers.results
                if answers.cursor_before == cursor and answers.cursor_after is not None:
                    cursor = answers.cursor_after  # only this batch was written: no echo to pull
            _settle(conn, kind, key, rows, results, report, cursor)
    _push_profile(conn, client, report)


def _by_size(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for item in items:
        length = len(json.dumps(item))
        if parts[-1] and size + length > BATCH_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(item)
        size += length
    return parts


@dataclass
class _Answers:
    results: list[dict[str, Any]]
    cursor_before: int | None
    cursor_after: int | None


def _send(client: ServerClient, key: str, items: list[dict[str, Any]], cursor: int) -> _Answers:
    """The server's result for each item; a batch it refuses is halved until the refused rows
    are found (they stay unpushed and are reported), so one bad row cannot block the rest."""
    try:
        answer = client.send("POST", "/v1/batch", {"since": cursor, key: items})
        return _Answers(answer[key], answer["cursor_before"], answer["cursor_after"])
    except Rejected as exc:
        if len(items) == 1:
            failed = {"id": items[0]["id"], "result": "rejected", "error": str(exc)}
            return _Answers([failed], None, None)
        middle = len(items) // 2
        first = _send(client, key, items[:middle], cursor)
        second = _send(client, key, items[middle:], cursor)
        return _Answers(first.results + second.results, None, None)


def _settle(
    conn: sqlite3.Connection,
    kind: str,
    key: str,
    rows: list[Any],
    results: list[dict[str, Any]],
    report: Report,
    cursor: int,
) -> None:
    accepted = []
    with write(conn):
        local.set_state(conn, "cursor", str(cursor))
        for row, result in zip(rows, results, strict=True):
            outcome = result["result"]
            if outcome in ("created", "updated", "replaced", "unchanged"):
                accepted.append((row.id, row.updated_at))
                if outcome != "unchanged":
                    report.pushed[key] += 1
                if outcome == "replaced":
                    report.conflicts.append(Conflict(kind, row.id, "local", None))
            elif outcome == "kept":
                # The server kept a newer (or deleted) version: it replaces this one here too.
                version = local.local_version(conn, kind, row.id)
                if version is not None and version[0] == row.updated_at and version[2]:
                    _store(conn, kind, result["stored"], local.PUSHED)
                    report.pulled[key] += 1  # this device's row changed: count it as pulled
                lost = row.to_json(deleted=True)
                report.conflicts.append(Conflict(kind, row.id, "server", lost))
            else:
                error = result.get("error") or "the server holds this id for another account"
                report.failed.append({"kind": kind, "id": row.id, "error": error})
        local.mark_pushed(conn, kind, accepted)


def _push_profile(conn: sqlite3.Connection, client: ServerClient, report: Report) -> None:
    changed = local.changed_profile(conn)
    if changed is None:
        return
    profile, updated = changed
    sent = {
        **profile_to_row(profile),
        **profile_body_to_row(profile),
        "updated_at": stamp(updated),
    }
    try:
        stored = client.send("PUT", "/v1/profile", sent)
    except Rejected as exc:
        report.failed.append({"kind": "profile", "id": "profile", "error": str(exc)})
        return
    with write(conn):
        if stored["updated_at"] == sent["updated_at"]:
            local.mark_profile_pushed(conn, updated)
            report.pushed["profile"] += 1
        else:
            version = local.profile_version(conn)
            if version is not None and version[0] == updated and version[1]:
                # Still the profile that was sent (not changed again meanwhile): the server's wins.
                _store_profile(conn, stored, local.PUSHED)
                report.pulled["profile"] += 1
            report.conflicts.append(Conflict("profile", "profile", "server", sent))


def pull(conn: sqlite3.Connection, client: ServerClient, report: Report) -> None:
    """Apply every change after the saved cursor, a page (and its cursor) per transaction."""
    cursor = int(local.get_state(conn, "cursor") or 0)
    while True:
        page = client.get("/v1/changes", since=cursor, limit=PAGE)
        marker = int(page["cursor"])
        with write(conn):
            for item in page["activities"]:
                _pull_row(conn, "activity", "activities", item, marker, report)
            for item in page["goals"]:
                _pull_row(conn, "goal", "goals", item, marker, report)
            if page["profile"] is not None:
                _pull_profile(conn, page["profile"], marker, report)
            local.set_state(conn, "cursor", str(marker))
        cursor = marker
        if not page["more"]:
            return


def _pull_row(
    conn: sqlite3.Connection,
    kind: str,
    key: str,
    item: dict[str, Any],
    marker: int,
    report: Report,
) -> None:
    remote_updated = datetime.fromisoformat(item["updated_at"])
    remote_deleted = item["deleted_at"] is not None
    version = local.local_version(conn, kind, item["id"])
    if version is None:
        _store(conn, kind, item, marker)
        report.pulled[key] += 1
        return
    local_updated, local_deleted, changed_here = version
    if local_updated == remote_updated and local_deleted == remote_deleted:
        _store(conn, kind, item, marker)  # our own change coming back: now in sync
        return
    if changed_here:
        # Changed on both sides since the last sync: core.merge decides (a deletion wins, then
        # the later edit). Deleted on both sides is no conflict: the row is gone either way.
        outcome = merge(
            Version(local_updated, local_deleted), Version(remote_updated, remote_deleted)
        )
        if outcome == "kept":
            report.conflicts.append(Conflict(kind, item["id"], "local", item))
            return  # this device's version stays changed and goes out with the next push
        if outcome == "updated":
            report.conflicts.append(Conflict(kind, item["id"], "server", None))
    _store(conn, kind, item, marker)
    report.pulled[key] += 1


def _pull_profile(
    conn: sqlite3.Connection, item: dict[str, Any], marker: int, report: Report
) -> None:
    remote_updated = datetime.fromisoformat(item["updated_at"])
    version = local.profile_version(conn)
    if version is not None:
        local_updated, changed_here = version
        if local_updated == remote_updated:
            _store_profile(conn, item, marker)
            return
        if changed_here:
            if merge(Version(local_updated), Version(remote_updated)) == "kept":
                report.conflicts.append(Conflict("profile", "profile", "local", item))
                return
            report.conflicts.append(Conflict("profile", "profile", "server", None))
    _store_profile(conn, item, marker)
    report.pulled["profile"] += 1


def _store(conn: sqlite3.Connection, kind: str, item: dict[str, Any], marker: int) -> None:
    if kind == "activity":
        local.store_activity(conn, activity_from_json(item), marker)
    else:
        local.store_goal(conn, goal_from_json(item), marker)


def _store_profile(conn: sqlite3.Connection, item: dict[str, Any], marker: int) -> None:
    from fittrack.storage.profile import load_profile

    # The server's PROFILE has the row's names: one mapper reads both (body figures included).
    profile = profile_from_row(item)
    if "birth_date" not in item:
        # A server from before the body figures: what this device knows of them stays.
        here = load_profile(conn)
        profile = replace(profile, **{name: getattr(here, name) for name in BODY_FIELDS})
    local.store_profile(conn, profile, datetime.fromisoformat(item["updated_at"]), marker)


# --- tracks ------------------------------------------------------------------------------------
#
# A track goes by itself, after the activities: ``PUT /v1/activities/{id}/track`` with the
# ``storage.trackcodec`` bytes, once its activity is on the server. A track that cannot go is
# reported (``tracks.failed`` and ``failed``) and stays unpushed for the next sync; it never
# stops the activities' sync, which is done by then.

TRACKS_READ = 100
"""Unpushed tracks read per query."""

PULL_TRACKS = 200
"""Activities without a track that one ``sync --tracks`` asks the server about (a GET each)."""

TRACKS_CHECKED = "tracks_checked_to"
"""The ``sync_state`` key of where ``pull_tracks`` stopped: ``start_at`` and id of the last
activity it asked about, so that the next run carries on with older ones, not the same 200."""


def _track_path(activity_id: str) -> str:
    return f"/v1/activities/{activity_id}/track"


def _track_failed(report: Report, activity_id: str, error: str, *, pulling: bool = False) -> None:
    report.tracks["failed"] += 1
    failure = {"kind": "track", "id": activity_id, "error": error}
    (report.track_errors if pulling else report.failed).append(failure)


def push_tracks(conn: sqlite3.Connection, client: ServerClient, report: Report) -> None:
    """PUT every track the server lacks (of activities it has); mark each confirmed one."""
    after = ""
    while batch := tracks.unpushed_tracks(conn, after, TRACKS_READ):
        after = batch[-1][0]
        for activity_id, updated_at in batch:
            data = tracks.track_data(conn, activity_id)
            if data is None:
                continue  # deleted since it was listed
            try:
                client.put_bytes(_track_path(activity_id), data)
            except (Unreachable, TokenRefused, RateLimited) as exc:
                # Every other track would fail the same way: report this one, try again next sync.
                _track_failed(report, activity_id, str(exc))
                return
            except SyncError as exc:
                _track_failed(report, activity_id, str(exc))
                continue
            with write(conn):
                tracks.mark_track_pushed(conn, activity_id, updated_at)
            report.tracks["pushed"] += 1


def fetch_track(
    conn: sqlite3.Connection, client: ServerClient, activity_id: str, now: datetime
) -> bool:
    """Pull the activity's track from the server and keep it, when the server has one and this
    device none: whether it was stored. ``DataError`` when the server's bytes are no track."""
    data = client.get_bytes(_track_path(activity_id))
    if data is None:
        return False
    trackcodec.decode(data)  # refuse damage before anything is written
    with write(conn):
        return tracks.store_pulled(conn, activity_id, data, now)


def pull_tracks(
    conn: sqlite3.Connection, client: ServerClient, report: Report, now: datetime
) -> None:
    """Ask the server for the tracks of up to ``PULL_TRACKS`` activities this device has without
    one, newest first, carrying on where the last run stopped (from the newest again once every
    one was asked about)."""
    saved = local.get_state(conn, TRACKS_CHECKED)
    before = None
    if saved:
        start_at, _, activity_id = saved.partition("|")
        before = (start_at, activity_id)
    batch = tracks.without_track(conn, before, PULL_TRACKS + 1)
    more = len(batch) > PULL_TRACKS
    batch = batch[:PULL_TRACKS]
    for start_at, activity_id in batch:
        try:
            if fetch_track(conn, client, activity_id, now):
                report.tracks["pulled"] += 1
        except (Unreachable, TokenRefused, RateLimited) as exc:
            _track_failed(report, activity_id, str(exc), pulling=True)
            more = True
            break
        except (SyncError, DataError) as exc:
            _track_failed(report, activity_id, str(exc), pulling=True)
        report.tracks["checked"] += 1
        with write(conn):
            local.set_state(conn, TRACKS_CHECKED, f"{start_at}|{activity_id}")
    report.tracks["more"] = int(more)
    if not more:
        with write(conn):
            local.set_state(conn, TRACKS_CHECKED, "")


# --- JSON both ways ----------------------------------------------------------------------------


def _activity_item(record: ActivityRecord) -> dict[str, Any]:
    return record.to_json(deleted=True)


def _goal_item(goal: Goal) -> dict[str, Any]:
    return goal.to_json(deleted=True, pauses=True)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def activity_from_json(item: dict[str, Any]) -> ActivityRecord:
    """The server's ACTIVITY (plus ``deleted_at``) as a record."""
    return ActivityRecord(
        id=item["id"],
        type=item["type"],
        start=datetime.fromisoformat(item["start"]),
        end=datetime.fromisoformat(item["end"]),
        duration_s=float(item["duration_s"]),
        distance_m=None if item["distance_m"] is None else float(item["distance_m"]),
        calories_kcal=float(item["calories_kcal"]),
        calories_estimated=bool(item["calories_estimated"]),
        # A server from before the method was recorded sends none: the record reads it then.
        calories_method=item.get("calories_method"),
        workload=float(item["workload"]),
        note=item["note"],
        source=item["source"],
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        deleted_at=_time(item["deleted_at"]),
    )


def goal_from_json(item: dict[str, Any]) -> Goal:
    """The server's GOAL (plus pauses and ``deleted_at``) as a goal."""
    return Goal(
        id=item["id"],
        name=item["name"],
        period=item["period"],
        metric=item["metric"],
        target=float(item["target"]),
        activity_type=item["activity_type"],
        start_date=date.fromisoformat(item["start_date"]),
        end_date=None if item["end_date"] is None else date.fromisoformat(item["end_date"]),
        paused=bool(item["paused"]),
        pauses=tuple(
            (date.fromisoformat(a), None if b is None else date.fromisoformat(b))
            for a, b in item["pauses"]
        ),
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        deleted_at=_time(item["deleted_at"]),
    )
