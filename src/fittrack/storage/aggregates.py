"""The per-period aggregate behind a goal's progress: one query builder for the CLI and the server.

A goal's value over a period is what the live activities starting in it add up to, for one metric
(and one type, when the goal has one). The SQL is the same text on SQLite and PostgreSQL, with
named parameters (``:start``, ``:end``, ``:type``, ``:owner``) that ``sqlite3`` and SQLAlchemy's
``text()`` both bind; each shape is a range over an index on ``start_at``
(``ix_activity_start_at``, ``ix_activity_type_start_at`` or, for one owner on the server,
``ix_activity_owner_start_at``). The three carry ``deleted_at``, ``type`` and the summed columns
(migration 0011), so the range is summed from the index alone, without reading the table.

``elevation`` adds up ``activity_track.elevation_gain_m``: a LEFT JOIN on the track's primary key
(an activity without a track adds nothing), which keeps ``activity`` the outer loop, so the
planner still walks the same start-time range and looks each track up by key. The columns are
then qualified, since both tables have ``owner``.
"""

METRIC_TOTALS = {
    "distance": "COALESCE(SUM(distance_m), 0)",
    "duration": "COALESCE(SUM(duration_s), 0)",
    "count": "COUNT(*)",
    "calories": "COALESCE(SUM(calories_kcal), 0)",
    "elevation": "COALESCE(SUM(activity_track.elevation_gain_m), 0)",
}
"""What each goal metric adds up (0 rather than NULL over no rows)."""


def period_total_sql(metric: str, *, typed: bool, owned: bool) -> str:
    """The SQL of one metric's total (column ``total``) over activities starting in
    [``:start``, ``:end``): of ``:type`` only when ``typed``, of ``:owner``'s rows when ``owned``
    (the server; a person's own database has no owners)."""
    joined = metric == "elevation"
    table = "activity." if joined else ""
    where = [f"{table}{column}" for column in ("start_at >= :start", "start_at < :end")]
    where.append(f"{table}deleted_at IS NULL")
    if owned:
        where.insert(0, f"{table}owner = :owner")
    if typed:
        where.append(f"{table}type = :type")
    source = "activity"
    if joined:
        source += (
            " LEFT JOIN activity_track ON activity_track.activity_id = activity.id"
            " AND activity_track.owner = activity.owner"
        )
    return f"SELECT {METRIC_TOTALS[metric]} AS total FROM {source} WHERE {' AND '.join(where)}"
