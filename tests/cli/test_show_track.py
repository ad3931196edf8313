"""``show`` with a track (figures, splits, best efforts, sparklines, ``--route``, ``--json``) and
``summary``'s fastest runs from tracks, on real SQLite homes holding real GPX/TCX/FIT files."""

import io
import json
import math
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Invoke
from tests.storage.track_files import DATA

from fittrack.cli.render import base
from fittrack.core.track import Track
from fittrack.core.track_figures import MILE_M, STANDARD_EFFORTS_M, figures
from fittrack.storage import activities, db, tracks

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = [
    pytest.mark.migrated_home,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data at {DATA}"),
]

FIT = DATA / "fit" / "fitparse__activity-small-fenix2-run.fit"
TCX = DATA / "tcx" / "tcxparser__test.tcx"
SWIM = DATA / "tcx" / "firefly__pool_swim-activity_1.tcx"
BRAILLE = re.compile("[\u2801-\u28ff]")
EFFORT_NAMES = {
    400.0: "400 m",
    1000.0: "1 km",
    MILE_M: "1 mile",
    5000.0: "5 km",
    10000.0: "10 km",
    21097.5: "half marathon",
    42195.0: "marathon",
}


def _import(cli: Invoke, path: Path) -> str:
    result = cli("import", str(path), "--json")
    assert result.exit_code == 0, result.output + result.stderr
    (activity_id,) = json.loads(result.stdout)["ids"]
    return str(activity_id)


def _stored(db_file: Path, activity_id: str) -> Track:
    conn = db.connect(db_file)
    try:
        track = tracks.load_track(conn, activity_id)
    finally:
        conn.close()
    assert track is not None
    return track


def _section(output: str, title: str) -> list[str]:
    """The lines of a table section of ``show``, header included, up to the blank line."""
    lines = output.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _show(cli: Invoke, *args: str) -> str:
    result = cli("show", *args)
    assert result.exit_code == 0, result.output + result.stderr
    assert "\x1b" not in result.stdout  # a pipe gets plain text
    return result.stdout


@pytest.mark.parametrize("path", [FIT, TCX], ids=["fit", "tcx"])
def test_show_gives_a_split_per_km_and_the_efforts_the_track_covers(
    cli: Invoke, db_file: Path, path: Path
) -> None:
    activity_id = _import(cli, path)
    expected = figures(_stored(db_file, activity_id))
    out = _show(cli, activity_id[:8])
    assert out.startswith(f"id           {activity_id}\n")  # today's detail comes first
    splits = _section(out, "Splits")
    assert splits[0].split() == ["km", "time", "pace", "elev", "hr"]
    assert len(splits) - 1 == math.ceil(expected.distance_m / 1000) == len(expected.splits)
    efforts = _section(out, "Best efforts")
    shown = [line.rsplit(None, 5)[0].strip() for line in efforts[1:]]
    covered = [m for m in STANDARD_EFFORTS_M if m <= expected.distance_m]
    assert shown == [EFFORT_NAMES[m] for m in covered][: len(shown)]
    assert shown == [EFFORT_NAMES[e.distance_m] for e in expected.best_efforts]
    assert all(e.distance_m <= expected.distance_m for e in expected.best_efforts)
    assert re.search(r"^pace +[▁-█ ]+ +\d+:\d\d–\d+:\d\d /km$", out, re.M)
    assert re.search(r"^elevation +[▁-█ ]+ +[\d,]+–[\d,]+ m$", out, re.M)
    assert re.search(r"^heart rate +\d+ avg, \d+ max bpm$", out, re.M)
    assert all(len(line) <= 60 for line in out.split("\nTrack (", 1)[1].splitlines())


def test_imperial_splits_are_per_mile(cli: Invoke, db_file: Path) -> None:
    activity_id = _import(cli, FIT)
    assert cli("profile", "set", "--units", "imperial").exit_code == 0
    expected = figures(_stored(db_file, activity_id), unit_m=MILE_M)
    out = _show(cli, activity_id[:8])
    splits = _section(out, "Splits")
    assert splits[0].split()[:3] == ["mi", "time", "pace"]
    assert len(splits) - 1 == math.ceil(expected.distance_m / MILE_M) == 6
    assert splits[1].split()[3:5] == ["/mi", format_signed_feet(expected.splits[0])]
    assert " ft up, " in out


def format_signed_feet(split: Any) -> str:
    whole = round(split.elevation_change_m / 0.3048)
    return f"{'+' if whole > 0 else ''}{whole:,}".replace("-", "−")


def test_show_json_adds_the_track_figures(cli: Invoke, cli_json: Any, db_file: Path) -> None:
    activity_id = _import(cli, FIT)
    shown = cli_json("show", activity_id[:8])
    listed = cli_json("list")[0]
    assert shown | {"track": None} == listed | {"track": None}  # ACTIVITY as before, plus track
    track = shown["track"]
    expected = figures(_stored(db_file, activity_id)).to_json()
    assert track == expected
    product_keys = {
        "samples",
        "elevation_gain_m",
        "elevation_loss_m",
        "heart_rate_avg",
        "heart_rate_max",
        "splits",
        "best_efforts",
    }
    assert product_keys <= track.keys()
    assert track["samples"] > 2000 and len(track["splits"]) == 10
    assert set(track["splits"][0]) == {
        "index",
        "distance_m",
        "duration_s",
        "elevation_change_m",
        "heart_rate_avg",
    }
    assert set(track["best_efforts"][0]) == {"distance_m", "duration_s", "start_offset_s"}


def test_an_activity_without_a_track_shows_as_before(cli: Invoke, cli_json: Any) -> None:
    logged = cli_json("log", "run", "5k", "27:30")["activity"]
    out = _show(cli, logged["id"][:8])
    assert out.splitlines()[-1].startswith("updated ")
    assert "Track" not in out and "Splits" not in out
    assert cli_json("show", logged["id"][:8])["track"] is None
    route = cli("show", logged["id"][:8], "--route")
    assert route.exit_code == 0
    assert route.stdout == "This activity has no track: there is no route to draw.\n"


def test_route_draws_braille_within_60_by_20_in_a_pipe(cli: Invoke) -> None:
    activity_id = _import(cli, FIT)
    out = _show(cli, activity_id[:8], "--route")
    lines = out.splitlines()
    assert lines[0].startswith("run 9.01 km in 47:12")
    drawing = [line for line in lines if BRAILLE.search(line)]
    assert 5 <= len(drawing) <= 20
    assert all(len(line) <= 60 for line in drawing)
    assert lines[-2].startswith("start 58.9")
    assert lines[-1].startswith("end   58.9") and "back at the start" in lines[-1]


def test_route_fits_the_terminal(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    activity_id = _import(cli, FIT)
    screen = io.StringIO()
    monkeypatch.setattr(
        base,
        "stdout_console",
        lambda: Console(file=screen, width=50, force_terminal=True, color_system=None),
    )
    assert cli("show", activity_id[:8], "--route").exit_code == 0
    drawing = [line for line in screen.getvalue().splitlines() if BRAILLE.search(line)]
    assert drawing and max(len(line) for line in drawing) == 48  # width − 2


def test_show_fits_a_60_column_terminal(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    activity_id = _import(cli, FIT)
    screen = io.StringIO()
    monkeypatch.setattr(
        base,
        "stdout_console",
        lambda: Console(file=screen, width=60, force_terminal=True, color_system=None),
    )
    assert cli("show", activity_id[:8]).exit_code == 0
    text = screen.getvalue()
    assert "Best efforts" in text
    assert max(len(line) for line in text.splitlines()) <= 60


def test_a_track_without_positions_has_no_route(cli: Invoke, cli_json: Any) -> None:
    activity_id = _import(cli, SWIM)
    result = cli("show", activity_id[:8], "--route")
    assert result.exit_code == 0
    assert result.stdout == "This activity's track has no positions: there is no route to draw.\n"
    assert cli_json("show", activity_id[:8])["track"]["samples"] > 0


def _attach(db_file: Path, activity_id: str, track: Track) -> None:
    conn = db.connect(db_file)
    try:
        with db.write(conn):
            tracks.save_track(conn, activity_id, track, datetime.now(UTC))
    finally:
        conn.close()


def test_a_track_of_one_point(cli: Invoke, cli_json: Any, db_file: Path) -> None:
    logged = cli_json("log", "run", "5k", "27:30")["activity"]
    start = datetime(2026, 6, 1, 7, tzinfo=UTC)
    one = Track(start=start, time_s=(0.0,), lat=(46.0,), lon=(14.0,), elevation_m=(300.0,))
    _attach(db_file, logged["id"], one)
    out = _show(cli, logged["id"][:8])
    assert "Track (1 sample)" in out and "Splits" not in out and "Best efforts" not in out
    track = cli_json("show", logged["id"][:8])["track"]
    assert (track["samples"], track["splits"], track["best_efforts"]) == (1, [], [])
    route = cli("show", logged["id"][:8], "--route")
    assert route.exit_code == 0 and "no positions" in route.stdout


def test_json_and_route_together_are_a_usage_error(cli: Invoke) -> None:
    result = cli("show", "abcd", "--json", "--route")
    assert result.exit_code == 2
    assert "choose one of --json and --route" in result.stderr
    assert "Traceback" not in result.output


def test_a_damaged_stored_track_is_one_line_and_exit_1(cli: Invoke, db_file: Path) -> None:
    activity_id = _import(cli, FIT)
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE activity_track SET data = substr(data, 1, 10)")
    conn.commit()
    # The figures cached when it was saved still show; the route needs the samples.
    assert cli("show", activity_id[:8]).exit_code == 0
    result = cli("show", activity_id[:8], "--route")
    assert result.exit_code == 1 and "damaged" in result.stderr
    # Without the cache, show needs the samples too.
    conn.execute("UPDATE activity_track SET figures = NULL")
    conn.commit()
    conn.close()
    for args in ([], ["--json"], ["--route"]):
        result = cli("show", activity_id[:8], *args)
        assert result.exit_code == 1
        assert result.stdout == "" and "Traceback" not in result.stderr
        assert "damaged" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("units", ["metric", "imperial"])
@pytest.mark.parametrize("args", [[], ["--json"]])
def test_show_from_the_cache_is_show_from_the_samples(
    cli: Invoke, db_file: Path, units: str, args: list[str]
) -> None:
    activity_id = _import(cli, FIT)
    assert cli("profile", "set", "--units", units).exit_code == 0
    cached = cli("show", activity_id[:8], *args)
    conn = sqlite3.connect(db_file)
    assert conn.execute("SELECT figures IS NOT NULL FROM activity_track").fetchone() == (1,)
    conn.execute("UPDATE activity_track SET figures = NULL")
    conn.commit()
    conn.close()
    computed = cli("show", activity_id[:8], *args)
    assert cached.exit_code == computed.exit_code == 0
    if args:
        assert json.loads(cached.stdout) == json.loads(computed.stdout)
        assert json.loads(cached.stdout)["track"]["splits"]
    else:
        # The sparklines may differ by a cell (the cache reads the whole track, show without it
        # a thinned copy); everything else is the same.
        def without_sparklines(text: str) -> list[str]:
            return [line for line in text.splitlines() if not line.startswith(("pace", "elev"))]

        assert without_sparklines(cached.stdout) == without_sparklines(computed.stdout)
        assert "Splits" in cached.stdout


# summary's fastest runs


def _records(cli_json: Any) -> dict[str, dict[str, Any]]:
    return {r["record"]: r for r in cli_json("summary", "--all")["records"]}


def test_summary_takes_fastest_efforts_from_tracks(
    cli: Invoke, cli_json: Any, db_file: Path
) -> None:
    activity_id = _import(cli, FIT)
    plain = cli_json("log", "run", "12k", "1:10:00", "--start", "2026-01-10 08:00")["activity"]
    expected = {e.distance_m: e for e in figures(_stored(db_file, activity_id)).best_efforts}
    records = _records(cli_json)
    one_km = records["fastest 1 km"]
    assert (one_km["source"], one_km["activity_id"]) == ("track", activity_id)
    assert one_km["value"] == round(expected[1000.0].duration_s, 1)
    assert one_km["start_offset_s"] == round(expected[1000.0].start_offset_s, 1)
    # 10 km: the track does not cover it, so the untracked 12 km run's average holds it.
    ten = records["fastest 10 km"]
    assert (ten["source"], ten["activity_id"], ten["start_offset_s"]) == (
        "activity",
        plain["id"],
        None,
    )
    assert ten["value"] == pytest.approx(4200 / 12_000 * 10_000, abs=0.1)
    assert records["longest distance"]["source"] == "activity"
    out = cli("summary", "--all").stdout
    line = next(x for x in out.splitlines() if x.startswith("fastest 1 km"))
    assert activity_id[:8] in line and "2015-08-15" in line and "track, 19:33 in" in line
    assert "whole run" in next(x for x in out.splitlines() if x.startswith("fastest 10 km"))


def test_a_faster_average_elsewhere_still_beats_a_track(cli: Invoke, cli_json: Any) -> None:
    _import(cli, FIT)
    fast = cli_json("log", "run", "5k", "15:00", "--start", "2026-01-10 08:00")["activity"]
    record = _records(cli_json)["fastest 5 km"]
    assert (record["source"], record["activity_id"], record["value"]) == (
        "activity",
        fast["id"],
        900.0,
    )


def test_summary_fills_a_missing_figures_cache_once(
    cli: Invoke, cli_json: Any, db_file: Path
) -> None:
    activity_id = _import(cli, FIT)
    conn = sqlite3.connect(db_file)
    cached = conn.execute("SELECT best_efforts, elevation_gain_m FROM activity_track").fetchone()
    conn.execute("UPDATE activity_track SET best_efforts = NULL, elevation_gain_m = NULL")
    conn.commit()
    stamp = conn.execute("SELECT updated_at FROM activity_track").fetchone()
    conn.close()
    assert _records(cli_json)["fastest 1 km"]["source"] == "track"
    conn = sqlite3.connect(db_file)
    assert conn.execute("SELECT best_efforts, elevation_gain_m FROM activity_track").fetchone() == (
        cached
    )
    # Filling the cache is not a change of the track: sync has nothing new to push.
    assert conn.execute("SELECT updated_at FROM activity_track").fetchone() == stamp
    conn.close()
    assert json.loads(cached[0])[1]["distance_m"] == 1000.0
    assert activity_id


def test_a_damaged_figures_cache_falls_back_to_the_average(
    cli: Invoke, cli_json: Any, db_file: Path
) -> None:
    _import(cli, FIT)
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE activity_track SET best_efforts = '{not json'")
    conn.commit()
    conn.close()
    record = _records(cli_json)["fastest 1 km"]
    assert record["source"] == "activity"


def test_the_records_queries_read_no_track_and_scan_no_activity(cli: Invoke, db_file: Path) -> None:
    _import(cli, FIT)
    conn = db.connect(db_file)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        found = activities.fastest_runs(conn, None, None)
        conn.set_trace_callback(None)
        assert found[0].source == "track"
        for sql in statements:
            assert "data" not in re.findall(r"\b\w+\b", sql.split("FROM")[0])
            plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            if "activity_track" in sql:
                # The tracks lead; each one's activity is found by its key.
                assert "SCAN activity " not in plan + " " and "(id=? AND owner=?)" in plan, plan
    finally:
        conn.close()


def test_the_sparklines_of_a_thinned_track_match_the_whole_one(cli: Invoke, db_file: Path) -> None:
    from fittrack.cli.render import track as render_track
    from fittrack.core.track_figures import elevation_series, speed_series

    track = _stored(db_file, _import(cli, FIT))
    assert len(track) > render_track.SERIES_SAMPLES  # thinned here (every 2nd sample)
    speeds, elevations = render_track.series(track)
    assert speeds == pytest.approx(speed_series(track, render_track.SPARK_WIDTH), rel=0.03)
    assert elevations == elevation_series(track, render_track.SPARK_WIDTH)


def test_show_of_a_cached_track_decodes_no_samples(
    cli: Invoke, fittrack_home: Path, db_file: Path
) -> None:
    """The structure that keeps `show` of a long track as fast as any `show` (timings are in
    bench/commands.py): with the figures cached, the samples are not decoded."""
    import os
    import subprocess
    import sys

    activity_id = _import(cli, FIT)
    probe = (
        "import json, sys\n"
        "from fittrack.storage import trackcodec\n"
        "decoded = []\n"
        "real = trackcodec.decode\n"
        "trackcodec.decode = lambda data: decoded.append(len(data)) or real(data)\n"
        "from fittrack.cli.app import main\n"
        "sys.argv = ['fittrack', 'show', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(bool(decoded)), file=sys.stderr)\n"
    )
    env = {**os.environ, "FITTRACK_HOME": str(fittrack_home)}

    def decodes() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", probe, activity_id[:8]],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert "Splits" in done.stdout, done.stderr
        return bool(json.loads(done.stderr.strip().splitlines()[-1]))

    assert decodes() is False
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE activity_track SET figures = NULL")
    conn.commit()
    conn.close()
    assert decodes() is True  # the probe can tell: without the cache, show decodes


def test_show_and_summary_give_a_best_effort_the_same_time(cli: Invoke) -> None:
    # This run's fastest 5 km is 1057.47 s: kept as 1057.5 by --json and summary's records, so
    # show must say 17:38 as summary does, not 17:37.
    activity_id = _import(cli, DATA / "tcx" / "firefly__running_activity_1.tcx")
    (effort,) = [
        line for line in _section(_show(cli, activity_id[:8]), "Best efforts") if "5 km" in line
    ]
    summary = cli("summary", "--all")
    assert summary.exit_code == 0, summary.stderr
    (record,) = [line for line in summary.stdout.splitlines() if "fastest 5 km" in line]
    assert effort.split()[2] == "17:38"
    assert "17:38 (3:32 /km)" in record
    assert effort.split()[3] == "3:32"  # the pace from the same tenth of a second


def test_a_pool_swim_of_heart_rate_alone_shows_no_moving_time(cli: Invoke) -> None:
    activity_id = _import(cli, DATA / "fit" / "fitdecode__garmin-fr935-cr.fit")
    shown = _show(cli, activity_id[:8])
    track = shown[shown.index("Track (") :]
    assert "heart rate" in track
    assert "in motion" not in track  # not "0:00 of 2:05:52 elapsed"
    # A run's track says how long it was in motion, apart from the activity's own moving time.
    run = _show(cli, _import(cli, FIT)[:8])
    assert "moving time" in run[: run.index("Track (")]
    assert "in motion" in run[run.index("Track (") :]
