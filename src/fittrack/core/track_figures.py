"""What athletes read from a track: distance, moving time, elevation, heart rate, splits, efforts.

One entry point, :func:`figures`, turns a :class:`~fittrack.core.track.Track` into a frozen
:class:`TrackFigures` whose ``to_json()`` is the ``track`` object of PRODUCT.md; two helpers,
:func:`speed_series` and :func:`elevation_series`, give short lists for a sparkline. Everything is
pure: no I/O, no clock, the standard library only.

Cleaning (each rule has a test in ``tests/core/test_track_figures.py``)
-------------------------------------------------------------------------
1. **Not a number.** NaN, ±inf, and values outside what a body or a planet allows are treated as
   not recorded (None): latitude outside ±90, longitude outside ±180, the point (0, 0) (a
   receiver without a fix writes it), elevation outside −500…9 000 m, heart rate outside
   20…250 bpm, cadence outside 0…300, power outside 0…3 000 W, a device distance below 0.
2. **Time going backwards.** A sample earlier than the last kept one is dropped (all of it: its
   position would zig-zag the route). When one sample jumps ahead and the next two come back to
   where the clock was, the one that jumped is dropped instead, so one bad timestamp cannot
   discard the rest of the track.
3. **Duplicate times.** A sample with the same time as the previous kept one keeps its position
   and values (a 1 s device can record two fixes in one second) but takes no part in the
   time-based figures. Samples without any time (untimed GPX) are treated the same way: they add
   distance and elevation, and the time-based figures use the timed samples only.
4. **Positions jumping across the world.** A leg's implied speed is its haversine length over its
   duration (at least 1 s). A sample whose legs to both neighbours are faster than
   ``max_speed_mps`` (100 m/s: no ground sport gets near it) while its neighbours are plausible
   from each other is a spike: its position is dropped. Any other leg still faster than that adds
   no distance. A leg without times counts unless it is longer than 20 km.
5. **Pauses.** A leg longer than ``PAUSE_S`` (5 minutes without a sample: auto-pause, a stop with
   the watch paused, a gap between recordings) is a pause: it is not moving time, it weighs
   nothing in the averages, and no best effort spans it. Its distance still counts (a GPS that
   lost its fix in a tunnel still went through it).
6. **Elevation spikes** (``smooth_elevation=True``): a Hampel filter over the samples that carry
   an elevation (window of 5, 3 scaled MADs, and never less than ``SPIKE_FLOOR_M`` = 50 m)
   replaces an isolated spike by the median of its window; steps and real summits survive it.
   The floor is the smallest that leaves gpxpy's figures untouched on all but one segment of the
   shared GPX files (korita-zbevnica's untimed track has a 60 m one-sample spike, which it removes).
7. **Segments** (the track's ``segment_starts``, or ``breaks`` given instead). The way
   between two recorded segments (two ``<trk>`` of one GPX file can be kilometres apart) adds no
   distance, is a pause, and elevation is filtered and summed within each segment, as gpxpy does.
8. **Too little to say.** No samples, one sample, no heart rate, no elevation: the figures that
   need them are None (or 0 m, or empty lists), never an exception.

Figures
-------
- **Distance**: the device's cumulative ``distance_m`` when the track has that column (a value
  that goes down is held at the highest seen, a missing one carries the last; counted from the
  first value), else the sum of haversine legs (mean Earth radius 6 371 008.8 m). Within 0.12 %
  of gpxpy's 2D length on every segment of the shared GPX files (gpxpy's Earth is smaller).
- **Moving time**: the sum of the legs between timed samples that are not pauses and whose
  average 2D speed exceeds ``STOPPED_SPEED_MPS`` (1 km/h, gpxpy's default threshold). This
  reproduces gpxpy's moving time (gpxgo__file.gpx: 39 s) except where gpxpy's 3D legs count an
  altitude jump as movement. None when the track records no position and no distance that
  grows (a pool swim's heart rate, its distance all 0): nothing says when it moved, which is not
  "it never moved".
- **Elevation gain and loss**: with ``smooth_elevation`` (GPS altitude), the spike filter above,
  then gpxpy's 3-point weighted average (0.3, 0.4, 0.3), then the sum of the rises and of the
  falls. This is the algorithm gpxpy and gpxgo share: the MANIFEST's 5.863 m / 1.543 m and
  ``get_uphill_downhill()`` are reproduced to rounding. A hysteresis of 1-5 m was tried and
  rejected: it moved the shared files 4-100 % away from both references. With
  ``smooth_elevation=False`` (barometric altitude, already smooth) the recorded values are summed
  as they are.
- **Heart rate, cadence, power**: time-weighted averages (trapezoids over the legs between timed
  samples, pauses excluded; stopped time counts, as a watch's timer does when not auto-paused);
  zeros of cadence and power count (coasting is part of the ride). Without times, the plain
  mean. The maximum is the highest valid sample.
- **Splits** every ``unit_m`` metres of the timed stretch (the last, partial split with its own
  distance when it is at least 1 m). The crossing of each boundary is interpolated linearly
  between the samples around it; ``duration_s`` is the moving time in the split (a stop does not
  slow the pace), ``elevation_change_m`` the processed elevation at the end minus at the start,
  ``heart_rate_avg`` time-weighted over the split (a leg cut by a boundary counts with its mean).
- **Best efforts**: for each standard distance, the shortest elapsed time over any contiguous
  stretch of exactly that distance that spans no pause (stops shorter than a pause count, as on
  a race clock). Time is piecewise linear in distance along the track, so the minimum sits where
  the stretch starts or ends on a sample; both are searched exactly, O(n log n) per distance
  (see :func:`_fastest`).
  ``start_offset_s`` is the stretch's start in the track's ``time_s`` (seconds since
  ``Track.start``).
"""

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, groupby, pairwise, repeat
from operator import add, mul, sub
from typing import Any

from fittrack.core.track import Column, Track

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG); gpxpy's own radius differs by 0.1 %, inside the 0.5 % tolerance."""
MAX_SPEED_MPS = 100.0
MAX_UNTIMED_LEG_M = 20_000.0
STOPPED_SPEED_MPS = 1 / 3.6
PAUSE_S = 300.0
SPIKE_FLOOR_M = 50.0
MIN_PARTIAL_SPLIT_M = 1.0
MILE_M = 1609.344
STANDARD_EFFORTS_M = (400.0, 1000.0, MILE_M, 5000.0, 10000.0, 21097.5, 42195.0)

_BOUNDS = {
    "elevation_m": (-500.0, 9000.0),
    "heart_rate": (20.0, 250.0),
    "cadence": (0.0, 300.0),
    "power": (0.0, 3000.0),
}


@dataclass(frozen=True)
class Split:
    index: int
    distance_m: float
    duration_s: float
    elevation_change_m: float | None
    heart_rate_avg: float | None


@dataclass(frozen=True)
class BestEffort:
    distance_m: float
    duration_s: float
    start_offset_s: float


@dataclass(frozen=True)
class TrackFigures:
    """All that :func:`figures` derives; ``to_json()`` is PRODUCT.md's ``track`` object and more."""

    samples: int
    distance_m: float
    elapsed_s: float | None
    moving_time_s: float | None
    elevation_gain_m: float | None
    elevation_loss_m: float | None
    elevation_min_m: float | None
    elevation_max_m: float | None
    heart_rate_avg: float | None
    heart_rate_max: float | None
    cadence_avg: float | None
    cadence_max: float | None
    power_avg: float | None
    power_max: float | None
    splits: tuple[Split, ...] = field(default_factory=tuple)
    best_efforts: tuple[BestEffort, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TrackFigures":
        """The figures from :meth:`to_json`'s keys (or ``dataclasses.asdict``'s, the same
        names unrounded)."""
        scalars = {name: data[name] for name in _SCALARS}
        return cls(
            **scalars,
            splits=tuple(Split(**split) for split in data["splits"]),
            best_efforts=tuple(BestEffort(**effort) for effort in data["best_efforts"]),
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, quantities rounded to 0.1 (the precision any device records)."""
        return {
            "samples": self.samples,
            "distance_m": _r(self.distance_m),
            "elapsed_s": _r(self.elapsed_s),
            "moving_time_s": _r(self.moving_time_s),
            "elevation_gain_m": _r(self.elevation_gain_m),
            "elevation_loss_m": _r(self.elevation_loss_m),
            "elevation_min_m": _r(self.elevation_min_m),
            "elevation_max_m": _r(self.elevation_max_m),
            "heart_rate_avg": _r(self.heart_rate_avg),
            "heart_rate_max": _r(self.heart_rate_max),
            "cadence_avg": _r(self.cadence_avg),
            "cadence_max": _r(self.cadence_max),
            "power_avg": _r(self.power_avg),
            "power_max": _r(self.power_max),
            "splits": [
                {
                    "index": s.index,
                    "distance_m": _r(s.distance_m),
                    "duration_s": _r(s.duration_s),
                    "elevation_change_m": _r(s.elevation_change_m),
                    "heart_rate_avg": _r(s.heart_rate_avg),
                }
                for s in self.splits
            ],
            "best_efforts": [
                {
                    "distance_m": e.distance_m,
                    "duration_s": _r(e.duration_s),
                    "start_offset_s": _r(e.start_offset_s),
                }
                for e in self.best_efforts
            ],
        }


_SCALARS = (
    "samples",
    "distance_m",
    "elapsed_s",
    "moving_time_s",
    "elevation_gain_m",
    "elevation_loss_m",
    "elevation_min_m",
    "elevation_max_m",
    "heart_rate_avg",
    "heart_rate_max",
    "cadence_avg",
    "cadence_max",
    "power_avg",
    "power_max",
)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _valid_all(
    values: Sequence[float | None], keep: list[int], low: float, high: float
) -> list[float | None]:
    # NaN fails both comparisons and the bounds are finite: _valid without a call per value.
    return [v if v is not None and low <= v <= high else None for v in (values[i] for i in keep)]


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class _Clean:
    """The kept samples (rules 1-4), in order, with what every figure needs."""

    time: list[float | None]
    dist: list[float]
    ele: list[float | None]
    channels: dict[str, list[float | None]]
    segment: list[int]
    """Which recorded segment each kept sample belongs to (0 without ``breaks``)."""


def _order(times: list[float | None]) -> tuple[list[bool], list[float | None]]:
    """Rules 2 and 3: which samples to keep, and their times (None when not usable)."""
    keep = [True] * len(times)
    out = list(times)
    timed = [i for i, t in enumerate(times) if t is not None]
    last: float | None = None
    for k, i in enumerate(timed):
        t = times[i]
        assert t is not None
        if last is not None and t < last:
            keep[i] = False
            continue
        if last is not None and t == last:
            out[i] = None
            continue
        if k + 2 < len(timed):
            # This sample jumped ahead when the next two both come before it and the clock
            # carries on from where it was.
            following, after = times[timed[k + 1]], times[timed[k + 2]]
            assert following is not None and after is not None
            if following < t and after < t and (last is None or following > last):
                keep[i] = False
                continue
        last = t
    return keep, out


def _clean(track: Track, max_speed_mps: float, breaks: Sequence[int] = ()) -> _Clean:
    raw_times = _valid_all(track.time_s, list(range(len(track))), -1e10, 1e10)
    keep, times = _order(raw_times)
    kept = [i for i in range(len(track)) if keep[i]]
    time = [times[i] for i in kept]
    starts = sorted(breaks)
    segment = [bisect_right(starts, i) for i in kept]

    def channel(values: Column | None, name: str) -> list[float | None] | None:
        if values is None:
            return None
        low, high = _BOUNDS[name]
        return _valid_all(values, kept, low, high)

    ele = channel(track.elevation_m, "elevation_m") or [None] * len(kept)
    channels = {
        name: values
        for name in ("heart_rate", "cadence", "power")
        if (values := channel(getattr(track, name), name)) is not None
        and any(v is not None for v in values)
    }
    device = None
    if track.distance_m is not None:
        device = _valid_all(track.distance_m, kept, 0.0, 1e9)
        if all(d is None for d in device):
            device = None
    if device is not None:
        dist = _device_distance(device)
    else:
        dist = _position_distance(track, kept, time, segment, max_speed_mps)
    return _Clean(time, dist, ele, channels, segment)


def _device_distance(values: list[float | None]) -> list[float]:
    first = next(v for v in values if v is not None)
    out: list[float] = []
    level = first
    for value in values:
        if value is not None and value > level:
            level = value
        out.append(level)
    return [d - first for d in out]


def _position_distance(
    track: Track,
    kept: list[int],
    time: list[float | None],
    segment: list[int],
    max_speed_mps: float,
) -> list[float]:
    points: list[tuple[int, float, float]] = []  # (index into kept, lat, lon)
    if track.lat is not None and track.lon is not None:
        lats = _valid_all(track.lat, kept, -90.0, 90.0)
        lons = _valid_all(track.lon, kept, -180.0, 180.0)
        points = [
            (k, lat, lon)
            for k, (lat, lon) in enumerate(zip(lats, lons, strict=True))
            if lat is not None and lon is not None and (lat or lon)
        ]

    def impossible(a: tuple[int, float, float], b: tuple[int, float, float], metres: float) -> bool:
        if segment[a[0]] != segment[b[0]]:
            return False  # not a jump but the way between two recordings: see ``across``
        ta, tb = time[a[0]], time[b[0]]
        if ta is None or tb is None:
            return metres > MAX_UNTIMED_LEG_M
        return metres / max(tb - ta, 1.0) > max_speed_mps

    legs = _legs(points)
    bad = [impossible(a, b, d) for a, b, d in zip(points, points[1:], legs, strict=False)]
    spikes = set()
    for j in range(1, len(points) - 1):
        if bad[j - 1] and bad[j]:
            a, b = points[j - 1], points[j + 1]
            if not impossible(a, b, _haversine(a[1], a[2], b[1], b[2])):
                spikes.add(j)
    if spikes:
        points = [p for j, p in enumerate(points) if j not in spikes]
        legs = _legs(points)
        bad = [impossible(a, b, d) for a, b, d in zip(points, points[1:], legs, strict=False)]
    across = [segment[a[0]] != segment[b[0]] for a, b in pairwise(points)]
    bad = [b or c for b, c in zip(bad, across, strict=True)]
    dist = [0.0] * len(kept)
    total = 0.0
    j = 0
    for k in range(len(kept)):
        # The positions up to and including sample k add their legs; a sample without a
        # position sits where the last one was.
        while j + 1 < len(points) and points[j + 1][0] <= k:
            if not bad[j]:
                total += legs[j]
            j += 1
        dist[k] = total
    return dist


def _legs(points: list[tuple[int, float, float]]) -> list[float]:
    """Haversine length of each leg between consecutive points (one pass, no call per leg)."""
    lat = [math.radians(p[1]) for p in points]
    lon = [math.radians(p[2]) for p in points]
    cos = [math.cos(a) for a in lat]
    sin, asin, sqrt = math.sin, math.asin, math.sqrt
    return [
        2
        * EARTH_RADIUS_M
        * asin(min(1.0, sqrt(sin((p2 - p1) / 2) ** 2 + c1 * c2 * sin((l2 - l1) / 2) ** 2)))
        for p1, p2, l1, l2, c1, c2 in zip(lat, lat[1:], lon, lon[1:], cos, cos[1:], strict=False)
    ]


def _hampel(values: list[float]) -> list[float]:
    out = list(values)
    n = len(values)
    if n < 3:
        return out
    # A sample can stray from its window's median by no more than the window's range, which is
    # at most the sum of its steps: only windows whose steps add up past the floor are examined.
    steps = [0.0, *accumulate(abs(b - a) for a, b in pairwise(values))]
    suspects = [
        j for j in range(n) if steps[min(n - 1, j + 2)] - steps[max(0, j - 2)] > SPIKE_FLOOR_M
    ]
    for j in suspects:
        window = sorted(values[max(0, j - 2) : j + 3])
        med = window[len(window) // 2] if len(window) % 2 else _mid(window)
        deviations = sorted(abs(v - med) for v in window)
        mad = deviations[len(deviations) // 2] if len(window) % 2 else _mid(deviations)
        if abs(values[j] - med) > max(3 * 1.4826 * mad, SPIKE_FLOOR_M):
            out[j] = med
    return out


def _mid(ordered: list[float]) -> float:
    half = len(ordered) // 2
    return (ordered[half - 1] + ordered[half]) / 2


def _three_point(values: list[float]) -> list[float]:
    # gpxpy's calculate_uphill_downhill filter: the end points stay as they are.
    if len(values) < 3:
        return list(values)
    inner = [
        0.3 * a + 0.4 * b + 0.3 * c for a, b, c in zip(values, values[1:], values[2:], strict=False)
    ]
    return [values[0], *inner, values[-1]]


@dataclass(frozen=True)
class _Elevation:
    per_sample: list[float | None]
    """The processed (filtered, smoothed when asked) elevation of each kept sample."""
    gain: float | None
    loss: float | None
    low: float | None
    high: float | None


def _elevation(ele: list[float | None], smooth: bool, segment: list[int]) -> _Elevation:
    """Filtered, smoothed and summed one recorded segment at a time."""
    per_sample: list[float | None] = [None] * len(ele)
    gain = loss = 0.0
    low, high = math.inf, -math.inf
    known = [(k, e) for k, e in enumerate(ele) if e is not None]
    for _, group in groupby(known, key=lambda pair: segment[pair[0]]):
        pairs = list(group)
        indices = [k for k, _ in pairs]
        values = [e for _, e in pairs]
        recorded = _hampel(values) if smooth else values
        processed = _three_point(recorded) if smooth else recorded
        for a, b in pairwise(processed):
            if b > a:
                gain += b - a
            else:
                loss += a - b
        for k, e in zip(indices, processed, strict=True):
            per_sample[k] = e
        low, high = min(low, *recorded), max(high, *recorded)
    if not known:
        return _Elevation(per_sample, None, None, None, None)
    return _Elevation(per_sample, gain, loss, low, high)


@dataclass(frozen=True)
class _Timed:
    """The timed samples and running sums along them, for interpolation at any distance."""

    time: list[float]
    dist: list[float]
    moving: list[float]
    """Moving seconds from the first timed sample to each one."""
    pause_after: list[bool]
    """Whether the leg from sample j to j+1 is a pause."""
    ele: list[float] | None
    """Elevation at each timed sample, gaps filled from the nearest sample that has one."""
    sums: dict[str, tuple[list[float], list[float]]]
    """Per channel: running ∫value·dt and running ∫dt over the legs where it was recorded."""


def _timed(clean: _Clean, ele: list[float | None], pause_s: float) -> _Timed:
    idx = [k for k, t in enumerate(clean.time) if t is not None]
    time = [clean.time[k] for k in idx]
    dist = [clean.dist[k] for k in idx]
    moving = [0.0] * len(idx)
    pause_after = [False] * len(idx)
    for j in range(1, len(idx)):
        dt = time[j] - time[j - 1]  # type: ignore[operator]
        pause = dt > pause_s or clean.segment[idx[j]] != clean.segment[idx[j - 1]]
        pause_after[j - 1] = pause
        going = not pause and dist[j] - dist[j - 1] > STOPPED_SPEED_MPS * dt
        moving[j] = moving[j - 1] + (dt if going else 0.0)
    sums = {}
    for name, values in clean.channels.items():
        at = [values[k] for k in idx]
        area = [0.0] * len(idx)
        weight = [0.0] * len(idx)
        for j in range(1, len(idx)):
            a, b = at[j - 1], at[j]
            dt = time[j] - time[j - 1]  # type: ignore[operator]
            add_area = add_weight = 0.0
            if not pause_after[j - 1] and (a is not None or b is not None):
                mean = (a + b) / 2 if a is not None and b is not None else (a if b is None else b)
                assert mean is not None
                add_area, add_weight = mean * dt, dt
            area[j] = area[j - 1] + add_area
            weight[j] = weight[j - 1] + add_weight
        sums[name] = (area, weight)
    filled: list[float] | None = None
    known = [(j, ele[k]) for j, k in enumerate(idx) if ele[k] is not None]
    if known:
        filled = []
        pos = 0
        for j in range(len(idx)):
            while pos + 1 < len(known) and known[pos + 1][0] <= j:
                pos += 1
            value = known[pos][1]
            assert value is not None
            filled.append(value)
    return _Timed(time, dist, moving, pause_after, filled, sums)  # type: ignore[arg-type]


def _locate(dist: list[float], x: float) -> tuple[int, float]:
    """(j, f): distance x lies at fraction f of the way from timed sample j-1 to j (f=1: at j)."""
    j = bisect_left(dist, x)
    if j == 0:
        return 0, 1.0
    if j >= len(dist):
        return len(dist) - 1, 1.0
    if dist[j] == x:
        return j, 1.0
    return j, (x - dist[j - 1]) / (dist[j] - dist[j - 1])


def _at(values: list[float], where: tuple[int, float]) -> float:
    j, f = where
    if f == 1.0:
        return values[j]
    return values[j - 1] + f * (values[j] - values[j - 1])


def _splits(timed: _Timed, unit_m: float) -> tuple[Split, ...]:
    if len(timed.time) < 2:
        return ()
    first, last = timed.dist[0], timed.dist[-1]
    bounds = [first]
    while bounds[-1] + unit_m <= last:
        bounds.append(first + len(bounds) * unit_m)
    if last - bounds[-1] >= MIN_PARTIAL_SPLIT_M:
        bounds.append(last)
    if len(bounds) < 2:
        return ()
    hr = timed.sums.get("heart_rate")
    out = []
    previous = _locate(timed.dist, bounds[0])
    for index, bound in enumerate(bounds[1:], start=1):
        here = _locate(timed.dist, bound)
        change = None
        if timed.ele is not None:
            change = _at(timed.ele, here) - _at(timed.ele, previous)
        heart = None
        if hr is not None:
            weight = _at(hr[1], here) - _at(hr[1], previous)
            if weight > 0:
                heart = (_at(hr[0], here) - _at(hr[0], previous)) / weight
        duration = _at(timed.moving, here) - _at(timed.moving, previous)
        out.append(Split(index, bound - bounds[index - 1], duration, change, heart))
        previous = here
    return tuple(out)


_Run = tuple[list[float], list[float], list[float], list[float]]


def _run(dist: list[float], time: list[float]) -> _Run:
    """A pause-free run, with the pace and intercept of the leg that ends on each sample k ≥ 1."""
    pace = [0.0] + [
        (tb - ta) / (db - da) if db > da else 0.0
        for da, db, ta, tb in zip(dist, dist[1:], time, time[1:], strict=False)
    ]
    base = [0.0] + [t - d * p for t, d, p in zip(time, dist, pace[1:], strict=False)]
    return dist, time, pace, base


def _fastest(run: _Run, length: float) -> tuple[float, float] | None:
    """(duration, start) of the fastest stretch of ``length`` metres in one pause-free run.

    The minimum sits where the stretch starts or ends on a sample, so both families are
    evaluated: a stretch ending on sample j starts at ``dist[j] − length``, on the leg that
    ``bisect_right`` finds (the latest time at that distance); one starting on sample i ends at
    ``dist[i] + length``, on the leg ``bisect_left`` finds (the earliest). On the leg ending on
    sample k, ``time(x) = base[k] + x × pace[k]``. Each family is a binary search per sample:
    O(n log n) per distance.
    """
    dist, time, pace, base = run
    if len(dist) < 2 or dist[-1] - dist[0] < length:
        return None
    # map() over operator functions keeps the per-sample work in C: a comprehension doing the
    # same arithmetic costs about three times as much, and this runs 7 times per track.
    j0 = bisect_left(dist, dist[0] + length)
    starts_at = list(map(sub, dist[j0:], repeat(length)))
    legs = list(map(bisect_right, repeat(dist), starts_at))
    starts = map(add, map(base.__getitem__, legs), map(mul, starts_at, map(pace.__getitem__, legs)))
    durations = list(map(sub, time[j0:], starts))
    best = min(durations)
    start = time[j0 + durations.index(best)] - best
    ends_at = list(map(add, dist[: bisect_right(dist, dist[-1] - length)], repeat(length)))
    legs = list(map(bisect_left, repeat(dist), ends_at))
    ends = map(add, map(base.__getitem__, legs), map(mul, ends_at, map(pace.__getitem__, legs)))
    from_sample = list(map(sub, ends, time))
    if from_sample and (other := min(from_sample)) < best:
        best, start = other, time[from_sample.index(other)]
    return best, start


def _best_efforts(timed: _Timed, lengths: Sequence[float]) -> tuple[BestEffort, ...]:
    runs: list[tuple[int, int]] = []
    begin = 0
    for j, pause in enumerate(timed.pause_after):
        if pause:
            runs.append((begin, j))
            begin = j + 1
    if timed.time:
        runs.append((begin, len(timed.time) - 1))
    slices = [_run(timed.dist[a : b + 1], timed.time[a : b + 1]) for a, b in runs if b > a]
    out = []
    for length in lengths:
        found = [r for run in slices if (r := _fastest(run, length)) is not None]
        if found:
            duration, start = min(found)
            out.append(BestEffort(length, duration, start))
    return tuple(out)


def _average(clean: _Clean, timed: _Timed, name: str) -> tuple[float | None, float | None]:
    values = clean.channels.get(name)
    if values is None:
        return None, None
    present = [v for v in values if v is not None]
    area, weight = timed.sums[name]
    mean = area[-1] / weight[-1] if weight and weight[-1] > 0 else sum(present) / len(present)
    return mean, max(present)


def _records_movement(track: Track) -> bool:
    """Whether the track says where or how far: positions, or a device distance that grows."""
    if track.lat is not None and track.lon is not None:
        return True
    distances = [d for d in track.distance_m or () if d is not None]
    return bool(distances) and max(distances) > min(distances)


def figures(
    track: Track,
    *,
    unit_m: float = 1000.0,
    smooth_elevation: bool = True,
    max_speed_mps: float = MAX_SPEED_MPS,
    pause_s: float = PAUSE_S,
    efforts_m: Sequence[float] = STANDARD_EFFORTS_M,
    breaks: Sequence[int] | None = None,
) -> TrackFigures:
    """Every figure of one track; see the module docstring for each rule.

    ``unit_m`` is the split length (1000 m, or ``MILE_M``); ``smooth_elevation=False`` takes a
    barometric altitude as recorded; ``breaks`` are the indices of the samples that begin a new
    recorded segment (a GPX ``<trkseg>`` or ``<trk>``, a FIT file of a chain): the track's own
    ``segment_starts`` unless given.
    """
    if not (math.isfinite(unit_m) and unit_m > 0):
        raise ValueError(f"split length {unit_m!r} m is not a positive number")
    clean = _clean(track, max_speed_mps, track.segment_starts if breaks is None else breaks)
    elevation = _elevation(clean.ele, smooth_elevation, clean.segment)
    timed = _timed(clean, elevation.per_sample, pause_s)
    hr_avg, hr_max = _average(clean, timed, "heart_rate")
    cad_avg, cad_max = _average(clean, timed, "cadence")
    pw_avg, pw_max = _average(clean, timed, "power")
    has_time = len(timed.time) >= 1
    return TrackFigures(
        samples=len(track),
        distance_m=clean.dist[-1] if clean.dist else 0.0,
        elapsed_s=timed.time[-1] - timed.time[0] if has_time else None,
        moving_time_s=timed.moving[-1] if has_time and _records_movement(track) else None,
        elevation_gain_m=elevation.gain,
        elevation_loss_m=elevation.loss,
        elevation_min_m=elevation.low,
        elevation_max_m=elevation.high,
        heart_rate_avg=hr_avg,
        heart_rate_max=hr_max,
        cadence_avg=cad_avg,
        cadence_max=cad_max,
        power_avg=pw_avg,
        power_max=pw_max,
        splits=_splits(timed, unit_m),
        best_efforts=_best_efforts(timed, efforts_m),
    )


def speed_series(track: Track, points: int, *, max_speed_mps: float = MAX_SPEED_MPS) -> list[float]:
    """Moving speed (m/s) over ``points`` equal stretches of distance, for a sparkline.

    A stretch with no moving time (a jump, a stop) is 0.0. Empty without times or distance; a
    caller wanting pace takes 1/speed.
    """
    if points < 1:
        return []
    clean = _clean(track, max_speed_mps, track.segment_starts)
    timed = _timed(clean, [None] * len(clean.time), PAUSE_S)
    if len(timed.time) < 2 or timed.dist[-1] <= timed.dist[0]:
        return []
    first, step = timed.dist[0], (timed.dist[-1] - timed.dist[0]) / points
    clock = [_at(timed.moving, _locate(timed.dist, first + i * step)) for i in range(points + 1)]
    return [step / (b - a) if b > a else 0.0 for a, b in pairwise(clock)]


def elevation_series(
    track: Track,
    points: int,
    *,
    smooth_elevation: bool = True,
    max_speed_mps: float = MAX_SPEED_MPS,
) -> list[float]:
    """The (filtered) elevation at ``points`` evenly spaced distances along the track.

    Spaced by sample when the track has no distance; empty without elevation.
    """
    if points < 1:
        return []
    clean = _clean(track, max_speed_mps, track.segment_starts)
    elevation = _elevation(clean.ele, smooth_elevation, clean.segment)
    known = [(d, e) for d, e in zip(clean.dist, elevation.per_sample, strict=True) if e is not None]
    if not known:
        return []
    if points == 1 or len(known) == 1:
        return [known[0][1]] * points
    dist = [d for d, _ in known]
    ele = [e for _, e in known]
    if dist[-1] <= dist[0]:
        dist = [float(i) for i in range(len(known))]
    step = (dist[-1] - dist[0]) / (points - 1)
    return [_at(ele, _locate(dist, dist[0] + i * step)) for i in range(points)]
