"""The profile's body figures (``profile set --birth-date --sex --height --resting-hr --max-hr``)
and the calories that use them: every activity says its ``calories_method``."""

import json
import re
import sqlite3
from pathlib import Path

import pytest
from tests.helpers import Invoke, count_rows

from fittrack.core.calories import KEYTEL, KJ_PER_KCAL
from fittrack.core.track_figures import figures
from fittrack.formats import tcx

# Each test starts with an empty log at the newest schema, copied (tests/conftest.py); those
# marked fresh_home start, as a new person's would, with an empty folder.
pytestmark = pytest.mark.migrated_home

DATA = Path(__file__).parents[3] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data at {DATA}")

FULL = (
    "--weight",
    "60kg",
    "--birth-date",
    "1990-05-01",
    "--sex",
    "female",
    "--height",
    "168cm",
)


def test_set_show_and_json_each_flag(cli: Invoke, cli_json) -> None:
    shown = cli_json(
        "profile",
        "set",
        "--birth-date",
        "1990-05-01",
        "--sex",
        "F",
        "--height",
        "5ft6",
        "--resting-hr",
        "52",
        "--max-hr",
        "188bpm",
    )
    assert (shown["birth_date"], shown["sex"], shown["height_cm"]) == (
        "1990-05-01",
        "female",
        167.6,
    )
    assert (shown["resting_hr"], shown["max_hr"]) == (52, 188)
    assert cli_json("profile", "show") == shown
    text = cli("profile").stdout
    for words in ("1990-05-01", "female", "167.6 cm", "52 bpm", "188 bpm"):
        assert words in text
    # Only what is given changes; "none" unsets one.
    shown = cli_json("profile", "set", "--height", "none")
    assert (shown["height_cm"], shown["sex"], shown["max_hr"]) == (None, "female", 188)
    assert "height       not set" in cli("profile").stdout


def test_imperial_shows_the_height_in_feet_and_inches(cli: Invoke) -> None:
    assert cli("profile", "set", "--height", "180cm", "--units", "imperial").exit_code == 0
    assert "5′11″ (180 cm)" in cli("profile").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--birth-date", "1990-13-01"], "is not a date"),
        (["--birth-date", "2999-01-01"], "in the future"),
        (["--birth-date", "1800-01-01"], "gives an age of"),
        (["--sex", "other"], "female or male"),
        (["--height", "168"], "with its unit"),
        (["--height", "400cm"], "impossible"),
        (["--resting-hr", "fast"], "resting heart rate 'fast'"),
        (["--max-hr", "400"], "maximum heart rate 400 bpm is impossible"),
        (["--resting-hr", "190", "--max-hr", "180"], "not below the maximum"),
    ],
)
def test_bad_body_values_are_one_line_exit_2_and_write_nothing(
    cli: Invoke, db_file: Path, args: list[str], message: str
) -> None:
    result = cli("profile", "set", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert count_rows(db_file, "profile") == 0


def test_a_bad_value_leaves_a_saved_profile_as_it_was(cli: Invoke, cli_json) -> None:
    cli_json("profile", "set", "--max-hr", "180")
    before = cli_json("profile", "show")
    assert cli("profile", "set", "--sex", "f", "--resting-hr", "185").exit_code == 2
    assert cli_json("profile", "show") == before


def test_undo_of_a_body_change(cli: Invoke, cli_json) -> None:
    cli_json("profile", "set", "--height", "168cm")
    cli_json("profile", "set", "--height", "172cm", "--sex", "male")
    undone = cli("undo")
    assert undone.exit_code == 0, undone.output
    assert "height 172.0" in undone.stdout
    shown = cli_json("profile", "show")
    assert (shown["height_cm"], shown["sex"]) == (168.0, None)


def test_without_the_body_figures_the_estimate_is_the_plain_met(cli_json) -> None:
    logged = cli_json("log", "run", "5k", "27:30", "--start", "2026-11-20 07:00")["activity"]
    # MET 10.5 (run at 10.9 km/h) × 70 kg × 1650/3600 h
    assert (logged["calories_kcal"], logged["calories_method"]) == (336.9, "met")


def test_a_full_profile_gives_corrected_mets(cli: Invoke, cli_json) -> None:
    cli_json("profile", "set", *FULL)
    plain = cli_json("log", "run", "5k", "27:30", "--start", "2026-11-19 07:00")["activity"]
    assert plain["calories_method"] == "met_corrected"
    # Harris-Benedict revised, woman of 36 (on 2026-11-19), 60 kg, 168 cm: 1366.997 kcal/day;
    # × MET 10.5 ÷ 24 × 1650/3600 h = 274.1 kcal (the plain estimate: 10.5 × 60 × 0.4583 = 288.8).
    assert plain["calories_kcal"] == 274.1
    assert plain["calories_estimated"] is True
    assert plain["workload"] == 288.8  # workload is the plain MET's, whatever the method
    shown = cli("show", plain["id"][:8]).stdout
    assert "274 kcal (estimated from MET and your resting rate)" in shown


def test_show_says_a_plain_estimate_and_nothing_after_given_calories(cli: Invoke, cli_json) -> None:
    estimated = cli_json("log", "run", "5k", "27:30")["activity"]
    given = cli_json("log", "yoga", "45min", "--calories", "150")["activity"]
    assert "kcal (estimated from MET)\n" in cli("show", estimated["id"][:8]).stdout
    assert "150 kcal\n" in cli("show", given["id"][:8]).stdout


def test_the_age_is_taken_on_the_day_of_the_activity(cli_json) -> None:
    cli_json("profile", "set", *FULL)
    # The day before and on the 36th birthday: a year older burns 4.33 kcal/day less at rest.
    before = cli_json("log", "run", "5k", "27:30", "--start", "2026-04-30 07:00")["activity"]
    after = cli_json("log", "run", "5k", "27:30", "--start", "2026-05-01 07:00")["activity"]
    assert after["calories_kcal"] < before["calories_kcal"]


def test_given_calories_stay_given(cli_json) -> None:
    cli_json("profile", "set", *FULL)
    logged = cli_json("log", "yoga", "45min", "--calories", "150")["activity"]
    assert (logged["calories_kcal"], logged["calories_method"]) == (150.0, "given")
    edited = cli_json("edit", logged["id"][:8], "50min")["activity"]
    assert (edited["calories_kcal"], edited["calories_method"]) == (150.0, "given")


def test_edit_estimates_again_with_the_profile(cli_json) -> None:
    logged = cli_json("log", "run", "5k", "27:30", "--start", "2026-11-19 07:00")["activity"]
    assert logged["calories_method"] == "met"
    cli_json("profile", "set", *FULL)
    edited = cli_json("edit", logged["id"][:8], "5.0k")[
        "activity"
    ]  # same numbers: nothing to estimate
    assert edited["calories_method"] == "met"
    edited = cli_json("edit", logged["id"][:8], "27:31")["activity"]
    assert edited["calories_method"] == "met_corrected"


def test_an_old_row_without_a_method_reads_as_given_or_met(
    cli: Invoke, cli_json, db_file: Path
) -> None:
    estimated = cli_json("log", "run", "5k", "27:30")["activity"]
    given = cli_json("log", "yoga", "45min", "--calories", "150")["activity"]
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE activity SET calories_method = NULL")
    methods = {a["id"]: a["calories_method"] for a in cli_json("list")}
    assert methods == {estimated["id"]: "met", given["id"]: "given"}
    assert cli_json("show", given["id"][:8])["calories_method"] == "given"
    exported = cli("export", "--format", "csv").stdout.splitlines()
    column = exported[0].split(",").index("calories_method")
    assert sorted(line.split(",")[column] for line in exported[1:]) == ["given", "met"]


def _tcx_without_calories(tmp_path: Path) -> Path:
    """tcxparser's run (real heart rate) without its laps' <Calories>: nothing given, so the
    estimate is fittrack's."""
    text = (DATA / "tcx" / "tcxparser__test.tcx").read_text(encoding="utf-8")
    stripped, count = re.subn(r"<Calories>\d+</Calories>", "", text)
    assert count == 3
    path = tmp_path / "run.tcx"
    path.write_text(stripped, encoding="utf-8")
    return path


@needs_data
def test_an_imported_heart_rate_track_gives_heart_rate_calories(
    cli: Invoke, cli_json, tmp_path: Path
) -> None:
    path = _tcx_without_calories(tmp_path)
    cli_json("profile", "set", *FULL)
    assert cli("import", str(path)).exit_code == 0
    (activity,) = cli_json("list")
    assert activity["calories_method"] == "heart_rate"
    # Keytel et al. 2005 for a woman of 22 (on 2012-12-26), 60 kg, at the track's average HR.
    (item,) = tcx.parse(path.read_bytes(), path.name)
    assert item.track is not None
    hr = figures(item.track).heart_rate_avg
    assert hr is not None and hr >= 90
    a, b, c, d = KEYTEL["female"]
    per_minute = (a + b * hr + c * 60 + d * 22) / KJ_PER_KCAL
    assert activity["calories_kcal"] == pytest.approx(
        per_minute * activity["duration_s"] / 60, abs=0.06
    )
    # `show` says how they were had, as the JSON does.
    assert "kcal (estimated from heart rate)" in cli("show", activity["id"][:8]).stdout


@needs_data
def test_an_imported_file_without_a_profile_keeps_the_plain_estimate(
    cli: Invoke, cli_json, tmp_path: Path
) -> None:
    assert cli("import", str(_tcx_without_calories(tmp_path))).exit_code == 0
    (activity,) = cli_json("list")
    assert activity["calories_method"] == "met"


@needs_data
def test_a_device_calorie_value_stays_given(cli: Invoke, cli_json) -> None:
    cli_json("profile", "set", *FULL)
    assert cli("import", str(DATA / "tcx" / "tcxparser__test.tcx")).exit_code == 0
    (activity,) = cli_json("list")
    assert (activity["calories_kcal"], activity["calories_method"]) == (379.0, "given")


def test_json_backup_round_trip_keeps_profile_and_methods(
    cli: Invoke, cli_json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_json(
        "profile", "set", *FULL, "--resting-hr", "50", "--max-hr", "190", "--tz", "Europe/Paris"
    )
    cli_json("log", "run", "5k", "27:30", "--start", "2026-11-19 07:00")
    cli_json("log", "yoga", "45min", "--calories", "150", "--start", "2026-11-18 07:00")
    first = tmp_path / "first.json"
    assert cli("export", "--format", "json", "--out", str(first)).exit_code == 0
    doc = json.loads(first.read_text())
    assert doc["profile"]["birth_date"] == "1990-05-01"
    assert doc["profile"]["max_hr"] == 190
    assert sorted(a["calories_method"] for a in doc["activities"]) == ["given", "met_corrected"]

    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "fresh"))
    assert cli("import", str(first)).exit_code == 0
    assert cli_json("profile", "show")["height_cm"] == 168.0
    second = tmp_path / "second.json"
    assert cli("export", "--format", "json", "--out", str(second)).exit_code == 0
    again = json.loads(second.read_text())
    doc.pop("exported_at")
    again.pop("exported_at")
    assert again == doc


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"sex": "x"}, "female or male"),
        ({"height_cm": "tall"}, "height"),
        ({"height_cm": 999}, "impossible"),
        ({"birth_date": "1990-02-30"}, "not a date"),
        ({"resting_hr": 52.5}, "whole number"),
        ({"resting_hr": 190, "max_hr": 180}, "not below the maximum"),
    ],
)
def test_a_backup_with_a_bad_body_figure_is_refused(
    cli: Invoke, db_file: Path, tmp_path: Path, profile: dict[str, object], message: str
) -> None:
    doc = {
        "format": "fittrack",
        "version": 1,
        "exported_at": "2026-11-20T10:00:00+00:00",
        "profile": {"weight_kg": 60, "units": "metric", "week_start": "monday", **profile},
        "types": [],
        "goals": [],
        "activities": [],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert count_rows(db_file, "profile") == 0


def test_a_backup_activity_with_an_unknown_method_is_refused(
    cli: Invoke, cli_json, db_file: Path, tmp_path: Path
) -> None:
    cli_json("log", "run", "5k", "27:30", "--start", "2026-11-19 07:00")
    out = tmp_path / "b.json"
    assert cli("export", "--format", "json", "--out", str(out)).exit_code == 0
    doc = json.loads(out.read_text())
    doc["activities"][0]["calories_method"] = "guess"
    doc["activities"][0]["id"] = "00000000-0000-4000-8000-000000000009"
    out.write_text(json.dumps(doc))
    result = cli("import", str(out), "--force")
    assert result.exit_code == 1
    assert "'calories_method' must be one of" in result.output
    assert count_rows(db_file) == 1
