"""An activity's track in plain SQL: save (insert or replace), load, which activities have one.

The row is ``activity_track`` (``storage.schema.ActivityTrack``), its ``data`` the bytes of
``storage.trackcodec``. Saving works inside the caller's transaction (the importer's per-file
one), so a track is written with its activity or not at all.

The figures cache: ``best_efforts`` (JSON, PRODUCT.md's ``best_efforts`` list) and
``elevation_gain_m`` are computed once, by :func:`save_track` (``core.track_figures``, ~100 ms on
a 10,000-sample track), so that ``summary`` over a whole log reads a few bytes per track instead
of decoding and deriving each one. A NULL ``best_efforts`` is a track stored before the cache
existed (or pulled by sync without it): :func:`fill_missing_figures` computes those on first need,
and a computed track without efforts holds ``[]``, never NULL.

``figures`` (JSON, :func:`show_figures`) is what ``show`` prints of the track: the figures with
splits per kilometre and per mile, and the two sparklines' points. It is computed with the rest,
so that ``show`` of an activity with a long track reads one row and decodes nothing.
"""

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

from fittrack.core.track import Track
from fittrack.storage import trackcodec
from fittrack.storage.rows import NO_OWNER, to_db_time

_CHUNK = 500
"""Ids asked about per query: well under SQLite's limit of bound parameters."""


def save_track(
    conn: sqlite3.Connection,
    activity_id: str,
    track: Track,
    now: datetime,
    *,
    figures_json: str | None = None,
    elevation_gain_m: float | None = None,
    data: bytes | None = None,
) -> int:
    """Store ``track`` as the activity's, replacing any it had; returns the bytes stored.

    The figures cache is computed here unless the caller gives it (``figures_json``, the best
    efforts as JSON, with ``elevation_gain_m``), from the samples as stored (rounded to the
    codec's resolutions), not as given: so the cache is what :func:`fill_missing_figures`
    computes from the bytes, on this device or one that pulls the track by sync, and what a
    JSON backup's track restored elsewhere gets (a 1e-7° rounding of a position moves a split's
    distance by 0.1 m often enough to show). ``data``, when given, is the ``trackcodec`` bytes
    ``track`` was decoded from (a JSON backup's), stored as they are rather than encoded again:
    a restored track is byte for byte the one exported. A replaced track keeps its
    ``created_at``; ``change_seq`` goes back to NULL (changed here).
    """
    if data is None:
        data = trackcodec.encode(track)
        if figures_json is None:
            track = trackcodec.decode(data)  # ~5 % of what the figures below cost
    shown = None
    if figures_json is None:
        figures_json, elevation_gain_m, shown = cached_figures(track)
    stamp = to_db_time(now)
    conn.execute(
        "INSERT INTO activity_track (activity_id, owner, samples, data, elevation_gain_m, "
        "best_efforts, figures, created_at, updated_at, change_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) "
        "ON CONFLICT (activity_id, owner) DO UPDATE SET samples = excluded.samples, "
        "data = excluded.data, elevation_gain_m = excluded.elevation_gain_m, "
        "best_efforts = excluded.best_efforts, figures = excluded.figures, "
        "updated_at = excluded.updated_at, change_seq = NULL",
        (
            activity_id,
            NO_OWNER,
            len(track),
            data,
            elevation_gain_m,
            figures_json,
            shown,
            stamp,
            stamp,
        ),
    )
    return len(data)


def load_track(conn: sqlite3.Connection, activity_id: str) -> Track | None:
    """The activity's track, or None when it has none (``DataError`` when the stored one is
    damaged)."""
    row = conn.execute(
        "SELECT data FROM activity_track WHERE activity_id = ? AND owner = ?",
        (activity_id, NO_OWNER),
    ).fetchone()
    return None if row is None else trackcodec.decode(bytes(row[0]))


def has_track(conn: sqlite3.Connection, activity_ids: Iterable[str]) -> set[str]:
    """Which of these activities have a track."""
    ids = list(activity_ids)
    found: set[str] = set()
    for first in range(0, len(ids), _CHUNK):
        chunk = ids[first : first + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        found.update(
            row[0]
            for row in conn.execute(
                f"SELECT activity_id FROM activity_track WHERE owner = ? "
                f"AND activity_id IN ({marks})",
                (NO_OWNER, *chunk),
            )
        )
    return found


def delete_orphans(conn: sqlite3.Connection) -> int:
    """Delete the tracks whose activity row is gone (the importer's sweep of duplicates within
    one file deletes rows outright); returns how many."""
    return conn.execute(
        "DELETE FROM activity_track WHERE NOT EXISTS (SELECT 1 FROM activity "
        "WHERE activity.id = activity_track.activity_id "
        "AND activity.owner = activity_track.owner)"
    ).rowcount


SPARK_POINTS = 30
"""Points of each of ``show``'s sparklines (``cli.render.track`` draws one cell a point)."""


def cached_figures(track: Track) -> tuple[str, float | None, str]:
    """(best efforts as JSON, elevation gain, :func:`show_figures`): the figures cache."""
    from fittrack.core.track_figures import MILE_M, elevation_series, figures, speed_series

    derived = figures(track)
    # Mile splits without the best efforts again: those do not depend on the split length.
    miles = figures(track, unit_m=MILE_M, efforts_m=())
    # Unrounded (asdict, not to_json), so that show prints from the cache what it would print
    # from the samples, to the second.
    shown = asdict(derived) | {
        "mile_splits": asdict(miles)["splits"],
        "speeds": speed_series(track, SPARK_POINTS),
        "elevations": elevation_series(track, SPARK_POINTS),
    }
    efforts = json.dumps(derived.to_json()["best_efforts"], separators=(",", ":"))
    return efforts, derived.elevation_gain_m, json.dumps(shown, separators=(",", ":"))


def show_figures(conn: sqlite3.Connection, activity_id: str) -> dict[str, object] | None:
    """What ``show`` prints of the activity's track, as cached when it was saved: the
    ``TrackFigures.to_json()`` of kilometre splits, plus ``mile_splits``, ``speeds`` and
    ``elevations`` (the sparklines' points); None when it has no track or no cache yet."""
    row = conn.execute(
        "SELECT figures FROM activity_track WHERE activity_id = ? AND owner = ?",
        (activity_id, NO_OWNER),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    try:
        shown: dict[str, object] = json.loads(row[0])
    except ValueError:
        return None  # a damaged cache: show computes the figures from the track
    return shown


def missing_figures(conn: sqlite3.Connection, where: str, params: Iterable[object]) -> list[str]:
    """The ids of the tracks without a figures cache whose activity matches ``where`` (a clause
    over ``activity``'s columns, as ``storage.activities.window_clause`` makes).

    Driven by the tracks (CROSS JOIN keeps SQLite from walking a million activities to find a
    hundred tracks): a scan of ``activity_track`` and a primary-key look-up per track.
    """
    return [
        str(row[0])
        for row in conn.execute(
            "SELECT activity_track.activity_id FROM activity_track CROSS JOIN activity "
            "ON activity.id = activity_track.activity_id "
            "AND activity.owner = activity_track.owner "
            "WHERE activity_track.owner = ? AND (activity_track.best_efforts IS NULL "
            f"OR activity_track.figures IS NULL) AND {where}",
            (NO_OWNER, *params),
        )
    ]


def fill_missing_figures(conn: sqlite3.Connection, activity_ids: Iterable[str]) -> int:
    """Compute and store the figures cache of these tracks (NULL until now); returns how many.

    Storing is skipped on a read-only database (the figures are then computed again next
    time); the caller uses what is stored or ``cached_figures`` itself.
    """
    from fittrack.storage.db import write

    ids = list(activity_ids)
    if not ids or getattr(conn, "read_only", None) is not None:
        return 0
    done = 0
    with write(conn):
        for activity_id in ids:
            # Read again under the write lock: another process may have filled it meanwhile.
            row = conn.execute(
                "SELECT data FROM activity_track WHERE activity_id = ? AND owner = ? "
                "AND (best_efforts IS NULL OR figures IS NULL)",
                (activity_id, NO_OWNER),
            ).fetchone()
            if row is None:
                continue
            efforts, gain, shown = cached_figures(trackcodec.decode(bytes(row[0])))
            # Not a change of the track: updated_at and change_seq stay as they are (a cache
            # filled here must not make sync push the track again).
            conn.execute(
                "UPDATE activity_track SET best_efforts = ?, elevation_gain_m = ?, figures = ? "
                "WHERE activity_id = ? AND owner = ?",
                (efforts, gain, shown, activity_id, NO_OWNER),
            )
            done += 1
    return done


# ---- sync: which tracks the server lacks, and tracks that came from it -------------------------
#
# A track's ``change_seq`` says what ``storage.sync`` says of a row: NULL when changed here (not
# yet on the server), set once the server has it (pushed, or pulled from it).

PUSHED = 0
"""The ``change_seq`` of a track the server has confirmed."""


def unpushed_tracks(conn: sqlite3.Connection, after_id: str, limit: int) -> list[tuple[str, str]]:
    """(activity id, stored ``updated_at``) of tracks not yet on the server, by id after
    ``after_id``: only those whose activity is live and itself on the server (a track waits for
    its activity; a deleted activity's track never goes)."""
    return [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT t.activity_id, t.updated_at FROM activity_track AS t "
            "JOIN activity AS a ON a.id = t.activity_id AND a.owner = t.owner "
            "WHERE t.owner = ? AND t.change_seq IS NULL AND t.activity_id > ? "
            "AND a.deleted_at IS NULL AND a.change_seq IS NOT NULL "
            "ORDER BY t.activity_id LIMIT ?",
            (NO_OWNER, after_id, limit),
        )
    ]


def track_data(conn: sqlite3.Connection, activity_id: str) -> bytes | None:
    """The stored bytes of the activity's track, as they travel."""
    row = conn.execute(
        "SELECT data FROM activity_track WHERE activity_id = ? AND owner = ?",
        (activity_id, NO_OWNER),
    ).fetchone()
    return None if row is None else bytes(row[0])


def mark_track_pushed(conn: sqlite3.Connection, activity_id: str, updated_at: str) -> None:
    """The server has this track, unless it was replaced here since it was read."""
    conn.execute(
        f"UPDATE activity_track SET change_seq = {PUSHED} WHERE activity_id = ? AND owner = ? "
        "AND updated_at = ? AND change_seq IS NULL",
        (activity_id, NO_OWNER, updated_at),
    )


def mark_tracks_unpushed(conn: sqlite3.Connection) -> None:
    """Every track is to be pushed again (a new server or account)."""
    conn.execute("UPDATE activity_track SET change_seq = NULL WHERE owner = ?", (NO_OWNER,))


def without_track(
    conn: sqlite3.Connection, before: tuple[str, str] | None, limit: int
) -> list[tuple[str, str]]:
    """(start_at, id) of live activities without a track, newest first, older than ``before``
    (a (start_at, id) this returned)."""
    where = ""
    params: tuple[str, ...] = ()
    if before is not None:
        where = "AND (a.start_at < ? OR (a.start_at = ? AND a.id < ?)) "
        params = (before[0], before[0], before[1])
    return [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT a.start_at, a.id FROM activity AS a WHERE a.owner = ? "
            "AND a.deleted_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM activity_track AS t "
            "WHERE t.activity_id = a.id AND t.owner = a.owner) "
            f"{where}ORDER BY a.start_at DESC, a.id DESC LIMIT ?",
            (NO_OWNER, *params, limit),
        )
    ]


def store_pulled(conn: sqlite3.Connection, activity_id: str, data: bytes, now: datetime) -> bool:
    """Keep a track the server sent (bytes ``trackcodec.decode`` has read), in sync; a track
    this device has meanwhile is kept instead. Whether it was stored."""
    samples = len(trackcodec.decode(data))
    stamp = to_db_time(now)
    return (
        conn.execute(
            "INSERT INTO activity_track (activity_id, owner, samples, data, created_at, "
            f"updated_at, change_seq) VALUES (?, ?, ?, ?, ?, ?, {PUSHED}) "
            "ON CONFLICT (activity_id, owner) DO NOTHING",
            (activity_id, NO_OWNER, samples, data, stamp, stamp),
        ).rowcount
        == 1
    )
