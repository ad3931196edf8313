"""The undo journal (``undo_step``): each change made on this device, with the rows as they were.

A command that changes something journals it in the same write transaction as the change itself
(``remember`` or ``record``), so the journal and the data never disagree. ``undo_last`` takes the
newest step back, as a new change: the rows are written as they were with ``updated_at`` = now and
``change_seq`` NULL, so ``fittrack sync`` pushes the undo like any other edit; a row the step
created is tombstoned. The journal keeps the last ``MAX_STEPS`` steps and is never synced.

Two rules keep an undo consistent with sync, where a deletion wins over any edit:

- a row deleted since the step (by a sync from another device) stays deleted;
- a deleted row is brought back under its own id only while its deletion has not reached the
  server (``change_seq`` NULL); once the server holds the deletion it would refuse the row, so the
  row comes back as a copy under a new id (``revive``).
"""

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fittrack.core.activity import ActivityRecord
from fittrack.core.display import format_duration
from fittrack.errors import DataError, FittrackError, NotFound
from fittrack.storage.activities import check_prefix, one_match
from fittrack.storage.rows import (
    ACTIVITY_FIELDS,
    KEYED_BY_OWNER,
    NO_OWNER,
    activity_from_row,
    from_db_time,
    select_list,
    to_db_time,
)

MAX_STEPS = 100
"""How many steps the journal keeps; older ones are forgotten."""

TABLES = ("activity", "goal", "profile", "activity_type")
"""The tables a step may name (anything else in the journal is refused as damaged)."""

_PROFILE_DEFAULTS = {"weight_kg": None, "timezone": None, "units": "metric", "week_start": "monday"}


@dataclass(frozen=True)
class Change:
    """One row a step changed: ``before`` is the whole row as it was, or None if it was created.

    ``deletes`` marks a change that deleted the row, so that undoing it knows the tombstone it
    finds is its own (and not one that arrived later by sync).
    """

    table: str
    id: str
    before: dict[str, Any] | None
    deletes: bool = False

    def to_json(self) -> dict[str, Any]:
        """The journal's ``{"table", "id", "before"}`` (plus ``"deletes": true`` when so)."""
        data: dict[str, Any] = {"table": self.table, "id": self.id, "before": self.before}
        if self.deletes:
            data["deletes"] = True
        return data


@dataclass(frozen=True)
class Undone:
    """What ``undo_last`` took back: the step's summary, when it was made, what became of each row,
    and how many steps are left to undo."""

    summary: str
    made_at: datetime
    changes: list[dict[str, Any]] = field(default_factory=list)
    left: int = 0


def snapshot(conn: sqlite3.Connection, table: str, row_id: str) -> dict[str, Any] | None:
    """The whole row (column name to stored value), or None when there is none with that id."""
    _check_table(table)
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return None if row is None else dict(row)


def record(conn: sqlite3.Connection, now: datetime, summary: str, changes: list[Change]) -> None:
    """Add a step to the journal (inside the change's own write transaction), forgetting the
    oldest beyond ``MAX_STEPS``."""
    conn.execute(
        "INSERT INTO undo_step (made_at, summary, changes) VALUES (?, ?, ?)",
        (to_db_time(now), summary, json.dumps([c.to_json() for c in changes])),
    )
    conn.execute(
        "DELETE FROM undo_step WHERE seq <= (SELECT MAX(seq) FROM undo_step) - ?", (MAX_STEPS,)
    )


def remember(
    conn: sqlite3.Connection,
    now: datetime,
    summary: str,
    table: str,
    row_id: str,
    *,
    deletes: bool = False,
) -> None:
    """Journal a change of one row; call it just before the change, in its write transaction
    (a row not there yet is journaled as created)."""
    record(conn, now, summary, [Change(table, row_id, snapshot(conn, table, row_id), deletes)])


def remember_profile(
    conn: sqlite3.Connection, now: datetime, summary: str, before: dict[str, Any] | None
) -> None:
    """Journal a ``profile set`` after it was saved; ``before`` is ``profile_row`` from before it
    (None when there was no profile yet, so the save created one)."""
    after = profile_row(conn)
    if after is not None:
        record(conn, now, summary, [Change("profile", str(after["id"]), before)])


def profile_row(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The live profile row, whole, or None when none was saved."""
    row = conn.execute(
        "SELECT id FROM profile WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1"
    ).fetchone()
    return None if row is None else snapshot(conn, "profile", str(row["id"]))


def steps_left(conn: sqlite3.Connection) -> int:
    """How many steps ``undo`` can still take back."""
    return int(conn.execute("SELECT COUNT(*) AS count FROM undo_step").fetchone()["count"])


def undo_last(conn: sqlite3.Connection, now: datetime) -> Undone:
    """Take back the newest step (inside the caller's write transaction) and forget it.

    NotFound when the journal is empty; FittrackError (nothing written, since the caller's
    transaction rolls back) when a row cannot be taken back.
    """
    row = conn.execute(
        "SELECT seq, made_at, summary, changes FROM undo_step ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise NotFound(
            "nothing to undo: no change made on this device is left in the journal "
            "(imports and syncs are not journaled)"
        )
    seq, made_at, summary, text = row["seq"], row["made_at"], row["summary"], row["changes"]
    try:
        changes = [
            Change(str(c["table"]), str(c["id"]), c["before"], bool(c.get("deletes", False)))
            for c in json.loads(text)
        ]
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(f"undo step {seq} is damaged ({exc}); nothing was undone") from exc
    outcomes = [_take_back(conn, change, now) for change in reversed(changes)]
    conn.execute("DELETE FROM undo_step WHERE seq = ?", (seq,))
    for outcome in outcomes:
        if "new_id" in outcome:
            _follow_copy(conn, outcome["table"], outcome["id"], outcome["new_id"])
    return Undone(str(summary), from_db_time(str(made_at)), outcomes, steps_left(conn))


def _take_back(conn: sqlite3.Connection, change: Change, now: datetime) -> dict[str, Any]:
    """Put one row back as it was before ``change``; returns what was done to it."""
    table = change.table
    outcome: dict[str, Any] = {"table": table, "id": change.id}
    current = snapshot(conn, table, change.id)
    stamp = to_db_time(now)
    before = change.before
    if before is None:  # the change created the row: delete it
        if current is None or current.get("deleted_at") is not None:
            return outcome | {"action": "already_deleted"}
        if table == "activity_type":
            _remove_type(conn, current)
            return outcome | {"action": "removed"}
        if table == "profile":
            # A profile is never tombstoned (sync carries only the live one): back to defaults.
            _write_back(conn, table, current | _PROFILE_DEFAULTS, stamp)
            return outcome | {"action": "reset"}
        conn.execute(
            f"UPDATE {table} SET deleted_at = ?, updated_at = ?, change_seq = NULL WHERE id = ?",
            (stamp, stamp, change.id),
        )
        return outcome | {"action": "deleted"}
    if not isinstance(before, dict) or set(before) - set(current or before):
        raise DataError(f"an undo step names a {table} row that does not match the table")
    deleted_now = current is not None and current.get("deleted_at") is not None
    comes_back = before.get("deleted_at") is None and deleted_now
    if comes_back and not change.deletes:
        # Deleted since, by a sync from another device: a deletion wins over any edit.
        return outcome | {"action": "kept_deleted"}
    if comes_back and current is not None and current.get("change_seq") is not None:
        copy = _copy(conn, table, before, stamp)
        return outcome | {"action": "restored_as_copy", "new_id": copy}
    # The step's id, not the before-row's: they differ once the row lives on as a copy.
    _write_back(conn, table, before | {"id": change.id}, stamp)
    return outcome | {"action": "restored" if comes_back else "reverted"}


def _follow_copy(conn: sqlite3.Connection, table: str, old_id: str, new_id: str) -> None:
    """The older steps about a row that came back as a copy now apply to the copy: undoing the
    ``log`` that made it then deletes the copy, rather than finding the old row deleted."""
    steps = conn.execute("SELECT seq, changes FROM undo_step").fetchall()
    for seq, text in steps:
        try:
            changes = json.loads(text)
        except ValueError:
            continue  # a damaged step is refused when its turn comes
        hits = [
            c
            for c in changes
            if isinstance(c, dict) and c.get("table") == table and c.get("id") == old_id
        ]
        for change in hits:
            change["id"] = new_id
        if hits:
            conn.execute(
                "UPDATE undo_step SET changes = ? WHERE seq = ?", (json.dumps(changes), seq)
            )


def _write_back(conn: sqlite3.Connection, table: str, values: dict[str, Any], stamp: str) -> None:
    """Write a row's values over it (or insert it), as a new local change."""
    row = values | {"updated_at": stamp, "change_seq": None}
    key = "id"
    if table in KEYED_BY_OWNER:  # steps journaled before schema 8 hold a NULL owner
        row["owner"] = row.get("owner") or NO_OWNER
        key = "id, owner"
    columns = [c for c in row if c != "id"]
    conn.execute(
        f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({', '.join('?' * (len(row)))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns)}",
        (row["id"], *(row[c] for c in columns)),
    )


def _copy(conn: sqlite3.Connection, table: str, values: dict[str, Any], stamp: str) -> str:
    """Insert ``values`` as a new live row under a new id; returns the id."""
    new_id = str(uuid.uuid4())
    row = values | {"id": new_id, "created_at": stamp, "deleted_at": None}
    _write_back(conn, table, row, stamp)
    return new_id


def _remove_type(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    """Forget a custom type, unless something still uses it.

    Types are not synced and their slug is unique, so the row is deleted rather than tombstoned:
    ``types add`` can make it again.
    """
    slug = row["slug"]
    used = conn.execute(
        # Deleted activities count too: `restore` or an older undo step can bring them back.
        "SELECT (SELECT COUNT(*) FROM activity WHERE type = ?) + "
        "(SELECT COUNT(*) FROM goal WHERE activity_type = ? AND deleted_at IS NULL) AS used",
        (slug, slug),
    ).fetchone()["used"]
    if used:
        raise FittrackError(
            f"cannot undo adding type '{slug}': {used} activit{'y' if used == 1 else 'ies'} or "
            "goals use it (deleted ones too, which can be restored); nothing was undone"
        )
    conn.execute("DELETE FROM activity_type WHERE id = ?", (row["id"],))


def find_deleted(conn: sqlite3.Connection, prefix: str) -> ActivityRecord:
    """The one deleted activity whose id starts with ``prefix``; a clear NotFound otherwise
    (naming a live activity the prefix matches, if any)."""
    prefix = check_prefix(prefix, "an activity", "fittrack list")
    rows = conn.execute(
        f"SELECT {select_list(ACTIVITY_FIELDS)} FROM activity "
        "WHERE id >= ? AND id < ? AND deleted_at IS NOT NULL LIMIT 6",
        (prefix, prefix + "~"),
    ).fetchall()
    if not rows:
        live = conn.execute(
            "SELECT id FROM activity WHERE id >= ? AND id < ? AND deleted_at IS NULL LIMIT 1",
            (prefix, prefix + "~"),
        ).fetchone()
        if live is not None:
            raise NotFound(
                f"activity {str(live[0])[:8]} is not deleted: `fittrack restore` brings back "
                "deleted activities only"
            )
        raise NotFound(f"no deleted activity with an id starting '{prefix}'")
    return activity_from_row(one_match(rows, prefix, "activity", "activities", "fittrack list"))


def revive(conn: sqlite3.Connection, table: str, row_id: str, now: datetime) -> Change:
    """Bring a deleted row back, as a new local change; returns the journal's Change for it.

    Under its own id while its deletion has not been pushed; otherwise as a copy under a new id,
    since the server keeps a deleted row deleted (the Change then names the copy, as created).
    """
    before = snapshot(conn, table, row_id)
    if before is None or before.get("deleted_at") is None:
        raise NotFound(f"no deleted {table} with the id {row_id}")
    stamp = to_db_time(now)
    if before.get("change_seq") is not None:
        return Change(table, _copy(conn, table, before, stamp), None)
    _write_back(conn, table, before | {"deleted_at": None}, stamp)
    return Change(table, row_id, before)


def activity_words(record: ActivityRecord, units: str) -> str:
    """``run 5.00 km in 27:30 on 2026-11-16 07:00 (id 3f2a9c1b)``: an activity in a summary."""
    from fittrack.core.activity_types import BUILTIN_TYPES
    from fittrack.core.display import format_sport_distance

    # A swim reads in metres here too; a custom type's figure would cost a query, and only a
    # swim's figure changes how a distance reads.
    figure = next((t.figure for t in BUILTIN_TYPES if t.slug == record.type), None)
    quantities = format_duration(record.duration_s)
    if record.distance_m:
        distance = format_sport_distance(record.distance_m, units, figure)
        quantities = f"{distance} in {quantities}"
    when = record.start.strftime("%Y-%m-%d %H:%M")
    return f"{record.type} {quantities} on {when} (id {record.id[:8]})"


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise DataError(f"the undo journal names an unknown table {table!r}; nothing was undone")
