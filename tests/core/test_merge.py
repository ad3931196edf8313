"""The sync merge rule: a deletion wins over any edit and stays, then the later edit, ties keep."""

from datetime import UTC, datetime, timedelta

import pytest

from fittrack.core.merge import Version, merge

T = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
LATER = T + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("held", "incoming", "outcome"),
    [
        (None, Version(T), "created"),
        (None, Version(T, deleted=True), "created"),
        (Version(T), Version(LATER), "updated"),
        (Version(LATER), Version(T), "kept"),
        (Version(T), Version(T), "unchanged"),
        # A deletion wins over any edit, even a later one, and stays.
        (Version(LATER), Version(T, deleted=True), "updated"),
        (Version(T, deleted=True), Version(LATER), "kept"),
        (Version(T, deleted=True), Version(LATER, deleted=True), "unchanged"),
        # A write without a time (the seed API's PUT) replaces a live row, not a deleted one.
        (Version(LATER), Version(None), "updated"),
        (Version(T, deleted=True), Version(None), "kept"),
    ],
)
def test_which_version_stands(held: Version | None, incoming: Version, outcome: str) -> None:
    assert merge(held, incoming) == outcome
