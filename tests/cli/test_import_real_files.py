"""Importing every real file in shared/data through the CLI, as a person would."""

import json
from pathlib import Path

import pytest
from tests.helpers import Invoke

DATA = Path(__file__).parents[3] / "shared" / "data"
# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = [
    pytest.mark.migrated_home,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data at {DATA}"),
]

REFUSED = {
    "fitparse__activity-filecrc.fit": "bad CRC",
    "fitparse__activity-unexpected-eof.fit": "truncated",
    "fitparse__garmin-fenix-5-run-records.csv": "cannot tell",
    "gpxpy__cerknicko-without-times.gpx": "no timestamps",
    "gpxpy__gpx_with_garmin_extension.gpx": "no track",
    "gpxpy__route.gpx": "no track",
}


def test_the_whole_data_folder(cli: Invoke, cli_json) -> None:
    result = cli("import", str(DATA), "--json")
    assert result.exit_code == 1  # some files are refused, as they must be
    doc = json.loads(result.stdout)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    for name, reason in REFUSED.items():
        assert by_name[name]["failed"] == 1, name
        assert reason in by_name[name]["error"], (name, by_name[name]["error"])
    assert doc["failed"] == len(REFUSED)
    # The same run exported as TCX with and without heart rate, and the two Strava samples of
    # one person, overlap: the second copies are duplicates.
    assert (
        by_name["tcxparser__test.tcx"]["skipped"] + by_name["tcxparser__no_hr.tcx"]["skipped"] == 1
    )
    assert by_name["fitparse__sample_mulitple_header.fit"]["added"] == 3
    assert doc["added"] + doc["skipped"] == sum(f["added"] + f["skipped"] for f in doc["files"])

    activities = cli_json("list")
    assert len(activities) == doc["added"]
    elemnt = next(a for a in activities if a["start"].startswith("2019-02-17"))
    assert (elemnt["type"], elemnt["source"]) == ("ride", "fit")
    assert (elemnt["duration_s"], elemnt["distance_m"]) == (13471.0, 78940.55)
    assert (elemnt["calories_kcal"], elemnt["calories_estimated"]) == (1724.0, False)
    triathlon = sorted(
        (a for a in activities if a["start"].startswith("2018-05-27")), key=lambda a: a["start"]
    )
    assert [a["type"] for a in triathlon] == ["open-water-swim", "ride", "run"]

    again = json.loads(cli("import", str(DATA), "--json").stdout)
    assert again["added"] == 0
    assert again["skipped"] == doc["added"] + doc["skipped"]
    assert len(cli_json("list")) == doc["added"]


def test_dry_run_of_the_folder_writes_nothing(cli: Invoke, cli_json) -> None:
    doc = json.loads(cli("import", str(DATA / "fit"), "--dry-run", "--json").stdout)
    assert doc["added"] == 10
    assert cli_json("list") == []


def test_type_for_files_without_a_sport(cli: Invoke, cli_json) -> None:
    result = cli("import", str(DATA / "gpx" / "gpxpy__cerknicko-jezero.gpx"), "--type", "hike")
    assert result.exit_code == 0, result.output
    (hike,) = cli_json("list")
    assert hike["type"] == "hike"
    assert hike["distance_m"] == pytest.approx(4580.1, rel=0.005)
    assert hike["calories_estimated"] is True


def test_wrong_extensions(cli: Invoke, cli_json, tmp_path: Path) -> None:
    gpx_as_fit = tmp_path / "ride.fit"
    gpx_as_fit.write_bytes((DATA / "gpx" / "gpxgo__file.gpx").read_bytes())
    fit_as_txt = tmp_path / "run.dat"
    fit_as_txt.write_bytes((DATA / "fit" / "fitparse__garmin-fenix-5-run.fit").read_bytes())
    doc = json.loads(cli("import", str(gpx_as_fit), str(fit_as_txt), "--json").stdout)
    first, second = doc["files"]
    assert first["failed"] == 1 and "not a FIT file" in first["error"]
    assert second["added"] == 1  # recognised by its header, whatever its name
    assert [a["type"] for a in cli_json("list")] == ["run"]


def test_entity_expansion_is_refused_quickly(cli: Invoke, cli_json, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gpx"
    entities = "".join(
        f'<!ENTITY e{i} "{"&e" + str(i - 1) + ";" * 1}{"&e" + str(i - 1) + ";"}">'
        for i in range(1, 30)
    )
    bomb.write_text(
        f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY e0 "lol">{entities}]>'
        '<gpx version="1.1"><trk><name>&e29;</name></trk></gpx>',
        encoding="utf-8",
    )
    doc = json.loads(cli("import", str(bomb), "--json").stdout)
    assert doc["failed"] == 1
    assert "refused" in doc["files"][0]["error"]
    assert cli_json("list") == []


def test_type_is_for_files_without_a_sport_and_says_so_when_unused(cli: Invoke, cli_json) -> None:
    named = cli("import", "--type", "ride", str(DATA / "tcx" / "tcxparser__test.tcx"))
    assert named.exit_code == 0, named.stderr
    assert "the file names its sport (run): --type ride not used" in named.stdout
    unnamed = cli("import", "--type", "ride", str(DATA / "gpx" / "gpxpy__cerknicko-jezero.gpx"))
    assert unnamed.exit_code == 0, unnamed.stderr
    assert "not used" not in unnamed.stdout + unnamed.stderr
    assert sorted(a["type"] for a in cli_json("list")) == ["ride", "run"]
    # The same type as the file's: nothing to say.
    same = cli("import", "--type", "run", str(DATA / "tcx" / "firefly__running_activity_1.tcx"))
    assert "not used" not in same.stdout + same.stderr
