"""Timezones by name: resolve what a person types (``europe/berlin``, ``UTC``) to an IANA zone,
and suggest the nearest known name when it does not resolve.

Which zone the machine is in is not decided here: :mod:`fittrack.localzone` reads that, and
callers pass the zone in.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fittrack.errors import UsageError

__all__ = ["resolve_timezone", "zone_name", "zone_or_none"]


def zone_or_none(name: str) -> ZoneInfo | None:
    """The zone an exact IANA name (``Europe/Berlin``) names, or None when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: not a normalised relative key or not a TZif file; OSError: a directory.
        return None


def zone_name(tz: tzinfo) -> str:
    """The IANA name of a ZoneInfo, else what the tzinfo calls itself (``UTC+01:00``)."""
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else str(tz)


def resolve_timezone(name: str) -> ZoneInfo:
    """The zone an IANA name names: ``Europe/Berlin``, also ``europe/berlin``, ``UTC``, ``utc``.

    An unknown name is refused with the nearest known one, if any, as a suggestion.
    """
    stripped = name.strip()
    if stripped and stripped == name:
        zone = zone_or_none(name)
        if zone is not None:
            return zone
    zones = _zones_by_folded_name()
    folded = _fold(name)
    if folded in zones:
        return ZoneInfo(zones[folded])
    shown = f"'{stripped}'" if stripped.isprintable() else repr(stripped)
    if not stripped:
        raise UsageError("no timezone given — use an IANA name such as Europe/Berlin")
    suggestion = _suggest_zone(folded, zones)
    if suggestion:
        raise UsageError(f"unknown timezone {shown} — did you mean '{suggestion}'?")
    raise UsageError(
        f"unknown timezone {shown} — use an IANA name such as Europe/Berlin or America/New_York"
    )


@cache
def _zones_by_folded_name() -> dict[str, str]:
    # Slow (it walks the zone files), so it is only called when a name did not resolve directly.
    return {_fold(name): name for name in sorted(available_timezones())}


def _fold(name: str) -> str:
    return "_".join(name.strip().split()).lower()


def _suggest_zone(folded: str, zones: dict[str, str]) -> str | None:
    import difflib

    # "berlin" or "new york" name a city; the zone is Area/City.
    by_city = [zone for key, zone in zones.items() if key.rsplit("/", 1)[-1] == folded]
    if by_city:
        return min(by_city, key=lambda zone: (zone.startswith("Etc/"), "/" not in zone, zone))
    close = difflib.get_close_matches(folded, list(zones), n=1, cutoff=0.6)
    return zones[close[0]] if close else None
