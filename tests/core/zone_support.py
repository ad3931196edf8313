"""Zones and moments the date and moment tests share: zones with DST quirks, a fixed now."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
SANTIAGO = ZoneInfo("America/Santiago")
ZONES = [ZoneInfo("UTC"), BERLIN, NEW_YORK, LORD_HOWE, KOLKATA, SANTIAGO]

# Friday 2026-11-20, 12:00 UTC: 13:00 in Berlin (CET, +01:00).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def instant(moment: datetime) -> datetime:
    # Aware datetimes in different zones never compare equal when one of them falls in a repeated
    # hour (PEP 495), so instants are compared in UTC.
    return moment.astimezone(UTC)
