"""Activity types: slugs, aliases and MET values from the 2024 Adult Compendium.

Every MET value here is taken from the 2024 Adult Compendium of Physical Activities (Herrmann et
al., J Sport Health Sci 2024; https://pacompendium.com/), as tabulated in ``shared/data/MET.md``.
Each type cites its edition and code in ``compendium`` ("2024 12150"), because 2011 and 2024 reuse
codes with different meanings. Values are used as published, never blended.

Run, walk, ride and swim also carry speed bands: ``(lower bound in km/h, MET)`` pairs, ascending,
converted from the Compendium's mph brackets (1 mph = 1.609344 km/h). ``met_for`` picks the band
with the largest lower bound at or below the average moving speed ("nearest lower bracket"), so a
speed in a gap between published brackets (running at 4.9 mph: the Compendium has 4.3-4.8 and
5.0-5.2) gets the bracket below it; a speed below the lowest band gets the lowest band's MET, one
above the highest the highest's. Without a distance or a duration, the general MET is used.

Swimming has no mph brackets. Its bands come from the three lap-swimming rows that state or imply a
speed: freestyle slow/recreational (18240, 5.8) from 0 km/h, crawl ~50 yd/min (18290, 8.0) from
50 yd/min = 2.7432 km/h, crawl ~75 yd/min (18280, 10.5) from 75 yd/min = 4.1148 km/h. Treating the
approximate speeds as lower bounds, like the other tables, errs low: a pool swim's average includes
the rests at the wall.
"""

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from fittrack.errors import UsageError

KMH_PER_MPH = 1.609344
KMH_PER_YD_PER_MIN = 0.9144 * 60 / 1000
MET_MIN = 1.0
MET_MAX = 25.0

SLUG_RE = r"[a-z][a-z0-9_-]{0,31}"
# A speed computed from a distance and a duration that land exactly on a bracket's edge can come
# out a few ulps below it (6 mph over an hour); it still belongs to that bracket.
_SPEED_EPSILON_KMH = 1e-9


@dataclass(frozen=True)
class ActivityType:
    """One kind of activity: what it is called and how hard it is.

    ``met`` is the general MET used when no speed is known; ``speed_bands`` holds
    ``(lower bound in km/h, MET)`` pairs, ascending. ``tracks_distance`` says whether a distance
    means something for this type (pace, distance goals and records); ``compendium`` cites the
    edition and code of ``met`` ("" for a user's own type).
    """

    slug: str
    name: str
    met: float
    aliases: tuple[str, ...]
    tracks_distance: bool
    compendium: str
    speed_bands: tuple[tuple[float, float], ...] = ()
    builtin: bool = True
    figure: str = "pace"
    """How its speed reads in the sport's own terms (one of ``FIGURES``)."""
    max_speed_mps: float | None = None
    """The fastest plausible average speed (m/s); None: no limit. See ``PLAUSIBLE_MAX_KMH``."""


FIGURES = ("pace", "speed", "pace100", "pace500")
"""Pace per km or mile; speed in km/h or mph; pace per 100 m (or 100 yd); pace per 500 m."""

PLAUSIBLE_MAX_KMH: dict[str, float] = {
    # Average speeds beyond the best athletes' over any distance worth logging: faster entries are
    # almost always a notation slip (`12k 1:05` read as 1 min 5 s, meant 1 h 5 min).
    "run": 40.0,  # 100 m world record: 37.6 km/h on average
    "walk": 18.0,  # race walking: 20 km in 1:16 is 15.8 km/h
    "hike": 15.0,
    "nordic-walk": 18.0,
    "ride": 80.0,  # the hour record is 56.8 km/h; long descents stay under this on average
    "mountain-bike": 60.0,
    "indoor-ride": 80.0,
    "swim": 10.0,  # 50 m freestyle world record: 8.7 km/h
    "open-water-swim": 10.0,
    "row": 25.0,  # 2,000 m erg world record: 21.5 km/h
}
"""Each built-in type's plausible top average speed in km/h (docs/usage.md has the table)."""

_FIGURE_OF = {
    "ride": "speed",
    "mountain-bike": "speed",
    "indoor-ride": "speed",
    "swim": "pace100",
    "open-water-swim": "pace100",
    "row": "pace500",
}


def _mph(*rows: tuple[float, float, str]) -> tuple[tuple[float, float], ...]:
    """Bands from ``(lower bound in mph, MET, 2024 code)`` rows; the code is for the reader."""
    return tuple((mph * KMH_PER_MPH, met) for mph, met, _code in rows)


BUILTIN_TYPES: tuple[ActivityType, ...] = (
    ActivityType(
        slug="run",
        name="Run",
        met=8.0,
        aliases=("running", "jog", "jogging"),
        tracks_distance=True,
        compendium="2024 12150",
        speed_bands=_mph(
            (4.0, 6.5, "12028"),
            (4.3, 7.8, "12029"),
            (5.0, 8.5, "12030"),
            (5.5, 9.0, "12045"),
            (6.0, 9.3, "12050"),
            (6.7, 10.5, "12060"),
            (7.0, 11.0, "12070"),
            (7.5, 11.8, "12080"),
            (8.0, 12.0, "12090"),
            (8.6, 12.5, "12100"),
            (9.0, 13.0, "12110"),
            (9.3, 14.8, "12115"),
            (10.0, 14.8, "12120"),
            (11.0, 16.8, "12130"),
            (12.0, 18.5, "12132"),
            (13.0, 19.8, "12134"),
            (14.0, 23.0, "12135"),
        ),
    ),
    ActivityType(
        slug="walk",
        name="Walk",
        met=3.5,
        aliases=("walking",),
        tracks_distance=True,
        compendium="2024 17160",
        speed_bands=_mph(
            (0.0, 2.3, "17151"),
            (2.0, 2.8, "17152"),
            (2.5, 3.0, "17170"),
            (2.8, 3.8, "17190"),
            (3.5, 4.8, "17200"),
            (4.0, 5.5, "17220"),
            (4.5, 7.0, "17230"),
            (5.0, 8.5, "17231"),
        ),
    ),
    ActivityType(
        slug="hike",
        name="Hike",
        met=6.0,
        aliases=("hiking", "trek", "trekking"),
        tracks_distance=True,
        compendium="2024 17080",
    ),
    ActivityType(
        slug="nordic-walk",
        name="Nordic walk",
        met=5.3,
        aliases=("nordic-walking", "nordic"),
        tracks_distance=True,
        compendium="2024 17304",
    ),
    ActivityType(
        slug="ride",
        name="Ride",
        met=7.0,
        aliases=("bike", "biking", "cycling", "cycle", "bicycle", "bicycling"),
        tracks_distance=True,
        compendium="2024 01014",
        speed_bands=_mph(
            (0.0, 4.0, "01010"),
            (10.0, 6.8, "01020"),
            (12.0, 8.0, "01030"),
            (14.0, 10.0, "01040"),
            (16.0, 12.0, "01050"),
            (20.0, 16.8, "01060"),
        ),
    ),
    ActivityType(
        slug="mountain-bike",
        name="Mountain bike",
        met=8.5,
        aliases=("mtb", "mountain-biking", "mountainbike"),
        tracks_distance=True,
        compendium="2024 01009",
    ),
    ActivityType(
        slug="indoor-ride",
        name="Indoor ride",
        met=6.8,
        aliases=(
            "stationary-bike",
            "exercise-bike",
            "indoor-cycling",
            "indoor-bike",
            "virtual-ride",
        ),
        tracks_distance=True,
        compendium="2024 01200",
    ),
    ActivityType(
        slug="spin",
        name="Spin class",
        met=9.0,
        aliases=("spinning", "spin-class"),
        tracks_distance=False,
        compendium="2024 01270",
    ),
    ActivityType(
        slug="swim",
        name="Swim",
        met=5.8,
        aliases=("swimming", "lap-swim", "pool-swim"),
        tracks_distance=True,
        compendium="2024 18240",
        speed_bands=(
            (0.0, 5.8),
            (50 * KMH_PER_YD_PER_MIN, 8.0),
            (75 * KMH_PER_YD_PER_MIN, 10.5),
        ),
    ),
    ActivityType(
        slug="open-water-swim",
        name="Open-water swim",
        met=6.0,
        aliases=("open-water", "open-water-swimming"),
        tracks_distance=True,
        compendium="2024 18300",
    ),
    ActivityType(
        slug="row",
        name="Row",
        met=7.3,
        aliases=("rowing", "erg", "ergometer", "rowing-machine", "indoor-rowing"),
        tracks_distance=True,
        compendium="2024 02070",
    ),
    ActivityType(
        slug="elliptical",
        name="Elliptical",
        met=5.0,
        aliases=("cross-trainer", "crosstrainer", "elliptical-trainer"),
        tracks_distance=False,
        compendium="2024 02048",
    ),
    ActivityType(
        slug="stairs",
        name="Stair climber",
        met=9.3,
        aliases=("stair-climber", "stairmaster", "stair-stepper", "stepmill", "stair-treadmill"),
        tracks_distance=False,
        compendium="2024 02065",
    ),
    ActivityType(
        slug="strength",
        name="Strength",
        met=3.5,
        aliases=(
            "weights",
            "lifting",
            "gym",
            "weight-training",
            "weightlifting",
            "strength-training",
            "resistance-training",
        ),
        tracks_distance=False,
        compendium="2024 02054",
    ),
    ActivityType(
        slug="circuit",
        name="Circuit training",
        met=5.0,
        aliases=("circuit-training",),
        tracks_distance=False,
        compendium="2024 02035",
    ),
    ActivityType(
        slug="kettlebell",
        name="Kettlebell",
        met=7.5,
        aliases=("kettlebells",),
        tracks_distance=False,
        compendium="2024 02040",
    ),
    ActivityType(
        slug="hiit",
        name="HIIT",
        met=7.0,
        aliases=("tabata",),
        tracks_distance=False,
        compendium="2024 02210",
    ),
    ActivityType(
        slug="yoga",
        name="Yoga",
        met=2.3,
        aliases=("hatha",),
        tracks_distance=False,
        compendium="2024 02175",
    ),
    ActivityType(
        slug="pilates",
        name="Pilates",
        met=2.8,
        aliases=(),
        tracks_distance=False,
        compendium="2024 02105",
    ),
    ActivityType(
        slug="other",
        name="Other",
        met=5.0,
        aliases=("workout",),
        tracks_distance=True,
        compendium="2024 02061",
    ),
)


BUILTIN_TYPES = tuple(
    replace(
        t,
        figure=_FIGURE_OF.get(t.slug, "pace"),
        max_speed_mps=(PLAUSIBLE_MAX_KMH[t.slug] / 3.6 if t.slug in PLAUSIBLE_MAX_KMH else None),
    )
    for t in BUILTIN_TYPES
)


def met_for(
    activity_type: ActivityType, distance_m: float | None, duration_s: float | None
) -> float:
    """The MET for one activity: its speed band when distance and moving time give a speed."""
    bands = activity_type.speed_bands
    if not bands or distance_m is None or duration_s is None:
        return activity_type.met
    if not (math.isfinite(distance_m) and math.isfinite(duration_s)):
        return activity_type.met
    # A zero distance is what devices write when they measured none (a treadmill without a footpod),
    # not a standstill; a zero duration gives no speed.
    if distance_m <= 0 or duration_s <= 0:
        return activity_type.met
    speed_kmh = distance_m / duration_s * 3.6
    i = bisect_right([lower for lower, _met in bands], speed_kmh + _SPEED_EPSILON_KMH)
    return bands[max(i - 1, 0)][1]


def _key(name: str) -> str:
    """How names are compared: "Indoor_Cycling" and "indoor cycling" are "indoor-cycling"."""
    return "-".join(name.strip().lower().replace("_", " ").split())


def _index(types: Iterable[ActivityType]) -> dict[str, ActivityType]:
    index: dict[str, ActivityType] = {}
    for t in types:
        for name in (t.slug, *t.aliases):
            index.setdefault(_key(name), t)
    return index


def resolve_type(name: str, custom: Iterable[ActivityType] = ()) -> ActivityType:
    """The built-in or custom type whose slug or alias is ``name``, ignoring case and separators."""
    index = _index((*BUILTIN_TYPES, *custom))
    key = _key(name)
    if not key:
        raise UsageError("no activity type given — name one, e.g. 'run'; see `fittrack types list`")
    found = index.get(key)
    if found is not None:
        return found
    from difflib import get_close_matches  # only on this error path: keeps the import cheap

    shown = name.strip()
    close = get_close_matches(key, index, n=6, cutoff=0.6)
    # One name per type: 'run' or 'running' would offer one type twice.
    close = list(dict.fromkeys(index[c].slug for c in close))[:3]
    if close:
        quoted = [f"'{c}'" for c in close]
        options = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
        raise UsageError(f"unknown activity type '{shown}' — did you mean {options}?")
    hint = "see `fittrack types list`"
    if re.fullmatch(SLUG_RE, shown.lower()):
        hint += f", or add it with `fittrack types add {shown.lower()} --met 6`"
    raise UsageError(f"unknown activity type '{shown}' — {hint}")


def validate_new_type(
    slug: str, met: float, aliases: Sequence[str], existing: Iterable[ActivityType]
) -> ActivityType:
    """Check a user's new type (``fittrack types add``) and return it.

    Names are lowercased and must not be taken by a built-in type or by any of ``existing``; names
    that differ only by ``-`` versus ``_`` count as the same, since lookup treats them so.
    """
    index = _index((*BUILTIN_TYPES, *existing))
    new_slug = slug.strip().lower()
    names: list[str] = []
    for kind, raw in (("name", new_slug), *(("alias", a.strip().lower()) for a in aliases)):
        if not re.fullmatch(SLUG_RE, raw):
            raise UsageError(
                f"activity type {kind} '{raw}' is not allowed — use 1 to 32 characters: a letter "
                "a-z, then letters, digits, '-' or '_' (e.g. 'padel', 'trail-run')"
            )
        holder = index.get(_key(raw))
        if holder is not None:
            held_as = "name" if _key(holder.slug) == _key(raw) else "alias"
            raise UsageError(
                f"'{raw}' is already the {held_as} of activity type '{holder.slug}' — "
                f"pick another {kind}"
            )
        if _key(raw) not in (_key(n) for n in names):
            names.append(raw)
    if not (math.isfinite(met) and MET_MIN <= met <= MET_MAX):
        raise UsageError(
            f"MET {met:g} is out of range — use a value from {MET_MIN:g} to {MET_MAX:g} (the "
            "Compendium's range; 1 is sitting quietly, running 14 mph is 23)"
        )
    return ActivityType(
        slug=new_slug,
        name=new_slug.replace("-", " ").replace("_", " ").capitalize(),
        met=float(met),
        aliases=tuple(names[1:]),
        tracks_distance=True,
        compendium="",
        builtin=False,
    )


def implausible_speed_kmh(
    activity_type: ActivityType, distance_m: float | None, duration_s: float | None
) -> float | None:
    """The average speed in km/h when it is beyond ``activity_type``'s plausible maximum, else None.

    Without a distance, a duration or a maximum there is nothing to judge.
    """
    limit = activity_type.max_speed_mps
    if limit is None or not activity_type.tracks_distance:
        return None
    if distance_m is None or duration_s is None or distance_m <= 0 or duration_s <= 0:
        return None
    speed = distance_m / duration_s
    return speed * 3.6 if speed > limit else None
