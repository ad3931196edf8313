"""export and import of fittrack's own CSV and JSON; failures contained per file."""

import csv
import io
import json
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

AWKWARD = 'hills, "steep"\nand cold — ünïcødé, 🏃'


@pytest.fixture
def logged(cli: Invoke, cli_json) -> list[dict]:
    """Activities logged in three zones, one with an awkward note, and a goal."""
    out = []
    for zone, when, args in [
        ("Europe/Paris", "2025-03-30 01:30", ["run", "5k", "27:30", "--note", AWKWARD]),
        ("America/New_York", "2025-11-02 01:30", ["ride", "30k", "1h"]),
        ("Asia/Kolkata", "2025-06-01 06:00", ["yoga", "45min", "--calories", "120"]),
    ]:
        assert cli("profile", "set", "--timezone", zone).exit_code == 0
        out.append(cli_json("log", *args, "--start", when)["activity"])
    cli_json("goal", "add", "20km", "--per", "week", "--type", "run", "--start", "2025-01-06")
    return out


def _fresh_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    monkeypatch.setenv("FITTRACK_HOME", str(home))
    return home


def test_csv_round_trip_is_lossless(
    cli: Invoke, cli_json, logged: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = cli("export")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [r["id"] for r in rows] == [a["id"] for a in sorted(logged, key=lambda a: a["start"])]
    assert {r["note"] for r in rows} >= {AWKWARD}
    path = tmp_path / "export.csv"
    path.write_text(exported.stdout, encoding="utf-8")
    _fresh_home(monkeypatch, tmp_path, "other")
    result = cli_json("import", str(path))
    assert (result["added"], result["skipped"], result["failed"]) == (3, 0, 0)
    imported = {a["id"]: a for a in cli_json("list")}
    assert imported == {a["id"]: a for a in logged}


def test_json_round_trip_carries_goals_and_profile(
    cli: Invoke, cli_json, logged: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "backup.json"
    result = cli("export", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported 3 activities" in result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("fittrack", 1)
    goals = cli_json("goal", "list")
    _fresh_home(monkeypatch, tmp_path, "other")
    assert cli_json("import", str(out))["added"] == 3
    assert {a["id"]: a for a in cli_json("list")} == {a["id"]: a for a in logged}
    assert cli_json("goal", "list") == goals
    assert cli_json("profile", "show")["timezone"] == "Asia/Kolkata"


def test_reimport_skips_everything_and_force_adds_copies(
    cli: Invoke, cli_json, logged: list[dict], tmp_path: Path, db_file: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(cli("export").stdout, encoding="utf-8")
    again = cli_json("import", str(path))
    assert (again["added"], again["skipped"]) == (0, 3)
    assert count_rows(db_file) == 3
    dry = cli_json("import", str(path), "--force", "--dry-run")
    assert (dry["added"], dry["dry_run"]) == (3, True)
    assert count_rows(db_file) == 3
    forced = cli_json("import", str(path), "--force")
    assert forced["added"] == 3
    assert count_rows(db_file) == 6
    assert len({a["id"] for a in cli_json("list")}) == 6


def test_near_duplicate_from_another_source_is_skipped(
    cli_json, logged: list[dict], tmp_path: Path
) -> None:
    run = logged[0]
    shifted = run["start"].replace(":30:00", ":30:40")  # 40 s later: the same run
    text = (
        "id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,note,"
        "source,created_at,updated_at\n"
        f"11111111-1111-4111-8111-111111111111,run,{shifted},{run['end']},1650,5000,300,false,"
        "280,,csv,2025-01-01T00:00:00+00:00,2025-01-01T00:00:00+00:00\n"
    )
    path = tmp_path / "near.csv"
    path.write_text(text, encoding="utf-8")
    result = cli_json("import", str(path))
    assert (result["added"], result["skipped"]) == (0, 1)


def test_export_window_and_bad_options(cli: Invoke, logged: list[dict]) -> None:
    june = cli("export", "--from", "2025-06-01", "--to", "2025-06-30")
    assert [r["type"] for r in csv.DictReader(io.StringIO(june.stdout))] == ["yoga"]
    bad = cli("export", "--format", "xml")
    assert bad.exit_code == 2
    assert "csv or json" in bad.stderr
    assert cli("export", "--from", "2025-06-30", "--to", "2025-06-01").exit_code == 2


HEADER = (
    "id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,note,"
    "source,created_at,updated_at\n"
)
GOOD_ROW = (
    "22222222-2222-4222-8222-222222222222,run,2025-05-01T07:00:00+02:00,"
    "2025-05-01T07:30:00+02:00,1800,5000,350,true,300,fine,manual,"
    "2025-05-01T05:31:00.000000+00:00,2025-05-01T05:31:00.000000+00:00\n"
)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty"),
        ("garbage.csv", bytes(range(256)) * 8, "cannot tell"),
        ("truncated.csv", (HEADER + GOOD_ROW).encode()[:-60], "row 2"),
        (
            "bad-row.csv",
            (
                HEADER + GOOD_ROW + GOOD_ROW.replace("2222", "3333").replace(",1800,", ",lots,")
            ).encode(),
            "row 3",
        ),
        ("negative.csv", (HEADER + GOOD_ROW.replace(",5000,", ",-5,")).encode(), "distance_m"),
        (
            "no-offset.csv",
            (HEADER + GOOD_ROW.replace("07:00:00+02:00", "07:00:00")).encode(),
            "offset",
        ),
        ("broken.json", b'{"format": "fittrack", "version": 1, "activities": [', "malformed"),
        ("future.json", b'{"format": "fittrack", "version": 9}', "version"),
        ("ride.gpx", b"this is not xml at all", ""),
        ("activities.csv.zip", b"PK\x03\x04 not really a zip", "zip"),
    ],
)
def test_a_broken_file_fails_alone_and_writes_nothing(
    cli: Invoke, cli_json, tmp_path: Path, db_file: Path, name: str, content: bytes, reason: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROW.replace("2222", "4444"), encoding="utf-8")
    broken = tmp_path / name
    broken.write_bytes(content)
    result = cli("import", str(broken), str(good), "--json")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout)
    assert (doc["added"], doc["failed"]) == (1, 1)
    bad = doc["files"][0]
    assert bad["path"] == str(broken)
    assert bad["failed"] == 1 and bad["added"] == 0
    assert reason in bad["error"]
    assert [a["id"][:4] for a in cli_json("list")] == ["4444"]
    assert count_rows(db_file) == 1


def test_missing_file_and_table_output(cli: Invoke, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    result = cli("import", str(good), str(tmp_path / "nope.gpx"))
    assert result.exit_code == 1
    assert "no such file" in result.stdout
    assert "Imported 1 activity from 1 file; 1 file failed." in result.stdout


def test_import_refuses_bad_options(cli: Invoke, tmp_path: Path) -> None:
    assert cli("import", "x.csv", "--format", "xls").exit_code == 2
    assert "did you mean" in cli("import", "x.gpx", "--type", "rnu").stderr
    assert cli("import").exit_code == 2


def _export_json(cli: Invoke, tmp_path: Path) -> dict:
    out = tmp_path / "e.json"
    assert cli("export", "--format", "json", "--out", str(out)).exit_code == 0
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("where", "key", "value", "reason"),
    [
        ("goal", "metric", "bogus", "metric"),
        ("goal", "period", "fortnight", "fortnight"),
        ("goal", "target", -5, "target"),
        ("profile", "units", "furlongs", "furlongs"),
        ("profile", "week_start", "someday", "someday"),
        ("profile", "timezone", "Mars/Olympus", "Mars/Olympus"),
        ("activity", "distance_m", 1e400, "distance_m"),
        ("activity", "note", ["x"], "note"),
        ("activity", "id", "not-a-uuid", "UUID"),
        ("activity", "start", "9999-12-31T23:00:00-14:00", "1900"),
        ("activity", "duration_s", 1e300, "duration"),
    ],
)
def test_a_bad_value_in_our_json_fails_the_file_and_the_log_stays_usable(
    cli: Invoke,
    cli_json,
    logged: list[dict],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    key: str,
    value: object,
    reason: str,
) -> None:
    document = _export_json(cli, tmp_path)
    target = {
        "goal": document["goals"][0],
        "profile": document["profile"],
        "activity": document["activities"][0],
    }[where]
    target[key] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")  # 1e400 is written as Infinity
    home = _fresh_home(monkeypatch, tmp_path, "other")
    result = cli("import", str(bad), "--json")
    assert result.exit_code == 1, result.output
    assert reason in json.loads(result.stdout)["files"][0]["error"]
    assert count_rows(home / "fittrack.db") == 0
    assert count_rows(home / "fittrack.db", "goal") == 0
    for command in (["status"], ["goal", "list"], ["profile", "show"], ["list"]):
        assert cli(*command).exit_code == 0, command


def test_duplicates_inside_one_file_are_caught(cli: Invoke, cli_json, tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    near = GOOD_ROW.replace("2222", "5555").replace("07:00:00+02:00", "07:00:30+02:00", 1)
    twice.write_text(HEADER + GOOD_ROW + GOOD_ROW + near, encoding="utf-8")
    into_empty = cli_json("import", str(twice))
    assert (into_empty["added"], into_empty["skipped"]) == (1, 2)
    other = tmp_path / "other.csv"
    other.write_text(
        HEADER
        + (GOOD_ROW + GOOD_ROW + near).replace("2222", "6666").replace("2025-05-01", "2025-05-02"),
        encoding="utf-8",
    )
    into_full = cli_json("import", str(other))
    assert (into_full["added"], into_full["skipped"]) == (1, 2)
    forced = cli_json("import", str(twice), "--force")
    assert (forced["added"], forced["failed"]) == (3, 0)


def test_dry_run_over_several_files_counts_like_a_real_run(
    cli: Invoke, cli_json, logged: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = tmp_path / "e.csv"
    csv_path.write_text(cli("export").stdout, encoding="utf-8")
    json_path = tmp_path / "e.json"
    cli("export", "--format", "json", "--out", str(json_path))
    _fresh_home(monkeypatch, tmp_path, "other")
    dry = cli_json("import", str(csv_path), str(json_path), "--dry-run")
    assert (dry["added"], dry["skipped"]) == (3, 3)
    real = cli_json("import", str(csv_path), str(json_path))
    assert (real["added"], real["skipped"]) == (3, 3)


def test_long_notes_and_odd_values_survive_or_fail_cleanly(
    cli: Invoke, cli_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_json("log", "run", "5k", "27:30", "--start", "2025-05-01 07:00", "--note", "x" * 200_000)
    path = tmp_path / "long.csv"
    path.write_text(cli("export").stdout, encoding="utf-8")
    _fresh_home(monkeypatch, tmp_path, "other")
    assert cli_json("import", str(path))["added"] == 1
    assert len(cli_json("list")[0]["note"]) == 200_000
    for name, row in {
        "far.csv": GOOD_ROW.replace("2025-05-01T07:00:00+02:00", "9999-12-31T23:00:00-14:00"),
        "huge.csv": GOOD_ROW.replace(",1800,", ",1e308,"),
        "inf.csv": GOOD_ROW.replace(",5000,", ",inf,"),
    }.items():
        (tmp_path / name).write_text(HEADER + row, encoding="utf-8")
        doc = json.loads(cli("import", str(tmp_path / name), "--json").stdout)
        assert doc["failed"] == 1, name


def test_a_damaged_zip_member_fails_that_zip_only(cli: Invoke, cli_json, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "runs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        z.writestr("good.csv", HEADER + GOOD_ROW)
    raw = bytearray(archive.read_bytes())
    raw[raw.index(b"fine")] = ord("F")  # the stored bytes no longer match their CRC-32
    archive.write_bytes(bytes(raw))
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROW.replace("2222", "7777"), encoding="utf-8")
    result = cli("import", str(archive), str(good), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["files"][0]["failed"] == 1
    assert "CRC" in doc["files"][0]["error"] or "Bad" in doc["files"][0]["error"]
    assert doc["files"][1]["added"] == 1


def test_piped_input_and_a_full_disk(fittrack_home: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "FITTRACK_HOME": str(fittrack_home)}
    cmd = [sys.executable, "-m", "fittrack"]
    piped = subprocess.run(
        [*cmd, "import", "/dev/stdin", "--json"],
        input=(HEADER + GOOD_ROW).encode(),
        capture_output=True,
        env=env,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["added"] == 1
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [*cmd, "export"], stdout=full, stderr=subprocess.PIPE, env=env, check=False
            )
        assert result.returncode == 1
        assert b"Traceback" not in result.stderr
        assert b"cannot write the export" in result.stderr


def test_odd_paths_and_numbers_are_refused_in_one_line(cli: Invoke, tmp_path: Path) -> None:
    for args, code in [
        (["export", "--out", ""], 2),
        (["export", "--out", str(tmp_path / ("a" * 300 + ".csv"))], 1),
        (["import", ""], 2),
        (["import", str(tmp_path / ("a" * 300 + ".csv"))], 1),
        (["goal", "add", "9" * 400 + "x", "--per", "week"], 2),
    ]:
        result = cli(*args)
        assert result.exit_code == code, (args, result.output)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), args
