"""Tracks travel with `fittrack sync`: a track imported on one device is pushed once, after its
activity, and `sync --tracks` brings it to another device, decoding to the same samples. A track
the server refuses is reported and tried again next time, and never stops the activities.

A real `fittrack serve` on SQLite, and on PostgreSQL (with Redis) when
FITTRACK_TEST_DATABASE_URL names a server: one of each for the module, and one of its own for a
test that stops it; devices driven in this process.
"""

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.sync.sync_support import (
    PG_ENV,
    PG_SKIP,
    Backend,
    Cli,
    Server,
    add_user,
    backend_for,
    device_state,
    execute,
)

from fittrack.storage import trackcodec
from fittrack.sync import engine


def write_gpx(path: Path, points: int = 40, days_ago: int = 2) -> Path:
    """A run of ``points`` samples, one every 5 s, ``days_ago`` days back."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    samples = "\n".join(
        f'<trkpt lat="{52.5 + i * 0.0001:.7f}" lon="{13.4 + i * 0.0001:.7f}">'
        f"<ele>{30 + i % 7}</ele><time>{(start + timedelta(seconds=5 * i)).isoformat()}</time>"
        "</trkpt>"
        for i in range(points)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>running</type><trkseg>{samples}</trkseg></trk></gpx>\n",
        encoding="utf-8",
    )
    return path


def tracks_of(db: Path) -> dict[str, bytes]:
    with closing(sqlite3.connect(db)) as conn:
        return {
            row[0]: bytes(row[1])
            for row in conn.execute("SELECT activity_id, data FROM activity_track")
        }


def unpushed(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM activity_track WHERE change_seq IS NULL").fetchone()[
                0
            ]
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    migrated_template: Path,
) -> Iterator[Server]:
    """One `fittrack serve` of each backend for the tests here that leave it running (starting
    one takes a second or more); each test logs in as a user of its own, and the server keeps
    users apart as it keeps people apart."""
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    workdir = tmp_path_factory.mktemp(f"tracks-server-{request.param}")
    with backend_for(request.param, workdir, migrated_template) as backend:
        server = Server(backend, workdir).start()
        try:
            yield server
        finally:
            server.stop()


def _logged_in(server: Server, cli_devices: Cli) -> tuple[Server, Any, Cli]:
    """Devices a and b logged in as a new user of ``server``."""
    ana = add_user(server.backend.database_url, "ana")
    for name in ("a", "b"):
        cli_devices.ok(name, "login", "--server", server.url, "--token", ana.token)
    return server, ana, cli_devices


@pytest.fixture
def two_devices(shared_server: Server, cli_devices: Cli) -> tuple[Server, Any, Cli]:
    """Two devices of a new user, on the module's server of the test's backend."""
    return _logged_in(shared_server, cli_devices)


@pytest.fixture
def two_devices_own_server(
    backend: Backend, make_server: Callable[..., Server], cli_devices: Cli
) -> tuple[Server, Any, Cli]:
    """Two devices of a new user, on a server of the test's own, which the test may stop."""
    return _logged_in(make_server(backend), cli_devices)


def test_a_track_imported_on_one_device_reaches_the_other(
    two_devices: tuple[Server, Any, Cli], tmp_path: Path
) -> None:
    _, _, cli = two_devices
    cli.ok("a", "import", str(write_gpx(tmp_path / "run.gpx")))
    [(activity_id, sent)] = tracks_of(cli.db("a")).items()

    report = cli.sync("a")
    assert report["tracks"] == {
        "pushed": 1,
        "pulled": 0,
        "failed": 0,
        "checked": 0,
        "more": False,
        "errors": [],
    }
    assert unpushed(cli.db("a")) == 0
    # A second sync pushes no track again.
    assert cli.sync("a")["tracks"]["pushed"] == 0

    # A plain sync brings the activity, not its track; --tracks brings the track.
    assert cli.sync("b")["tracks"]["pulled"] == 0
    assert tracks_of(cli.db("b")) == {}
    report = cli.json("b", "sync", "--tracks")
    assert report["tracks"]["pulled"] == 1 and report["tracks"]["failed"] == 0
    got = tracks_of(cli.db("b"))
    assert list(got) == [activity_id]
    assert trackcodec.decode(got[activity_id]) == trackcodec.decode(sent)
    # The pulled track is in sync: b has nothing to push, and asks for it no more.
    report = cli.json("b", "sync", "--tracks")
    assert report["tracks"]["pushed"] == 0 and report["tracks"]["pulled"] == 0
    assert device_state(cli.db("a")) == device_state(cli.db("b"))


def test_the_human_report_counts_tracks_only_when_there_are_some(
    two_devices: tuple[Server, Any, Cli], tmp_path: Path
) -> None:
    _, _, cli = two_devices
    cli.ok("a", "log", "run", "5k", "27:30", "--start=-1d")
    assert "track" not in cli.ok("a", "sync").stdout
    cli.ok("a", "import", str(write_gpx(tmp_path / "run.gpx")))
    assert "1 track pushed." in cli.ok("a", "sync").stdout
    assert "1 track pulled." in cli.ok("b", "sync", "--tracks").stdout


def test_a_refused_track_is_reported_and_the_activities_still_sync(
    two_devices: tuple[Server, Any, Cli], tmp_path: Path
) -> None:
    _, _, cli = two_devices
    cli.ok("a", "import", str(write_gpx(tmp_path / "run.gpx")))
    cli.ok("a", "log", "ride", "20k", "1:00:00", "--start=-3d")
    [(activity_id, good)] = tracks_of(cli.db("a")).items()
    execute(cli.db("a"), "UPDATE activity_track SET data = ?", b"\x01damaged")

    result = cli.run("a", "sync", "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["pushed"]["activities"] == 2
    assert report["tracks"]["failed"] == 1 and report["tracks"]["pushed"] == 0
    [failure] = report["failed"]
    assert failure["kind"] == "track" and failure["id"] == activity_id
    assert "not a fittrack track" in failure["error"]
    assert unpushed(cli.db("a")) == 1  # tried again next sync

    cli.sync("b")
    assert len(device_state(cli.db("b")).live_activities()) == 2
    # Mended here, it goes with the next sync.
    execute(cli.db("a"), "UPDATE activity_track SET data = ?", good)
    report = cli.sync("a")
    assert report["tracks"]["pushed"] == 1 and report["failed"] == []


def test_pulling_tracks_is_bounded_and_carries_on_where_it_stopped(
    two_devices: tuple[Server, Any, Cli], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, _, cli = two_devices
    for days in (2, 4):
        cli.ok("a", "import", str(write_gpx(tmp_path / f"run-{days}.gpx", days_ago=days)))
    for days in (1, 3, 5):
        cli.ok("a", "log", "walk", "3k", "40:00", f"--start=-{days}d")
    cli.sync("a")
    cli.sync("b")
    monkeypatch.setattr(engine, "PULL_TRACKS", 2)
    pulled, rounds = 0, []
    for _ in range(3):
        tracks = cli.json("b", "sync", "--tracks")["tracks"]
        pulled += tracks["pulled"]
        rounds.append((tracks["checked"], tracks["more"]))
    # Five activities without a track, two a run: 2 + 2 + 1, and then it starts over.
    assert rounds == [(2, True), (2, True), (1, False)]
    assert pulled == 2
    assert len(tracks_of(cli.db("b"))) == 2


def test_fetch_track_brings_one_activitys_track_on_demand(
    two_devices: tuple[Server, Any, Cli], tmp_path: Path
) -> None:
    """What `show` can call for an activity without a local track (engine.fetch_track)."""
    from fittrack.storage.db import connect
    from fittrack.sync.http import ServerClient

    server, ana, cli = two_devices
    cli.ok("a", "import", str(write_gpx(tmp_path / "run.gpx")))
    cli.ok("a", "log", "walk", "3k", "40:00", "--start=-1d")
    cli.sync("a")
    cli.sync("b")
    [(with_track, sent)] = tracks_of(cli.db("a")).items()
    [without] = device_state(cli.db("b")).live_activities() - {with_track}
    conn = connect(cli.db("b"))
    try:
        with ServerClient(server.url, ana.token) as client:
            now = datetime.now(UTC)
            assert engine.fetch_track(conn, client, without, now) is False
            assert engine.fetch_track(conn, client, with_track, now) is True
            assert engine.fetch_track(conn, client, with_track, now) is False  # already here
    finally:
        conn.close()
    assert tracks_of(cli.db("b")) == {with_track: sent}
    assert unpushed(cli.db("b")) == 0


def test_show_brings_a_track_from_the_server_and_shows_without_it_when_away(
    two_devices_own_server: tuple[Server, Any, Cli], tmp_path: Path
) -> None:
    server, _, cli = two_devices_own_server
    cli.ok("a", "import", str(write_gpx(tmp_path / "run.gpx")))
    cli.sync("a")
    cli.sync("b")  # the activity, not its track
    [activity_id] = [row["id"] for row in cli.json("b", "list")]
    assert tracks_of(cli.db("b")) == {}

    shown = cli.ok("b", "show", activity_id[:8])
    assert "Splits" in shown.stdout
    assert list(tracks_of(cli.db("b"))) == [activity_id]
    # Kept: the next show reads it here (the server is not asked again).
    server.stop()
    assert "Splits" in cli.ok("b", "show", activity_id[:8]).stdout

    # A device without the track while the server is away: the activity, one line, exit 0.
    with closing(sqlite3.connect(cli.db("b"))) as conn:
        conn.execute("DELETE FROM activity_track")
        conn.commit()
    away = cli.run("b", "show", activity_id[:8], "--json")
    assert away.exit_code == 0, away.output
    assert json.loads(away.stdout)["track"] is None
    assert "Its track is on the server but not here" in away.stderr
    assert len(away.stderr.strip().splitlines()) == 1


def test_show_of_a_logged_activity_asks_no_server(
    two_devices_own_server: tuple[Server, Any, Cli], tmp_path: Path
) -> None:
    server, _, cli = two_devices_own_server
    cli.ok("a", "log", "run", "5k", "27:30", "--start=-1d")
    cli.sync("a")
    [activity_id] = [row["id"] for row in cli.json("a", "list")]
    server.stop()
    done = cli.ok("a", "show", activity_id[:8])
    assert done.stderr == ""
