"""What profile and types list print: the fallbacks of unset values, a person's own types."""

from dataclasses import replace

import pytest

from fittrack.cli.render import profile
from fittrack.core.activity_types import BUILTIN_TYPES
from fittrack.core.profile import Profile


def test_the_profile_says_what_an_unset_value_falls_back_to(
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile.profile(Profile(), "Europe/Paris")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(maxsplit=1) == ["weight", "not set (calories assume 70 kg)"]
    assert lines[1].split(maxsplit=1) == ["timezone", "Europe/Paris (the system's)"]
    profile.profile(Profile(weight_kg=72.0, units="imperial"), None)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(maxsplit=1) == ["weight", "158.7 lb"]
    assert lines[1].split(maxsplit=1) == ["timezone", "unknown (the system's)"]


def test_the_types_table_marks_a_persons_own_types(capsys: pytest.CaptureFixture[str]) -> None:
    own = replace(BUILTIN_TYPES[0], slug="skate", builtin=False, speed_bands=(), aliases=())
    profile.types_table([BUILTIN_TYPES[0], own])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["type", "MET", "MET", "by", "speed", "aliases"]
    assert lines[1].startswith(BUILTIN_TYPES[0].slug + " ")
    assert lines[2].split() == ["skate", "*", f"{own.met:g}"]
    assert lines[-1].endswith("* your own types.")
