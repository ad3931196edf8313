"""What status says of syncing: how long ago, and how many changes wait."""

from datetime import UTC, datetime, timedelta

import pytest

from fittrack.cli.render import sync

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (timedelta(seconds=30), "Last synced 2026-11-20 11:59 (just now)."),
        (timedelta(minutes=90), "Last synced 2026-11-20 10:30 (90 min ago)."),
        (timedelta(hours=5), "Last synced 2026-11-20 07:00 (5 h ago)."),
        (timedelta(days=3), "Last synced 2026-11-17 12:00 (3 days ago)."),
        (-timedelta(minutes=5), "Last synced 2026-11-20 12:05 (just now)."),  # a clock ahead
    ],
)
def test_last_sync_says_how_long_ago(
    capsys: pytest.CaptureFixture[str], before: timedelta, said: str
) -> None:
    sync.last_sync(NOW - before, NOW)
    assert capsys.readouterr().out == said + "\n"


def test_unsynced_counts_the_changes(capsys: pytest.CaptureFixture[str]) -> None:
    sync.unsynced(1)
    sync.unsynced(4)
    assert capsys.readouterr().out.splitlines() == [
        "1 change not yet synced — run `fittrack sync`.",
        "4 changes not yet synced — run `fittrack sync`.",
    ]
