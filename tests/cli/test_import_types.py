"""What imports do with activity types: the JSON backup carries them, unknown ones are kept under
their own name, and rows faster than their type allows are reported rather than stored."""

import json
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

HEADER = (
    "id,type,start,end,duration_s,distance_m,calories_kcal,calories_estimated,workload,note,"
    "source,created_at,updated_at\n"
)


def _row(n: int, kind: str, day: int = 1, seconds: int = 3600, metres: str = "") -> str:
    """A row of our CSV: activity ``n`` of ``kind`` on day ``day`` of May 2025."""
    end_minutes = seconds // 60
    return (
        f"{n:08d}-2222-4222-8222-222222222222,{kind},2025-05-{day:02d}T07:00:00+00:00,"
        f"2025-05-{day:02d}T{7 + end_minutes // 60:02d}:{end_minutes % 60:02d}:{seconds % 60:02d}"
        f"+00:00,{seconds},{metres},350,true,300,,csv,"
        "2025-05-01T05:31:00.000000+00:00,2025-05-01T05:31:00.000000+00:00\n"
    )


def _fresh_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    monkeypatch.setenv("FITTRACK_HOME", str(home))
    return home


def _custom(cli_json) -> dict[str, dict]:
    return {t["slug"]: t for t in cli_json("types", "list") if not t["builtin"]}


# ---- 1. the JSON backup carries everything -------------------------------------------------


@pytest.fixture
def backup(cli: Invoke, cli_json, tmp_path: Path) -> Path:
    """A log with two custom types, goals (one paused) and a profile, exported as JSON."""
    for args in [
        ["types", "add", "climbing", "--met", "5.8", "--alias", "bouldering"],
        ["types", "add", "padel", "--met", "7.3"],
        ["profile", "set", "--weight", "64kg", "--timezone", "Europe/Vienna", "--units",
         "imperial", "--week-start", "sunday"],
        ["log", "climbing", "1h30m", "--start", "2025-05-01 18:00", "--note", "Gym ✓"],
        ["log", "padel", "1h", "--start", "2025-05-02 19:00"],
        ["log", "run", "5k", "27:30", "--start", "2025-05-03 07:00"],
    ]:  # fmt: skip
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    cli_json("goal", "add", "3h", "--per", "week", "--type", "climbing", "--start", "2025-04-28")
    paused = cli_json("goal", "add", "20km", "--per", "month", "--start", "2025-04-01")
    cli_json("goal", "pause", paused["id"][:8])
    out = tmp_path / "backup.json"
    assert cli("export", "--format", "json", "--out", str(out)).exit_code == 0
    return out


def _without_stamp(text: str) -> str:
    document = json.loads(text)
    del document["exported_at"]
    return json.dumps(document, indent=1, ensure_ascii=False)


def test_a_backup_imported_into_a_fresh_home_exports_the_same_document(
    cli: Invoke, cli_json, backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = backup.read_text(encoding="utf-8")
    document = json.loads(original)
    assert [t["slug"] for t in document["types"]] == ["climbing", "padel"]
    assert document["types"][0] == {
        "slug": "climbing",
        "name": "Climbing",
        "met": 5.8,
        "aliases": ["bouldering"],
        "tracks_distance": True,
        "max_speed_mps": None,
        "figure": "pace",
    }
    assert [g["paused"] for g in document["goals"]] == [False, True]
    assert document["goals"][1]["pauses"][0][1] is None  # paused, not yet resumed
    assert document["profile"]["weight_kg"] == 64

    _fresh_home(monkeypatch, tmp_path, "fresh")
    imported = cli("import", str(backup))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines()[-1] == (
        "Imported 3 activities from 1 file with 2 goals, 2 types and the profile."
    )
    assert "unknown" not in imported.output
    again = tmp_path / "again.json"
    assert cli("export", "--format", "json", "--out", str(again)).exit_code == 0
    assert _without_stamp(again.read_text(encoding="utf-8")) == _without_stamp(original)
    # and what the backup brought works: the type resolves by its alias, with its own MET
    assert cli_json("log", "bouldering", "1h")["activity"]["type"] == "climbing"
    assert _custom(cli_json)["climbing"]["met"] == 5.8


def test_importing_the_same_types_again_changes_nothing(
    cli: Invoke, cli_json, backup: Path
) -> None:
    before = _custom(cli_json)
    result = cli_json("import", str(backup))
    assert (result["added"], result["skipped"]) == (0, 3)
    assert result["files"][0]["warnings"] == []
    assert result["files"][0]["brought"] == {}
    assert _custom(cli_json) == before


def test_a_conflicting_type_keeps_the_one_here_and_says_so(
    cli: Invoke, cli_json, backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(backup.read_text(encoding="utf-8"))
    _fresh_home(monkeypatch, tmp_path, "fresh")
    assert cli("types", "add", "climbing", "--met", "8").exit_code == 0
    assert cli("types", "add", "tennis", "--met", "7", "--alias", "padel-tennis").exit_code == 0
    document["types"][1]["aliases"] = ["padel-tennis", "paddle"]  # one alias taken here
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(document), encoding="utf-8")
    result = cli_json("import", str(mixed))
    assert result["files"][0]["warnings"] == [
        "the backup's type 'climbing' differs from yours (MET 8 here, 5.8 in the backup; "
        "aliases none here, bouldering in the backup): kept yours",
        "the alias 'padel-tennis' of the backup's type 'padel' is already a name here: left out",
    ]
    assert result["files"][0]["brought"]["types"] == 1
    types = _custom(cli_json)
    assert types["climbing"]["met"] == 8
    assert types["padel"]["aliases"] == ["paddle"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"types": {"slug": "x"}}, '"types" is not a list'),
        ({"types": [{"slug": "9lives", "met": 5}]}, "'9lives' cannot be an activity type name"),
        ({"types": [{"slug": "ok", "met": 99}]}, "MET 99 is outside 1–25"),
        ({"types": [{"slug": "ok", "met": "5"}]}, "'met' must be a positive number"),
        ({"types": [{"slug": "ok", "met": 5, "figure": "knots"}]}, "unknown figure 'knots'"),
        ({"types": [{"slug": "ok", "met": 5, "aliases": "a"}]}, "'aliases' is not a list"),
        ({"types": [{"slug": "ok", "met": 5, "max_speed_mps": 0}]}, "'max_speed_mps' must be"),
        ({"types": [{"slug": "ok", "met": 5, "tracks_distance": "y"}]}, "true or false"),
        ({"types": [{"met": 5}]}, "type 1 has no 'slug'"),
        ({"types": ["climbing"]}, "type 1 is not an object"),
    ],
)
def test_a_malformed_type_fails_the_backup_and_writes_nothing(
    cli: Invoke,
    backup: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: dict,
    reason: str,
) -> None:
    document = json.loads(backup.read_text(encoding="utf-8"))
    document.update(change)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    home = _fresh_home(monkeypatch, tmp_path, "fresh")
    result = cli("import", str(bad), "--json")
    assert result.exit_code == 1, result.output
    assert reason in json.loads(result.stdout)["files"][0]["error"]
    for table in ("activity", "activity_type", "goal", "profile"):
        assert count_rows(home / "fittrack.db", table) == 0, table


# ---- 2. an unknown type keeps its name ---------------------------------------------------


GARMIN = (
    "Activity Type,Date,Distance,Time\n"
    "Tennis,2024-06-01 17:00:00,--,01:30:00\n"
    "Running,2024-06-02 09:00:00,10.0,00:50:00\n"
)
STRAVA = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Elapsed Time,"
    "Moving Time,Distance\n"
    '1,"Jun 3, 2024, 5:00:00 PM",Sailing,Sail,3600,12.5,3600,3600,12500.0\n'
)
GPX = (
    '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
    "<type>Rock Climbing</type><trkseg>"
    '<trkpt lat="45.0" lon="14.0"><time>2024-06-04T10:00:00Z</time></trkpt>'
    '<trkpt lat="45.001" lon="14.0"><time>2024-06-04T11:00:00Z</time></trkpt>'
    "</trkseg></trk></gpx>"
)


@pytest.mark.parametrize(
    ("name", "content", "slug"),
    [
        ("ours.csv", HEADER + _row(1, "Climbing"), "climbing"),
        ("Activities.csv", GARMIN, "tennis"),
        ("activities.csv", STRAVA, "sail"),
        ("crag.gpx", GPX, "rock-climbing"),
    ],
)
def test_an_unknown_type_becomes_a_new_type_with_the_met_of_other(
    cli: Invoke, cli_json, tmp_path: Path, name: str, content: str, slug: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert f"New type '{slug}' (MET 5.0 of 'other'; see `fittrack types list`)" in result.stdout
    assert "imported as 'other'" not in result.output
    assert _custom(cli_json)[slug]["met"] == 5.0
    assert slug in {a["type"] for a in cli_json("list")}
    # a second file of the same sport uses the type now there, and adds none
    again = cli_json("import", str(path), "--force")
    assert again["files"][0]["new_types"] == []
    assert len(_custom(cli_json)) == 1


def test_a_new_type_goes_with_its_file_when_the_file_fails(
    cli: Invoke, cli_json, tmp_path: Path, db_file: Path
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + _row(1, "climbing") + _row(2, "run").replace("3600", "lots"))
    good = tmp_path / "good.csv"
    good.write_text(HEADER + _row(3, "run", day=5), encoding="utf-8")
    result = cli("import", str(broken), str(good), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert [f["new_types"] for f in doc["files"]] == [[], []]
    assert count_rows(db_file, "activity_type") == 0
    assert count_rows(db_file) == 1
    # in the same run, a later file with that sport still gets its type
    later = tmp_path / "later.csv"
    later.write_text(HEADER + _row(4, "climbing", day=6), encoding="utf-8")
    result = cli("import", str(broken), str(later), "--json")
    assert json.loads(result.stdout)["files"][1]["new_types"] == ["climbing"]
    assert count_rows(db_file, "activity_type") == 1


def test_a_dry_run_adds_no_type(cli: Invoke, tmp_path: Path, db_file: Path) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(HEADER + _row(1, "climbing"), encoding="utf-8")
    result = cli("import", str(path), "--dry-run")
    assert result.exit_code == 0
    assert "New type 'climbing'" in result.stdout
    assert count_rows(db_file, "activity_type") == 0


@pytest.mark.parametrize(
    ("kind", "slug", "warning"),
    [
        ("Rock Climbing", "rock-climbing", None),
        ("Ski (alpin)", "ski-alpin", None),
        ("Équitation", "equitation", None),
        ("RUNNING", "run", None),  # an alias in other clothes is the built-in type
        ("9999", "other", "unknown activity type '9999' cannot be a type name"),
        ("攀岩", "other", "unknown activity type '攀岩' cannot be a type name"),
    ],
)
def test_type_names_are_made_slugs_or_become_other_with_a_warning(
    cli_json, tmp_path: Path, kind: str, slug: str, warning: str | None
) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(HEADER + _row(1, kind), encoding="utf-8")
    doc = cli_json("import", str(path))
    assert doc["added"] == 1
    assert [a["type"] for a in cli_json("list")] == [slug]
    warnings = doc["files"][0]["warnings"]
    assert (warnings == []) if warning is None else any(warning in w for w in warnings)


# ---- 3. implausible speeds are reported ---------------------------------------------------


def test_an_implausibly_fast_row_is_skipped_with_its_file_and_row_unless_forced(
    cli: Invoke, cli_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        _row(1, "run", day=1, seconds=1650, metres="5000"),
        _row(2, "run", day=2, seconds=65, metres="12000"),  # "12k 1:05": 664.6 km/h
        _row(3, "swim", day=3, seconds=60, metres="1500"),  # 90 km/h in the pool
        _row(4, "yoga", day=4, seconds=60, metres="1500"),  # yoga has no top speed
    ]
    path = tmp_path / "fast.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("import", "fast.csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        "fast.csv: row 2 (2025-05-02 07:00): 664.6 km/h is beyond run's plausible 40 km/h; "
        "skipped (--force imports it)"
    ) in lines
    assert any(
        line.startswith("fast.csv: row 3 ") and "swim's plausible 10" in line for line in lines
    )
    assert lines[-1] == "Imported 2 activities from 1 file; 2 skipped (implausible speed)."
    assert sorted(a["id"][:8] for a in cli_json("list")) == ["00000001", "00000004"]
    doc = cli_json("import", "fast.csv", "--force")  # the two there again, and the two fast ones
    assert (doc["added"], doc["skipped"], doc["files"][0]["skipped_rows"]) == (4, 0, [])
    assert len(cli_json("list")) == 6


def test_implausible_rows_from_a_watch_file_are_reported_too(cli: Invoke, tmp_path: Path) -> None:
    fast = GPX.replace("Rock Climbing", "Running").replace("11:00:00", "10:00:05")  # 111 m in 5 s
    path = tmp_path / "fast.gpx"
    path.write_text(fast, encoding="utf-8")
    result = cli("import", str(path), "--json")
    doc = json.loads(result.stdout)
    assert (doc["added"], doc["skipped"]) == (0, 1)
    assert "row 1 (2024-06-04" in doc["files"][0]["skipped_rows"][0]
    assert "80.2 km/h is beyond run's plausible 40 km/h" in doc["files"][0]["skipped_rows"][0]


def test_a_failed_backup_takes_its_types_with_it_and_later_files_still_get_theirs(
    cli: Invoke, cli_json, backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(backup.read_text(encoding="utf-8"))
    broken = dict(document["activities"][-1], id="99999999-9999-4999-8999-999999999999")
    broken["end"] = "2025-01-01T00:00:00+00:00"  # before its start: fails after the climbing ones
    document["activities"].append(broken)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    later = tmp_path / "later.csv"
    later.write_text(HEADER + _row(7, "climbing", day=20), encoding="utf-8")
    _fresh_home(monkeypatch, tmp_path, "fresh")
    doc = json.loads(cli("import", str(bad), str(later), "--json").stdout)
    assert [f["failed"] for f in doc["files"]] == [1, 0]
    assert doc["files"][1]["new_types"] == ["climbing"]  # the backup's was rolled back
    assert _custom(cli_json)["climbing"]["met"] == 5.0
    assert [a["type"] for a in cli_json("list")] == ["climbing"]


def test_a_backup_is_restored_as_it_was_even_an_implausible_activity(
    cli_json, backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(backup.read_text(encoding="utf-8"))
    run = next(a for a in document["activities"] if a["type"] == "run")
    run["distance_m"], run["duration_s"] = 12000.0, 65.0  # logged with --force: 664.6 km/h
    fast = tmp_path / "fast.json"
    fast.write_text(json.dumps(document), encoding="utf-8")
    _fresh_home(monkeypatch, tmp_path, "fresh")
    doc = cli_json("import", str(fast))
    assert (doc["added"], doc["skipped"], doc["files"][0]["skipped_rows"]) == (3, 0, [])
    assert {a["id"]: a["duration_s"] for a in cli_json("list")}[run["id"]] == 65.0
