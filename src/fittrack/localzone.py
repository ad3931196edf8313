"""The machine's timezone: read from ``$TZ``, the ``/etc/localtime`` link or ``/etc/timezone``.

This reads the environment and files, so it lives outside :mod:`fittrack.core`; the CLI asks it
once per command (when the profile names no zone) and passes the zone on.
"""

from __future__ import annotations

import os
import re
from datetime import tzinfo
from zoneinfo import ZoneInfo

from fittrack.core.zones import zone_or_none

__all__ = ["system_timezone", "system_timezone_name"]

_ZONEINFO_DIR_RE = r"(?:^|/)zoneinfo/(?:posix/|right/)?(.+)$"


def system_timezone_name() -> str | None:
    """The IANA name of the system's zone, or None when it has none we can find.

    ``TZ`` wins when set: an IANA name (with or without the POSIX leading ``:``) is used; anything
    else (a POSIX rule such as ``CET-1CEST``) is what the C library obeys, so no name is guessed
    from files. Otherwise the target of the ``/etc/localtime`` symlink, then ``/etc/timezone``.
    """
    env = os.environ.get("TZ", "")
    if env:
        name = env.removeprefix(":")
        return name if zone_or_none(name) is not None else None
    candidates: list[str] = []
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(os.path.normpath(os.path.join("/etc", target)))
        candidates.append(os.path.realpath("/etc/localtime"))
    except OSError:
        pass
    for path in candidates:
        match = re.search(_ZONEINFO_DIR_RE, path.replace(os.sep, "/"))
        if match and zone_or_none(match.group(1)) is not None:
            return match.group(1)
    try:
        with open("/etc/timezone", encoding="utf-8") as file:
            name = file.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name and zone_or_none(name) is not None else None


def system_timezone() -> tzinfo:
    """The system's zone: a ZoneInfo when :func:`system_timezone_name` finds one, else
    ``dateutil.tz.tzlocal()`` (the C library's idea of local time, without a name)."""
    name = system_timezone_name()
    if name is not None:
        return ZoneInfo(name)
    from dateutil.tz import tzlocal

    return tzlocal()
