"""export and import of fittrack's own CSV and JSON; failures contained per file."""

import csv
import io
import json
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

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
    assert "Added 1 activities" in result.stdout


def test_import_refuses_bad_options(cli: Invoke, tmp_path: Path) -> None:
    assert cli("import", "x.csv", "--format", "xls").exit_code == 2
    assert "did you mean" in cli("import", "x.gpx", "--type", "rnu").stderr
    assert cli("import").exit_code == 2
