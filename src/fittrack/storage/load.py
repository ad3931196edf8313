"""Each local day's workload, for ``fittrack load``: one aggregate over an index range.

A day is a calendar day in the person's zone (the profile's timezone), as periods and ``summary``
take it: an activity counts on the day it starts *there*, whatever UTC offset it was logged with.
SQLite has no time zones, but ``date(start_at, '+N seconds')`` is the local day of a UTC moment
when N is the zone's offset at that moment. A zone's offset changes only at its transitions (DST,
a change of law), a handful over the window, so the query shifts each ``start_at`` by a ``CASE``
over those instants: still one range over ``ix_activity_start_at``, grouped in SQL.
"""

import sqlite3
from datetime import UTC, date, datetime, timedelta, tzinfo

from fittrack.core.moments import local_day_bounds
from fittrack.storage.rows import to_db_time


def _offset(moment: datetime, tz: tzinfo) -> int:
    """The zone's UTC offset at ``moment``, in whole seconds."""
    offset = moment.astimezone(tz).utcoffset()
    return 0 if offset is None else round(offset.total_seconds())


def offset_spans(tz: tzinfo, first: date, last: date) -> list[tuple[datetime | None, int]]:
    """The zone's offsets over the local days ``first`` to ``last``: ``[(since, seconds), …]``,
    ``since`` None for the first span, then each transition's UTC instant (to the second)."""
    start = local_day_bounds(first, tz)[0]
    spans: list[tuple[datetime | None, int]] = [(None, _offset(start, tz))]
    day = first
    while day <= last:
        lo, hi = local_day_bounds(day, tz)
        if _offset(hi, tz) != spans[-1][1]:
            # One transition inside [lo, hi] at most (zones change at most twice a year):
            # bisect to the first second with the new offset.
            before = _offset(lo, tz)
            while (hi - lo) > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset(mid, tz) == before:
                    lo = mid
                else:
                    hi = mid
            spans.append((hi.replace(microsecond=0), _offset(hi, tz)))
        day += timedelta(days=1)
    return spans


def daily_workload_sql(transitions: int) -> str:
    """The SQL of the daily workload over [``:start``, ``:end``), with ``transitions`` changes of
    offset (parameters ``:t1``…, ``:o0``…: each a ``'+N seconds'`` modifier)."""
    if transitions:
        whens = " ".join(f"WHEN start_at < :t{i} THEN :o{i - 1}" for i in range(1, transitions + 1))
        shift = f"CASE {whens} ELSE :o{transitions} END"
    else:
        shift = ":o0"
    return (
        f"SELECT date(start_at, {shift}) AS day, SUM(workload) AS load FROM activity "
        "WHERE start_at >= :start AND start_at < :end AND deleted_at IS NULL GROUP BY day"
    )


def daily_workload(
    conn: sqlite3.Connection, first: date, last: date, tz: tzinfo
) -> dict[date, float]:
    """The workload (MET-minutes) of the live activities starting on each local day from
    ``first`` to ``last`` inclusive, in ``tz``; days without any are left out."""
    if last < first:
        return {}
    spans = offset_spans(tz, first, last)
    params: dict[str, object] = {
        "start": to_db_time(local_day_bounds(first, tz)[0]),
        "end": to_db_time(local_day_bounds(last, tz)[1]),
    }
    for i, (since, seconds) in enumerate(spans):
        params[f"o{i}"] = f"{seconds:+d} seconds"
        if since is not None:
            params[f"t{i}"] = to_db_time(since.astimezone(UTC))
    rows = conn.execute(daily_workload_sql(len(spans) - 1), params).fetchall()
    return {date.fromisoformat(row[0]): float(row[1]) for row in rows}
