"""The real activity files of shared/data, read by fittrack's own parsers (for the format tests)."""

from pathlib import Path

import pytest

from fittrack.formats import ImportedActivity, parse_by_name

DATA = Path(__file__).parents[3] / "shared" / "data"


def real(kind: str, name: str) -> list[ImportedActivity]:
    """The activities ``shared/data/KIND/NAME`` holds (the test is skipped without the data)."""
    path = DATA / kind / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: the shared test data is cloned beside the repository")
    return parse_by_name(name, path.read_bytes())
