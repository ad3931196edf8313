"""Activity types: the built-in table, speed bands, lookup and new-type validation."""

import math
import re

import pytest

from fittrack.core.activity_types import (
    BUILTIN_TYPES,
    KMH_PER_MPH,
    ActivityType,
    met_for,
    resolve_type,
    validate_new_type,
)
from fittrack.errors import UsageError

TYPES = {t.slug: t for t in BUILTIN_TYPES}


def distance_for(speed_kmh: float, duration_s: float) -> float:
    """The distance in metres covered at ``speed_kmh`` over ``duration_s`` seconds."""
    return speed_kmh / 3.6 * duration_s


def mph(speed: float) -> float:
    return speed * KMH_PER_MPH


# --- the built-in table -------------------------------------------------------------------------


def test_expected_types_are_built_in() -> None:
    expected = {"run", "walk", "hike", "ride", "swim", "row", "elliptical", "strength", "yoga"}
    assert expected | {"hiit", "other"} <= set(TYPES)


def test_names_are_lowercase_valid_slugs_and_unique() -> None:
    seen: dict[str, str] = {}
    for t in BUILTIN_TYPES:
        assert t.builtin
        for name in (t.slug, *t.aliases):
            assert re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name), name
            normal = name.replace("_", "-")
            assert normal not in seen, f"{name} in {t.slug} and {seen.get(normal)}"
            seen[normal] = t.slug


@pytest.mark.parametrize("t", BUILTIN_TYPES, ids=lambda t: t.slug)
def test_table_is_well_formed(t: ActivityType) -> None:
    assert re.fullmatch(r"2024 \d{5}", t.compendium)
    assert 1.0 <= t.met <= 25.0
    assert t.name
    lowers = [lower for lower, _ in t.speed_bands]
    assert lowers == sorted(lowers)
    assert len(set(lowers)) == len(lowers)
    assert all(1.0 <= met <= 25.0 for _, met in t.speed_bands)
    if t.speed_bands:
        assert t.tracks_distance


@pytest.mark.parametrize(
    ("slug", "met", "code"),
    [
        ("run", 8.0, "2024 12150"),
        ("walk", 3.5, "2024 17160"),
        ("ride", 7.0, "2024 01014"),
        ("swim", 5.8, "2024 18240"),
        ("yoga", 2.3, "2024 02175"),
        ("strength", 3.5, "2024 02054"),
        ("elliptical", 5.0, "2024 02048"),
        ("other", 5.0, "2024 02061"),
    ],
)
def test_general_met_and_citation(slug: str, met: float, code: str) -> None:
    assert TYPES[slug].met == met
    assert TYPES[slug].compendium == code


@pytest.mark.parametrize(
    ("slug", "tracks"),
    [("run", True), ("ride", True), ("swim", True), ("row", True)]
    + [(s, False) for s in ("yoga", "strength", "hiit", "pilates", "elliptical", "stairs")],
)
def test_tracks_distance(slug: str, tracks: bool) -> None:
    assert TYPES[slug].tracks_distance is tracks


def test_speed_bands_only_where_the_compendium_has_speeds() -> None:
    assert {t.slug for t in BUILTIN_TYPES if t.speed_bands} == {"run", "walk", "ride", "swim"}


# --- met_for: the worked test vectors from MET.md, through a real distance and duration ----------

MET_VECTORS = [
    # (case, slug, speed km/h or None, duration_s, expected MET)
    ("run 6-6.3 mph 30 min", "run", mph(6.1), 1800, 9.3),
    ("bike 12-13.9 mph 1 h", "ride", mph(13.0), 3600, 8.0),
    ("Hatha yoga 1 h", "yoga", None, 3600, 2.3),
    ("weights 8-15 reps 45 min", "strength", None, 2700, 3.5),
    ("brisk walk 3.5 mph 45 min", "walk", mph(3.5), 2700, 4.8),
    ("elliptical 45 min", "elliptical", None, 2700, 5.0),
]


@pytest.mark.parametrize(
    ("slug", "speed_kmh", "duration_s", "met"),
    [v[1:] for v in MET_VECTORS],
    ids=[v[0] for v in MET_VECTORS],
)
def test_met_vectors(slug: str, speed_kmh: float | None, duration_s: float, met: float) -> None:
    distance = None if speed_kmh is None else distance_for(speed_kmh, duration_s)
    assert met_for(TYPES[slug], distance, duration_s) == met


# --- met_for: band edges ------------------------------------------------------------------------

EDGES = [
    # (case, slug, speed km/h, expected MET)
    ("run on a lower bound 5.0 mph", "run", mph(5.0), 8.5),
    ("run on the 6 mph bound", "run", mph(6.0), 9.3),
    ("run just below 5.0 mph", "run", mph(4.99), 7.8),
    ("run in the 4.8-5.0 gap", "run", mph(4.9), 7.8),
    ("run in the 4.2-4.3 gap", "run", mph(4.25), 6.5),
    ("run below the lowest band", "run", mph(3.0), 6.5),
    ("run on the highest bound 14 mph", "run", mph(14.0), 23.0),
    ("run above the highest band", "run", mph(16.0), 23.0),
    ("run 9.3 mph", "run", mph(9.3), 14.8),
    ("walk strolling", "walk", mph(1.0), 2.3),
    ("walk 3.4 mph", "walk", mph(3.4), 3.8),
    ("walk in the 3.4-3.5 gap", "walk", mph(3.45), 3.8),
    ("walk above the highest band", "walk", mph(6.0), 8.5),
    ("ride below 10 mph", "ride", mph(8.0), 4.0),
    ("ride on 10 mph", "ride", mph(10.0), 6.8),
    ("ride just below 12 mph", "ride", mph(11.99), 6.8),
    ("ride in the 19-20 mph gap", "ride", mph(19.5), 12.0),
    ("ride on 20 mph", "ride", mph(20.0), 16.8),
    ("swim 2:30 /100 m", "swim", 2.4, 5.8),
    ("swim exactly 50 yd/min", "swim", 50 * 0.9144 * 0.06, 8.0),
    ("swim 2:00 /100 m", "swim", 3.0, 8.0),
    ("swim exactly 75 yd/min", "swim", 75 * 0.9144 * 0.06, 10.5),
    ("swim 1:20 /100 m", "swim", 4.5, 10.5),
]


@pytest.mark.parametrize(
    ("slug", "speed_kmh", "met"), [e[1:] for e in EDGES], ids=[e[0] for e in EDGES]
)
@pytest.mark.parametrize("duration_s", [600, 1800, 2700, 3600, 5025.5])
def test_band_edges(slug: str, speed_kmh: float, met: float, duration_s: float) -> None:
    assert met_for(TYPES[slug], distance_for(speed_kmh, duration_s), duration_s) == met


@pytest.mark.parametrize("t", [t for t in BUILTIN_TYPES if t.speed_bands], ids=lambda t: t.slug)
@pytest.mark.parametrize("duration_s", [60, 1234, 2700, 3600, 86399])
def test_every_lower_bound_belongs_to_its_band(t: ActivityType, duration_s: float) -> None:
    for i, (lower, met) in enumerate(t.speed_bands):
        if lower == 0:
            continue  # a zero distance means none was measured: the general MET, tested below
        assert met_for(t, distance_for(lower, duration_s), duration_s) == met
        below = t.speed_bands[max(i - 1, 0)][1]
        assert met_for(t, distance_for(lower - 0.01, duration_s), duration_s) == below


@pytest.mark.parametrize(
    ("distance_m", "duration_s"),
    [(None, 1800), (5000, None), (None, None), (0, 1800), (5000, 0), (math.nan, 1800)],
)
def test_without_a_speed_the_general_met(
    distance_m: float | None, duration_s: float | None
) -> None:
    assert met_for(TYPES["run"], distance_m, duration_s) == 8.0


def test_a_type_without_bands_ignores_speed() -> None:
    assert met_for(TYPES["hike"], 10_000, 3600) == 6.0


# --- resolve_type -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("run", "run"),
        ("RUN", "run"),
        ("Running", "run"),
        ("jog", "run"),
        (" jogging ", "run"),
        ("bike", "ride"),
        ("Cycling", "ride"),
        ("bicycle", "ride"),
        ("walking", "walk"),
        ("swimming", "swim"),
        ("erg", "row"),
        ("Rowing", "row"),
        ("hiking", "hike"),
        ("weights", "strength"),
        ("GYM", "strength"),
        ("lifting", "strength"),
        ("elliptical", "elliptical"),
        ("yoga", "yoga"),
        ("HIIT", "hiit"),
        ("indoor_cycling", "indoor-ride"),
        ("Indoor Cycling", "indoor-ride"),
        ("mtb", "mountain-bike"),
    ],
)
def test_resolve_builtin(name: str, slug: str) -> None:
    assert resolve_type(name).slug == slug


def test_resolve_custom_type() -> None:
    padel = validate_new_type("padel", 6.0, ["paddle-tennis"], ())
    assert resolve_type("Paddle-Tennis", [padel]) is padel
    assert resolve_type("PADEL", [padel]) is padel


def test_a_custom_type_never_shadows_a_builtin() -> None:
    rogue = ActivityType("run", "Run", 3.0, (), True, "", builtin=False)
    assert resolve_type("run", [rogue]).builtin


def test_did_you_mean() -> None:
    with pytest.raises(UsageError) as excinfo:
        resolve_type("rnu")
    assert str(excinfo.value) == "unknown activity type 'rnu' — did you mean 'run'?"


def test_did_you_mean_covers_custom_types() -> None:
    padel = validate_new_type("padel", 6.0, [], ())
    with pytest.raises(UsageError, match="did you mean 'padel'"):
        resolve_type("padle", [padel])


def test_nothing_close() -> None:
    with pytest.raises(UsageError) as excinfo:
        resolve_type("xyz")
    assert str(excinfo.value) == (
        "unknown activity type 'xyz' — see `fittrack types list`, "
        "or add it with `fittrack types add xyz --met 6`"
    )


def test_nothing_close_and_not_a_valid_name() -> None:
    with pytest.raises(UsageError) as excinfo:
        resolve_type("42!")
    assert str(excinfo.value) == "unknown activity type '42!' — see `fittrack types list`"


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name(name: str) -> None:
    with pytest.raises(UsageError, match="no activity type given"):
        resolve_type(name)


# --- validate_new_type --------------------------------------------------------------------------


def test_new_type() -> None:
    t = validate_new_type("Padel", 6, ["Paddle-Tennis", "paddle-tennis", "padel"], ())
    assert t == ActivityType(
        slug="padel",
        name="Padel",
        met=6.0,
        aliases=("paddle-tennis",),
        tracks_distance=True,
        compendium="",
        builtin=False,
    )


@pytest.mark.parametrize("slug", ["", "1run", "-run", "has space", "pádel", "a" * 33, "run!"])
def test_new_type_bad_name(slug: str) -> None:
    with pytest.raises(UsageError, match="is not allowed — use 1 to 32 characters"):
        validate_new_type(slug, 6.0, [], ())


def test_new_type_longest_name() -> None:
    assert validate_new_type("a" * 32, 6.0, [], ()).slug == "a" * 32


def test_new_type_bad_alias() -> None:
    with pytest.raises(UsageError, match="alias 'two words' is not allowed"):
        validate_new_type("padel", 6.0, ["two words"], ())


@pytest.mark.parametrize(
    ("slug", "aliases", "message"),
    [
        ("run", [], "'run' is already the name of activity type 'run' — pick another name"),
        (
            "Jogging",
            [],
            "'jogging' is already the alias of activity type 'run' — pick another name",
        ),
        (
            "padel",
            ["bike"],
            "'bike' is already the alias of activity type 'ride' — pick another alias",
        ),
        ("nordic_walk", [], "'nordic_walk' is already the name of activity type 'nordic-walk'"),
    ],
)
def test_new_type_collides(slug: str, aliases: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        validate_new_type(slug, 6.0, aliases, ())


def test_new_type_collides_with_an_existing_custom_type() -> None:
    padel = validate_new_type("padel", 6.0, ["paddle"], ())
    with pytest.raises(UsageError, match="'paddle' is already the alias of activity type 'padel'"):
        validate_new_type("paddle", 6.0, [], [padel])


@pytest.mark.parametrize("met", [0.0, 0.99, 25.01, 100.0, -3.0, math.nan, math.inf])
def test_new_type_met_out_of_range(met: float) -> None:
    with pytest.raises(
        UsageError, match=r"out of range — use a value from 1 to 25 \(the Compendium"
    ):
        validate_new_type("padel", met, [], ())


@pytest.mark.parametrize("met", [1.0, 25.0])
def test_new_type_met_range_is_inclusive(met: float) -> None:
    assert validate_new_type("padel", met, [], ()).met == met
