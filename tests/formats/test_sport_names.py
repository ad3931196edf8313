"""A file's sport name: a known type, else its own name as a slug, else 'other'."""

import pytest

from fittrack.formats import map_sport, type_slug

TABLE = {"running": "run", "open water swimming": "open-water-swim"}


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("climbing", "climbing"),
        ("Rock Climbing", "rock-climbing"),
        ("  Kite_Surf ", "kite_surf"),
        ("Ski (alpin)", "ski-alpin"),
        ("Équitation", "equitation"),
        ("3x3 basketball", "x3-basketball"),
        ("e-MTB", "e-mtb"),
        ("a" * 40, "a" * 32),
        ("padel!!!", "padel"),
        ("23", None),
        ("攀岩", None),
        ("---", None),
        ("", None),
    ],
)
def test_type_slug(name: str, slug: str | None) -> None:
    assert type_slug(name) == slug


@pytest.mark.parametrize(
    ("sport", "expected"),
    [
        (None, (None, ())),
        ("  ", (None, ())),
        ("Running", ("run", ())),
        ("open-water_swimming", ("open-water-swim", ())),
        ("Bouldering", ("bouldering", ())),
        ("Stand Up Paddling", ("stand-up-paddling", ())),
        ("23", ("other", ("unknown sport '23' cannot be a type name, imported as 'other'",))),
    ],
)
def test_map_sport(sport: str | None, expected: tuple[str | None, tuple[str, ...]]) -> None:
    assert map_sport(sport, TABLE) == expected
