"""Build the PostgreSQL database the server benchmark runs against.

    python bench/server_data.py [--url postgresql://postgres@127.0.0.1:5432/fittrack_bench]
                                [--users 100] [--per-user 100000]

Creates the database if it is missing, migrates it (the project's Alembic migrations, through
``fittrack.server.db.migrate``) and, unless it already holds exactly ``--users`` users with
``--per-user`` activities each, empties it and loads: per user an ``app_user`` row, an activity
about every 50 minutes over the last ten years (run, ride, walk, swim, strength, yoga; duration,
distance, calories and workload from the same MET values as the CLI; UTC offset of Europe/Berlin
at the time), one weekly 20 km running goal and a profile, with ``change_seq`` counting the
user's writes in order. Activities go in through binary ``COPY`` with the activity indexes
dropped, and the indexes are built again afterwards from their own definitions, all in one
transaction (a load that fails leaves the database as it was); then ``ANALYZE``.

Every run issues a fresh API token per user and writes ``bench/data-server/tokens.json``: for each
user the token, user id, goal id and 200 of their activities (id and the fields a ``PUT`` sends,
as stored), for ``bench/server.py``.
"""

import argparse
import hashlib
import json
import random
import secrets
import sys
import time
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

HERE = Path(__file__).parent
DATA_DIR = HERE / "data-server"
TOKENS = DATA_DIR / "tokens.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fittrack_bench"
SAMPLE = 200
YEARS = 10
WEIGHT_KG = 70.0

# The indexes the migrations put on ``activity``; dropped for the load and built again from the
# definitions PostgreSQL reports (so exactly as the migrations made them).
ACTIVITY_INDEXES = (
    "ix_activity_start_at",
    "ix_activity_updated_at",
    "ix_activity_type_start_at",
    "ix_activity_owner_start_at",
    "ix_activity_owner_change_seq",
)

# type, share of activities, MET (as the CLI's built-in types), minutes (low, high),
# speed in m/s (low, high) or None for a type without distance.
TYPES = (
    ("run", 30, 8.0, (20, 90), (2.5, 3.6)),
    ("ride", 20, 7.0, (30, 180), (5.0, 8.0)),
    ("walk", 20, 3.5, (20, 120), (1.1, 1.6)),
    ("swim", 10, 5.8, (20, 60), (0.5, 0.9)),
    ("strength", 10, 3.5, (30, 75), None),
    ("yoga", 10, 2.3, (30, 90), None),
)

ACTIVITY_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "deleted_at",
    "type",
    "start_at",
    "end_at",
    "utc_offset_min",
    "duration_s",
    "distance_m",
    "calories_kcal",
    "calories_estimated",
    "workload",
    "note",
    "source",
    "owner",
    "change_seq",
)
ACTIVITY_TYPES = (
    "varchar",
    "timestamptz",
    "timestamptz",
    "timestamptz",
    "varchar",
    "timestamptz",
    "timestamptz",
    "int4",
    "float8",
    "float8",
    "float8",
    "bool",
    "float8",
    "varchar",
    "varchar",
    "varchar",
    "int8",
)
NOTES = ("easy", "felt good", "intervals", "with friends", "tired legs")


def _round1(value: float) -> float:
    return int(value * 10 + 0.5) / 10


def _uuid4(rng: random.Random) -> str:
    """A version-4 UUID string from ``rng`` (reproducible, and much faster than ``uuid.UUID``)."""
    bits = rng.getrandbits(128) & ~(0xF << 76) & ~(0x3 << 62) | (4 << 76) | (2 << 62)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _berlin_dst(first_year: int, last_year: int) -> list[float]:
    """UTC timestamps where Europe/Berlin switches: last Sunday of March and of October, 01:00 UTC.

    An even count of switches before a moment means winter time (+60), odd summer time (+120).
    """
    switches = []
    for year in range(first_year, last_year + 1):
        for month in (3, 10):
            last = date(year, month, 31)
            sunday = last - timedelta(days=(last.weekday() + 1) % 7)
            switches.append(datetime(year, month, sunday.day, 1, tzinfo=UTC).timestamp())
    return switches


def _activity_rows(rng: random.Random, owner: str, count: int, now: float):  # type: ignore[no-untyped-def]
    """``count`` activity rows for ``owner``, in start order, over the ``YEARS`` before ``now``."""
    first = now - YEARS * 365.25 * 86400
    last = now - 4 * 3600  # the longest activity (3 h) still ends before now
    switches = _berlin_dst(datetime.fromtimestamp(first, UTC).year, datetime.now(UTC).year)
    starts = sorted(rng.randrange(int(first), int(last)) for _ in range(count))
    kinds = rng.choices(TYPES, weights=[t[1] for t in TYPES], k=count)
    at = datetime.fromtimestamp
    uniform = rng.uniform
    for seq, (start, (kind, _share, met, minutes, speed)) in enumerate(
        zip(starts, kinds, strict=True), start=1
    ):
        duration = float(rng.randrange(minutes[0] * 60, minutes[1] * 60 + 1, 60))
        distance = None if speed is None else _round1(duration * uniform(*speed))
        end = at(start + duration, UTC)
        offset = 120 if bisect_right(switches, start) % 2 else 60
        yield (
            _uuid4(rng),
            end,
            end,
            None,
            kind,
            at(start, UTC),
            end,
            offset,
            duration,
            distance,
            _round1(met * WEIGHT_KG * duration / 3600),
            True,
            _round1(met * duration / 60),
            NOTES[seq % len(NOTES)] if seq % 20 == 0 else "",
            "manual",
            owner,
            seq,
        )


def _ensure_database(url: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.get("dbname")
    if not name:
        raise SystemExit(f"the URL {url} names no database")
    for maintenance in ("test", "postgres"):
        try:
            conn = psycopg.connect(**{**info, "dbname": maintenance}, autocommit=True)
        except psycopg.OperationalError:
            continue
        with conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}", file=sys.stderr)
        return
    raise SystemExit(f"cannot reach PostgreSQL at {url} (tried the test and postgres databases)")


def _loaded(conn: psycopg.Connection, users: int, per_user: int) -> bool:
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM app_user), (SELECT count(*) FROM goal),"
        " (SELECT count(*) FROM profile), (SELECT count(*) FROM activity),"
        " (SELECT count(DISTINCT owner) FROM goal)"
    ).fetchone()
    return counts == (users, users, users, users * per_user, users)


def _load(conn: psycopg.Connection, users: int, per_user: int, seed: int) -> None:
    rng = random.Random(seed)
    now = time.time()
    joined = datetime.fromtimestamp(now - (YEARS + 1) * 365.25 * 86400, UTC)
    with conn.transaction():
        conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
        conn.execute("SET LOCAL synchronous_commit = off")
        conn.execute("TRUNCATE api_token, app_user, activity, goal, profile, activity_type")
        indexes = dict(
            conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND tablename = 'activity'"
                " AND indexname = ANY(%s)",
                (list(ACTIVITY_INDEXES),),
            ).fetchall()
        )
        missing = set(ACTIVITY_INDEXES) - set(indexes)
        if missing:
            raise SystemExit(f"activity lacks the indexes {sorted(missing)}: is it migrated?")
        (pkey_name, pkey_def) = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'activity'::regclass AND contype = 'p'"
        ).fetchone()
        for name in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("ALTER TABLE activity DROP CONSTRAINT {}").format(sql.Identifier(pkey_name))
        )

        t0 = time.perf_counter()
        user_ids = []
        with conn.cursor() as cur:
            copy_sql = sql.SQL("COPY activity ({}) FROM STDIN (FORMAT BINARY)").format(
                sql.SQL(", ").join(map(sql.Identifier, ACTIVITY_COLUMNS))
            )
            with cur.copy(copy_sql) as copy:
                copy.set_types(ACTIVITY_TYPES)
                for n in range(users):
                    user_id = _uuid4(rng)
                    user_ids.append(user_id)
                    for row in _activity_rows(rng, user_id, per_user, now):
                        copy.write_row(row)
                    if (n + 1) % 10 == 0:
                        print(
                            f"  {(n + 1) * per_user:,} activities"
                            f" ({time.perf_counter() - t0:.0f} s)",
                            file=sys.stderr,
                        )
        t1 = time.perf_counter()

        start = date(2020, 1, 1)
        created = datetime(2020, 1, 1, 8, tzinfo=UTC)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO app_user (id, email, change_seq, created_at) VALUES (%s, %s, %s, %s)",
                [
                    (u, f"user{n:03d}@bench.example", per_user + 2, joined)
                    for n, u in enumerate(user_ids)
                ],
            )
            cur.executemany(
                "INSERT INTO goal (id, created_at, updated_at, deleted_at, name, period, metric,"
                " target, activity_type, start_date, end_date, paused, pauses, owner, change_seq)"
                " VALUES (%s, %s, %s, NULL, '', 'week', 'distance', 20000.0, 'run', %s, NULL,"
                " false, '[]', %s, %s)",
                [(_uuid4(rng), created, created, start, u, per_user + 1) for u in user_ids],
            )
            cur.executemany(
                "INSERT INTO profile (id, created_at, updated_at, deleted_at, weight_kg, timezone,"
                " units, week_start, owner, change_seq) VALUES (%s, %s, %s, NULL, 70.0,"
                " 'Europe/Berlin', 'metric', 'monday', %s, %s)",
                [(_uuid4(rng), joined, joined, u, per_user + 2) for u in user_ids],
            )

        conn.execute(
            sql.SQL("ALTER TABLE activity ADD CONSTRAINT {} {}").format(
                sql.Identifier(pkey_name), sql.SQL(pkey_def)
            )
        )
        for definition in indexes.values():
            conn.execute(sql.SQL(definition))
        t2 = time.perf_counter()
    print(
        f"  copied in {t1 - t0:.0f} s, primary key and {len(indexes)} indexes built in"
        f" {t2 - t1:.0f} s",
        file=sys.stderr,
    )
    conn.execute("ANALYZE")


def _issue_tokens(conn: psycopg.Connection, per_user: int, seed: int) -> list[dict[str, object]]:
    """A new token per user (the old ones go) and a sample of each user's activity ids."""
    rng = random.Random(seed + 1)
    now = datetime.now(UTC)
    users = conn.execute(
        "SELECT u.id, g.id FROM app_user u JOIN goal g ON g.owner = u.id ORDER BY u.email"
    ).fetchall()
    result: list[dict[str, object]] = []
    with conn.transaction():
        conn.execute("DELETE FROM api_token")
        for user_id, goal_id in users:
            token = "ft_" + secrets.token_urlsafe(32)
            conn.execute(
                "INSERT INTO api_token (token_hash, user_id, created_at) VALUES (%s, %s, %s)",
                (hashlib.sha256(token.encode()).hexdigest(), user_id, now),
            )
            seqs = rng.sample(range(1, per_user + 1), min(SAMPLE, per_user))
            cur = conn.cursor(row_factory=dict_row)
            rows = cur.execute(
                "SELECT id, type, start_at, end_at, utc_offset_min, duration_s, distance_m, note,"
                " calories_kcal, calories_estimated, workload, source"
                " FROM activity WHERE owner = %s AND change_seq = ANY(%s) ORDER BY id",
                (user_id, seqs),
            ).fetchall()
            activities = [_as_sent(row) for row in rows]
            rng.shuffle(activities)
            result.append(
                {"token": token, "user_id": user_id, "goal_id": goal_id, "activities": activities}
            )
    return result


def _as_sent(row: dict[str, Any]) -> dict[str, Any]:
    """An activity row as a client would ``PUT`` it: times at the activity's own UTC offset."""
    zone = timezone(timedelta(minutes=row["utc_offset_min"]))
    return {
        "id": row["id"],
        "type": row["type"],
        "start": row["start_at"].astimezone(zone).isoformat(),
        "end": row["end_at"].astimezone(zone).isoformat(),
        "duration_s": row["duration_s"],
        "distance_m": row["distance_m"],
        "note": row["note"],
        "calories_kcal": row["calories_kcal"],
        "calories_estimated": row["calories_estimated"],
        "workload": row["workload"],
        "source": row["source"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-user", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from fittrack.server.db import migrate

    t0 = time.perf_counter()
    _ensure_database(args.url)
    migrate(args.url)
    with psycopg.connect(args.url, autocommit=True) as conn:
        if _loaded(conn, args.users, args.per_user):
            print(f"already loaded: {args.users} users × {args.per_user:,} activities")
        else:
            print(f"loading {args.users} users × {args.per_user:,} activities…", file=sys.stderr)
            _load(conn, args.users, args.per_user, args.seed)
        users = _issue_tokens(conn, args.per_user, args.seed)
        (size,) = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    TOKENS.write_text(
        json.dumps(
            {"url": args.url, "users": args.users, "per_user": args.per_user, "tokens": users},
            indent=1,
        )
    )
    elapsed = time.perf_counter() - t0
    print(f"{'database':<10} {args.url}")
    print(f"{'users':<10} {args.users}")
    print(f"{'activities':<10} {args.users * args.per_user:,} ({args.per_user:,} per user)")
    print(f"{'size':<10} {size}")
    print(f"{'tokens':<10} {TOKENS}")
    print(f"{'time':<10} {elapsed:.1f} s")


if __name__ == "__main__":
    main()
