"""fittrack's own JSON export: activities, goals, custom types and the profile, with a version.

    {"format": "fittrack", "version": 1, "exported_at": "…",
     "profile": {…}, "types": [TYPE, …], "goals": [GOAL + "pauses", …],
     "activities": [ACTIVITY, …],
     "tracks": [{"activity_id": "…", "data": "base64 of the track's bytes"}, …]}

Activities and goals use the JSON shapes of PRODUCT.md, so a script can read an export the same
way it reads ``list --json``; goals also carry their pause intervals so that streaks survive.
``types`` holds the person's own activity types (``types list --json`` shape without ``builtin``
and ``compendium``): ``slug``, ``name``, ``met``, ``aliases``, ``tracks_distance``,
``max_speed_mps``, ``figure``. An export made before types were exported has no ``types`` key;
it still reads (its unknown types are then added with the MET of ``other``, as for any file).
``tracks`` holds the track of each exported activity that has one: the ``storage.trackcodec``
bytes exactly as stored (so nothing is rounded twice), by activity id. An export made before
tracks were exported has no ``tracks`` key and reads as one without tracks; an older fittrack
reading a newer export ignores the key (it reads only the keys it knows), so ``version`` stays 1:
adding an optional key breaks no reader, whereas a new version would make every older fittrack
refuse the whole backup rather than restore all but its tracks.
Written as a stream, one activity at a time; read whole (JSON has no cheap streaming reader in the
standard library: for a million activities use the CSV).
"""

import base64
import binascii
import json
import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from fittrack.core.activity_types import FIGURES, ActivityType
from fittrack.core.calories import CALORIES_METHODS
from fittrack.core.goals import METRICS, Goal
from fittrack.core.periods import check_period
from fittrack.core.profile import (
    Profile,
    check_birth_date,
    check_heart_rate,
    check_heart_rates,
    check_height,
    check_sex,
    check_units,
    check_week_start,
)
from fittrack.core.zones import resolve_timezone
from fittrack.errors import DataError, UsageError
from fittrack.formats import ImportedActivity

FORMAT = "fittrack"
VERSION = 1


def write(
    out: IO[str],
    activities: Iterator[dict[str, Any]],
    goals: list[Goal],
    profile: Profile,
    now: datetime,
    types: Sequence[ActivityType] = (),
    tracks: Iterable[tuple[str, bytes]] = (),
) -> int:
    """Write the whole document; returns the number of activities.

    ``tracks`` are (activity id, ``storage.trackcodec`` bytes as stored), written as base64 after
    the activities, one at a time like them.
    """
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "profile": {
            "weight_kg": profile.weight_kg,
            "timezone": profile.timezone,
            "units": profile.units,
            "week_start": profile.week_start,
            "birth_date": None if profile.birth_date is None else profile.birth_date.isoformat(),
            "sex": profile.sex,
            "height_cm": profile.height_cm,
            "resting_hr": profile.resting_hr,
            "max_hr": profile.max_hr,
        },
        "types": [type_to_json(t) for t in types],
        "goals": [goal_to_json(g) for g in goals],
    }
    text = json.dumps(head, ensure_ascii=False, indent=1)
    out.write(text[: text.rindex("}")].rstrip() + ',\n "activities": [')
    count = 0
    for activity in activities:
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(activity, ensure_ascii=False))
        count += 1
    out.write('\n ],\n "tracks": [')
    first = True
    for activity_id, data in tracks:
        entry = {"activity_id": activity_id, "data": base64.b64encode(data).decode("ascii")}
        out.write(("\n  " if first else ",\n  ") + json.dumps(entry))
        first = False
    out.write("\n ]\n}\n")
    return count


def goal_to_json(goal: Goal) -> dict[str, Any]:
    """The GOAL shape plus its pause intervals."""
    return goal.to_json(pauses=True)


def type_to_json(activity_type: ActivityType) -> dict[str, Any]:
    """A custom type as the export holds it."""
    return {
        "slug": activity_type.slug,
        "name": activity_type.name,
        "met": activity_type.met,
        "aliases": list(activity_type.aliases),
        "tracks_distance": activity_type.tracks_distance,
        "max_speed_mps": activity_type.max_speed_mps,
        "figure": activity_type.figure,
    }


def looks_like_ours(head: bytes) -> bool:
    """True for a JSON document that says it is a fittrack export."""
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    return text.startswith("{") and '"format"' in text[:200] and f'"{FORMAT}"' in text[:200]


class Export:
    """A parsed export: its activities (as the importer takes them), goals and profile."""

    def __init__(self, data: bytes, name: str = "") -> None:
        label = name or "the file"
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise DataError(f"{label} is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise DataError(f"{label}: malformed JSON at line {exc.lineno} ({exc.msg})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise DataError(f'{label} is not a fittrack JSON export (no "format": "fittrack")')
        if document.get("version") != VERSION:
            raise DataError(
                f"{label} is a version {document.get('version')!r} export; this fittrack reads "
                f"version {VERSION}"
            )
        self.document = document
        self.name = label

    def activities(self) -> list[ImportedActivity]:
        """Every activity; a malformed one raises DataError naming its position."""
        items = self.document.get("activities", [])
        if not isinstance(items, list):
            raise DataError(f'{self.name}: "activities" is not a list')
        return [_activity(item, i) for i, item in enumerate(items, start=1)]

    def goals(self) -> list[Goal]:
        """Every goal in the export."""
        items = self.document.get("goals", [])
        if not isinstance(items, list):
            raise DataError(f'{self.name}: "goals" is not a list')
        return [_goal(item, i) for i, item in enumerate(items, start=1)]

    def types(self) -> list[ActivityType]:
        """Every custom type in the export (none in an export older than types in exports)."""
        items = self.document.get("types", [])
        if not isinstance(items, list):
            raise DataError(f'{self.name}: "types" is not a list')
        return [_type(item, i) for i, item in enumerate(items, start=1)]

    def tracks(self) -> list["BackupTrack"]:
        """Every track entry, its shape and base64 checked (a malformed one raises DataError
        naming its position); none in an export older than tracks in exports. Whether the bytes
        are a track is for ``storage.trackcodec`` to say (``BackupTrack.where`` names it)."""
        items = self.document.get("tracks", [])
        if not isinstance(items, list):
            raise DataError(f'{self.name}: "tracks" is not a list')
        entries: list[BackupTrack] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items, start=1):
            entry = _track(item, index)
            if entry.activity_id in seen:
                raise DataError(
                    f"{entry.where}: a second track for activity {entry.activity_id} (track "
                    f"{seen[entry.activity_id]} is its first)"
                )
            seen[entry.activity_id] = index
            entries.append(entry)
        return entries

    def _body(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The profile's optional body figures (absent in exports before they existed), checked
        as ``profile set`` checks them; a birth date against the day of the export."""
        body: dict[str, Any] = {}
        if raw.get("birth_date") is not None:
            exported = _time(self.document.get("exported_at"), "the export's date")
            body["birth_date"] = check_birth_date(str(raw["birth_date"]), exported.date())
        if raw.get("sex") is not None:
            body["sex"] = check_sex(str(raw["sex"]))
        height = raw.get("height_cm")
        if height is not None:
            if isinstance(height, bool) or not isinstance(height, int | float):
                raise UsageError(f"height {height!r} is not a number of centimetres")
            body["height_cm"] = check_height(f"{float(height)}cm")
        for key, what in (("resting_hr", "resting heart rate"), ("max_hr", "maximum heart rate")):
            value = raw.get(key)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise UsageError(f"{what} {value!r} is not a whole number of beats a minute")
                body[key] = check_heart_rate(str(value), what)
        check_heart_rates(body.get("resting_hr"), body.get("max_hr"))
        return body

    def profile(self) -> Profile | None:
        """The exported profile, or None when the export has none."""
        raw = self.document.get("profile")
        if raw is None:
            return None
        try:
            weight = None if raw.get("weight_kg") is None else float(raw["weight_kg"])
            if weight is not None and not (math.isfinite(weight) and 20 <= weight <= 400):
                raise DataError(f"{self.name}: the profile's weight {weight:g} kg is impossible")
            zone = raw.get("timezone")
            return Profile(
                weight_kg=weight,
                timezone=None if zone is None else resolve_timezone(str(zone)).key,
                units=check_units(str(raw.get("units", "metric"))),
                week_start=check_week_start(str(raw.get("week_start", "monday"))),
                **self._body(raw),
            )
        except UsageError as exc:
            raise DataError(f"{self.name}: the profile: {exc}") from None
        except (AttributeError, TypeError, ValueError):
            raise DataError(f"{self.name}: the profile is malformed") from None


@dataclass(frozen=True)
class BackupTrack:
    """One entry of an export's ``tracks``: an activity's track as ``storage.trackcodec``
    bytes (not yet decoded: the importer decodes each when it gets to it)."""

    where: str
    """How an error names the entry: "track 3 (activity 3f2a…)"."""
    activity_id: str
    """The activity's id, as ``ActivityRecord.id`` writes it (lowercase, hyphenated)."""
    data: bytes


def _track(item: Any, index: int) -> BackupTrack:
    where = f"track {index}"
    if not isinstance(item, dict):
        raise DataError(f"{where} is not an object")
    raw_id = item.get("activity_id")
    try:
        if not isinstance(raw_id, str):
            raise ValueError
        activity_id = str(uuid.UUID(raw_id))
    except ValueError:
        wrong = f"{where}: 'activity_id' must be an activity's id, not {raw_id!r}"
        raise DataError(wrong) from None
    where = f"track {index} (activity {activity_id})"
    text = item.get("data")
    if not isinstance(text, str):
        kind = "nothing" if text is None else type(text).__name__
        raise DataError(f"{where}: 'data' must be base64 text, not {kind}")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):  # ValueError: a character outside ASCII
        raise DataError(f"{where}: 'data' is not base64") from None
    return BackupTrack(where, activity_id, data)


def _time(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{where}: not an ISO 8601 time: {value!r}") from None
    if moment.utcoffset() is None:
        raise DataError(f"{where}: the time {value!r} has no UTC offset")
    return moment


def _number(item: dict[str, Any], key: str, where: str, *, optional: bool = False) -> float | None:
    value = item.get(key)
    if value is None and optional:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise DataError(f"{where}: '{key}' must be a positive number, not {value!r}")
    return float(value)


def _method(value: Any, where: str) -> str | None:
    """An activity's ``calories_method``, or None for an export from before it was recorded."""
    if value is None or value in CALORIES_METHODS:
        return None if value is None else str(value)
    raise DataError(
        f"{where}: 'calories_method' must be one of {', '.join(CALORIES_METHODS)}, not {value!r}"
    )


def _activity(item: Any, index: int) -> ImportedActivity:
    where = f"activity {index}"
    if not isinstance(item, dict):
        raise DataError(f"{where} is not an object")
    try:
        return ImportedActivity(
            id=str(item["id"]),
            type=str(item["type"]).strip().lower(),
            sport=str(item["type"]),
            start=_time(item["start"], where),
            end=_time(item["end"], where),
            duration_s=_number(item, "duration_s", where),
            distance_m=_number(item, "distance_m", where, optional=True),
            calories_kcal=_number(item, "calories_kcal", where),
            calories_estimated=bool(item.get("calories_estimated", True)),
            calories_method=_method(item.get("calories_method"), where),
            workload=_number(item, "workload", where),
            note=_text(item.get("note"), "note", where),
            source=str(item.get("source") or "json"),
            created_at=_time(item["created_at"], where).astimezone(UTC),
            updated_at=_time(item["updated_at"], where).astimezone(UTC),
        )
    except KeyError as exc:
        raise DataError(f"{where} has no {exc.args[0]!r}") from None


def _text(value: Any, key: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DataError(f"{where}: '{key}' must be text, not {type(value).__name__}")
    return value


def _goal(item: Any, index: int) -> Goal:
    where = f"goal {index}"
    if not isinstance(item, dict):
        raise DataError(f"{where} is not an object")
    try:
        pauses = tuple(
            (date.fromisoformat(a), None if b is None else date.fromisoformat(b))
            for a, b in item.get("pauses", [])
        )
        metric = str(item["metric"])
        if metric not in METRICS:
            raise DataError(f"{where}: unknown metric {metric!r}")
        target = float(item["target"])
        if not math.isfinite(target) or target <= 0:
            raise DataError(f"{where}: the target must be a positive number")
        return Goal(
            id=str(uuid.UUID(str(item["id"]))),
            name=_text(item.get("name"), "name", where),
            period=check_period(str(item["period"])),
            metric=metric,
            target=target,
            activity_type=item.get("activity_type"),
            start_date=date.fromisoformat(item["start_date"]),
            end_date=None if item.get("end_date") is None else date.fromisoformat(item["end_date"]),
            paused=bool(item.get("paused", False)),
            pauses=pauses,
            created_at=_time(item["created_at"], where).astimezone(UTC),
            updated_at=_time(item["updated_at"], where).astimezone(UTC),
        )
    except KeyError as exc:
        raise DataError(f"{where} has no {exc.args[0]!r}") from None
    except UsageError as exc:
        raise DataError(f"{where}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where} is malformed ({exc})") from None


def _type(item: Any, index: int) -> ActivityType:
    """One exported custom type, its values checked as ``types add`` checks them."""
    import re

    from fittrack.core.activity_types import MET_MAX, MET_MIN, SLUG_RE

    where = f"type {index}"
    if not isinstance(item, dict):
        raise DataError(f"{where} is not an object")
    try:
        slug = str(item["slug"])
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list):
            raise DataError(f"{where}: 'aliases' is not a list")
        for name in (slug, *aliases):
            if not isinstance(name, str) or not re.fullmatch(SLUG_RE, name):
                raise DataError(f"{where}: {name!r} cannot be an activity type name")
        met = _number(item, "met", where)
        assert met is not None
        if not MET_MIN <= met <= MET_MAX:
            raise DataError(f"{where}: MET {met:g} is outside {MET_MIN:g}–{MET_MAX:g}")
        top = _number(item, "max_speed_mps", where, optional=True)
        if top is not None and top <= 0:
            raise DataError(f"{where}: 'max_speed_mps' must be a positive number, not {top:g}")
        figure = str(item.get("figure") or "pace")
        if figure not in FIGURES:
            raise DataError(f"{where}: unknown figure {figure!r} (one of {', '.join(FIGURES)})")
        tracks = item.get("tracks_distance", True)
        if not isinstance(tracks, bool):
            raise DataError(f"{where}: 'tracks_distance' must be true or false")
        return ActivityType(
            slug=slug,
            name=_text(item.get("name"), "name", where)[:64] or slug.capitalize(),
            met=met,
            aliases=tuple(aliases),
            tracks_distance=tracks,
            compendium="",
            builtin=False,
            figure=figure,
            max_speed_mps=top,
        )
    except KeyError as exc:
        raise DataError(f"{where} has no {exc.args[0]!r}") from None
