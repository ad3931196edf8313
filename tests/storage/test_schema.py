"""The SQLModel tables, the migrations and the plain-SQL queries describe one schema."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, make_url
from sqlmodel import Session, SQLModel, select

from fittrack.core.activity import ActivityRecord
from fittrack.storage import activities, db, schema


def _differences(engine: Engine) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the tables."""
    options = {"compare_type": True, "compare_server_default": True}
    with engine.connect() as conn:
        return list(
            compare_metadata(MigrationContext.configure(conn, opts=options), SQLModel.metadata)
        )


def test_migrated_sqlite_database_matches_the_sqlmodel_tables(db_file: Path) -> None:
    db.connect(db_file).close()
    engine = create_engine(f"sqlite:///{db_file}")
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards), as a SQLAlchemy URL."""
    url = os.environ.get("FITTRACK_TEST_DATABASE_URL")
    if not url:
        pytest.skip("FITTRACK_TEST_DATABASE_URL is not set: the PostgreSQL tests need a server")
    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"schema_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def test_migrated_postgresql_database_matches_the_sqlmodel_tables(fresh_postgres: str) -> None:
    engine = create_engine(fresh_postgres)
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_every_migration_goes_down_and_up_again(db_file: Path) -> None:
    """Each revision's downgrade undoes its upgrade: down to the first and back again matches."""
    db.connect(db_file).close()
    db.migrate(db_file, "0001")
    db.migrate(db_file, "head")
    engine = create_engine(f"sqlite:///{db_file}")
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_rows_written_in_plain_sql_read_back_through_sqlmodel_and_back(db_file: Path) -> None:
    paris = timezone(timedelta(hours=1))
    record = ActivityRecord(
        id=str(uuid.uuid4()),
        type="run",
        start=datetime(2026, 11, 20, 7, 0, tzinfo=paris),
        end=datetime(2026, 11, 20, 7, 30, tzinfo=paris),
        duration_s=1650.0,
        distance_m=5000.0,
        calories_kcal=325.5,
        calories_estimated=True,
        workload=279.0,
        note="cold, windy",
        created_at=datetime(2026, 11, 20, 6, 31, 2, 123456, tzinfo=UTC),
        updated_at=datetime(2026, 11, 20, 6, 31, 2, 123456, tzinfo=UTC),
    )
    conn = db.connect(db_file)
    with db.write(conn):
        activities.insert(conn, [record])

    engine = create_engine(f"sqlite:///{db_file}")
    with Session(engine) as session:
        row = session.exec(select(schema.Activity)).one()
        assert row.start_at == datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
        assert row.utc_offset_min == 60
        assert row.created_at == datetime(2026, 11, 20, 6, 31, 2, 123456, tzinfo=UTC)
        assert (row.distance_m, row.note, row.calories_estimated) == (5000.0, "cold, windy", True)
        other = schema.Activity(
            id=str(uuid.uuid4()),
            type="ride",
            start_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            end_at=datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
            utc_offset_min=-300,
            duration_s=3600.0,
            calories_kcal=500.0,
            created_at=datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
            updated_at=datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
        )
        other_id = other.id
        session.add(other)
        session.commit()
    engine.dispose()

    assert activities.find(conn, record.id[:8]) == record
    ride = activities.find(conn, other_id)
    assert ride.start == datetime(2026, 11, 21, 4, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert ride.distance_m is None


def test_the_generated_column_lists_match_the_tables() -> None:
    """storage/columns.py is what ``python -m fittrack.storage.schema`` writes from the tables:
    a table changed without regenerating it fails here."""
    from fittrack.storage import columns

    assert Path(columns.__file__).read_text() == schema.render_columns()


def test_the_mappers_name_only_columns_the_tables_have() -> None:
    from fittrack.storage import rows

    for fields, table in (
        (rows.ACTIVITY_FIELDS, schema.Activity),
        (rows.GOAL_FIELDS, schema.Goal),
        (rows.PROFILE_FIELDS, schema.Profile),
        (rows.TYPE_FIELDS, schema.CustomActivityType),
    ):
        assert set(fields) <= set(table.__table__.columns.keys())  # type: ignore[attr-defined]
