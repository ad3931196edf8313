"""Figures of a track: each cleaning rule, each figure on hand-made samples, and the shared GPX
files against gpxpy (built into a Track here, independently of fittrack's own parsers)."""

import json
import math
import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import gpxpy
import pytest

from fittrack.core.track import Track, column
from fittrack.core.track_figures import (
    EARTH_RADIUS_M,
    MILE_M,
    BestEffort,
    Split,
    _fastest,
    _run,
    elevation_series,
    figures,
    speed_series,
)

START = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
GPX = Path(__file__).resolve().parents[3] / "shared" / "data" / "gpx"
if not GPX.is_dir():  # a worktree sits next to main under /work
    GPX = Path("/work/shared/data/gpx")


def lat_at(metres: float) -> float:
    """Latitude ``metres`` north of 10°N along a meridian, where haversine is exactly R·Δφ."""
    return 10.0 + math.degrees(metres / EARTH_RADIUS_M)


def along(
    metres: list[float | None], times: list[float | None], **columns: list[float | None]
) -> Track:
    """A track going north along the meridian 20°E; None in ``metres`` is a sample without fix."""
    lat = [None if m is None else lat_at(m) for m in metres]
    lon = [None if m is None else 20.0 for m in metres]
    return Track(
        START,
        tuple(times),
        column(lat),
        column(lon),
        **{name: column(values) for name, values in columns.items()},
    )


def device(
    metres: list[float | None], times: list[float | None], **columns: list[float | None]
) -> Track:
    """A track with the device's own distance column and no positions (a FIT/TCX file)."""
    return Track(
        START,
        tuple(times),
        distance_m=column(metres),
        **{name: column(values) for name, values in columns.items()},
    )


# --- too little to say ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "track",
    [
        Track(None, ()),
        Track(START, (0.0,)),
        Track(START, (None, None)),
        Track(START, (0.0, 1.0), heart_rate=(None, None)),
    ],
    ids=["empty", "one time", "untimed, no columns", "no heart rate"],
)
def test_too_little_gives_nothing_never_an_exception(track: Track) -> None:
    result = figures(track)
    assert result.distance_m == 0.0
    assert result.heart_rate_avg is None and result.heart_rate_max is None
    assert result.splits == () and result.best_efforts == ()
    assert speed_series(track, 10) == []
    json.dumps(result.to_json())


def test_a_track_of_heart_rate_alone_has_no_moving_time() -> None:
    # A pool swim's watch records time and heart rate, no position and no distance: nothing says
    # when it moved, which is not the same as 0:00 of moving.
    track = Track(START, (0.0, 60.0, 120.0), heart_rate=(120.0, 130.0, 140.0))
    result = figures(track)
    assert (result.elapsed_s, result.moving_time_s) == (120.0, None)
    assert result.heart_rate_avg == pytest.approx(130.0)
    # The same with a device distance that never grows (a pool swim's watch writes 0 m).
    zeros = replace(track, distance_m=(0.0, 0.0, 0.0))
    assert figures(zeros).moving_time_s is None
    # A distance that grows is movement, positions or not.
    grows = replace(track, distance_m=(0.0, 100.0, 200.0))
    assert figures(grows).moving_time_s == 120.0


def test_one_point_has_its_own_values() -> None:
    result = figures(along([0.0], [0.0], heart_rate=[140.0], elevation_m=[100.0]))
    assert (result.samples, result.elapsed_s, result.moving_time_s) == (1, 0.0, 0.0)
    assert (result.heart_rate_avg, result.heart_rate_max) == (140.0, 140.0)
    assert (result.elevation_gain_m, result.elevation_min_m) == (0.0, 100.0)
    assert elevation_series(along([0.0], [0.0], elevation_m=[100.0]), 3) == [100.0] * 3


# --- cleaning --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metres", "times", "distance", "elapsed"),
    [
        # time going backwards: the sample at t=5 (a position 900 m off) is dropped, all of it
        ([0.0, 100.0, 900.0, 200.0], [0.0, 10.0, 5.0, 20.0], 200.0, 20.0),
        # one timestamp jumps ahead and the clock comes back: the jumper goes, not the rest
        # (its position goes too, though a straight line gives the same distance)
        ([0.0, 100.0, 200.0, 300.0, 400.0], [0.0, 10.0, 9999.0, 20.0, 30.0], 400.0, 30.0),
        # the first sample jumps ahead of all the others
        ([500.0, 0.0, 100.0, 200.0], [9999.0, 0.0, 10.0, 20.0], 200.0, 20.0),
        # a duplicate time keeps its position (distance) but is no time sample
        ([0.0, 50.0, 100.0], [0.0, 10.0, 10.0], 100.0, 10.0),
        # NaN and inf times are no times; their positions count
        ([0.0, 50.0, 100.0, 150.0], [0.0, math.nan, math.inf, 30.0], 150.0, 30.0),
        # samples without a fix sit where the last fix was
        ([0.0, None, None, 300.0], [0.0, 1.0, 2.0, 60.0], 300.0, 60.0),
    ],
    ids=["backwards", "one jump ahead", "first jumps ahead", "duplicate", "nan time", "no fix"],
)
def test_time_and_position_cleaning(
    metres: list[float | None], times: list[float | None], distance: float, elapsed: float
) -> None:
    result = figures(along(metres, times))
    assert result.distance_m == pytest.approx(distance, abs=1e-6)
    assert result.elapsed_s == elapsed


def test_a_position_spike_across_the_world_is_dropped() -> None:
    clean = along([0.0, 10.0, 20.0, 30.0], [0.0, 1.0, 2.0, 3.0])
    lat = list(clean.lat or ())
    lon = list(clean.lon or ())
    lat.insert(2, -33.9)  # Cape Town, between two samples one second apart
    lon.insert(2, 18.4)
    spiky = Track(START, (0.0, 1.0, 1.5, 2.0, 3.0), tuple(lat), tuple(lon))
    assert figures(spiky).distance_m == pytest.approx(30.0, abs=1e-6)


def test_a_jump_that_does_not_come_back_adds_nothing() -> None:
    # 5 km in one second, then the track goes on from there: the jump is no distance.
    track = along([0.0, 10.0, 5010.0, 5020.0], [0.0, 1.0, 2.0, 3.0])
    assert figures(track).distance_m == pytest.approx(20.0, abs=1e-6)
    # The same 5 km over an hour is possible (a long gap), and counts.
    track = along([0.0, 10.0, 5010.0, 5020.0], [0.0, 1.0, 3601.0, 3602.0])
    assert figures(track).distance_m == pytest.approx(5020.0, abs=1e-6)


def test_untimed_legs_count_unless_longer_than_20_km() -> None:
    assert figures(along([0.0, 100.0, 300.0], [None, None, None])).distance_m == pytest.approx(
        300.0
    )
    far = along([0.0, 100.0, 30100.0], [None, None, None])
    assert figures(far).distance_m == pytest.approx(100.0)


def test_null_island_and_out_of_range_positions_are_no_fix() -> None:
    track = Track(
        START,
        (0.0, 1.0, 2.0, 3.0),
        (lat_at(0.0), 0.0, 95.0, lat_at(10.0)),
        (20.0, 0.0, 20.0, 20.0),
    )
    assert figures(track).distance_m == pytest.approx(10.0, abs=1e-6)


@pytest.mark.parametrize(
    ("values", "avg", "high"),
    [
        ([120.0, math.nan, 120.0, 130.0], 365 / 3, 130.0),  # NaN dropped; trapezoids of 1 s
        ([120.0, 0.0, 120.0, 130.0], 365 / 3, 130.0),  # 0 bpm is a lost strap, not a heart rate
        ([120.0, 300.0, 120.0, 130.0], 365 / 3, 130.0),  # above 250 bpm: impossible
        ([math.inf, None, None, None], None, None),
    ],
)
def test_impossible_heart_rates_are_not_recorded(
    values: list[float | None], avg: float | None, high: float | None
) -> None:
    # With one sample missing, its legs take the known neighbour's value: (120 + 120 + 125) / 3.
    result = figures(device([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0], heart_rate=values))
    assert result.heart_rate_max == high
    if avg is None:
        assert result.heart_rate_avg is None
    else:
        assert result.heart_rate_avg == pytest.approx(avg)


def test_device_distance_going_down_or_missing_is_held() -> None:
    track = device([5.0, 105.0, 95.0, None, 305.0], [0.0, 10.0, 20.0, 30.0, 40.0])
    result = figures(track, unit_m=100.0)
    assert result.distance_m == 300.0  # counted from the first value
    assert [s.distance_m for s in result.splits] == [100.0, 100.0, 100.0]


def test_device_distance_wins_over_positions() -> None:
    track = Track(START, (0.0, 10.0), (lat_at(0), lat_at(50)), (20.0, 20.0), distance_m=(0.0, 42.0))
    assert figures(track).distance_m == 42.0


# --- pauses and moving time --------------------------------------------------------------


def test_a_gap_of_hours_is_a_pause() -> None:
    # 1 km in 250 s, two hours without a sample, 1 km in 250 s.
    metres = [0.0, 500.0, 1000.0, 1000.0, 1500.0, 2000.0]
    times = [0.0, 125.0, 250.0, 7450.0, 7575.0, 7700.0]
    result = figures(along(metres, times, heart_rate=[100.0, 100.0, 100.0, 160.0, 160.0, 160.0]))
    assert result.distance_m == pytest.approx(2000.0)
    assert result.elapsed_s == 7700.0
    assert result.moving_time_s == 500.0
    assert result.heart_rate_avg == pytest.approx(130.0)  # the pause weighs nothing
    # No best effort spans the pause: 1 km exists on both sides, 1 mile nowhere.
    assert [e.distance_m for e in result.best_efforts] == [400.0, 1000.0]
    assert result.best_efforts[1].duration_s == pytest.approx(250.0)


def test_moving_over_a_pause_still_counts_the_distance_but_not_the_time() -> None:
    result = figures(along([0.0, 1000.0, 4000.0], [0.0, 250.0, 1250.0]))
    assert result.distance_m == pytest.approx(4000.0)
    assert result.moving_time_s == 250.0


@pytest.mark.parametrize(
    ("metres", "moving"),
    [
        ([0.0, 10.0, 20.0, 30.0], 30.0),  # 1 m/s
        ([0.0, 10.0, 10.0, 20.0], 20.0),  # standing still for 10 s
        ([0.0, 10.0, 12.0, 22.0], 20.0),  # 0.2 m/s = 0.72 km/h: stopped (under 1 km/h)
        ([0.0, 10.0, 13.0, 23.0], 30.0),  # 0.3 m/s = 1.08 km/h: moving
    ],
)
def test_moving_time_is_legs_faster_than_1_kmh(metres: list[float], moving: float) -> None:
    assert figures(along(metres, [0.0, 10.0, 20.0, 30.0])).moving_time_s == moving


# --- elevation -----------------------------------------------------------------------------


def test_elevation_three_point_smoothing_by_hand() -> None:
    # gpxgo__file.gpx's four elevations: smoothed 59.26, 63.779, 65.123, 63.58.
    track = along(
        [0.0, 1.0, 2.0, 3.0], [0.0, 25.0, 42.0, 64.0], elevation_m=[59.26, 65.51, 65.99, 63.58]
    )
    result = figures(track)
    assert result.elevation_gain_m == pytest.approx(5.863)
    assert result.elevation_loss_m == pytest.approx(1.543)
    assert (result.elevation_min_m, result.elevation_max_m) == (59.26, 65.99)
    as_recorded = figures(track, smooth_elevation=False)
    assert as_recorded.elevation_gain_m == pytest.approx(65.99 - 59.26)
    assert as_recorded.elevation_loss_m == pytest.approx(65.99 - 63.58)


def test_an_elevation_spike_is_removed_only_when_smoothing() -> None:
    ele = [100.0, 101.0, 102.0, 400.0, 104.0, 105.0, 106.0]
    track = along([float(i) for i in range(7)], [float(i) for i in range(7)], elevation_m=ele)
    smooth = figures(track)
    assert smooth.elevation_max_m == 106.0
    assert smooth.elevation_gain_m == pytest.approx(6.0)
    assert smooth.elevation_loss_m == pytest.approx(0.0)
    raw = figures(track, smooth_elevation=False)
    assert raw.elevation_gain_m == pytest.approx(302.0)
    assert raw.elevation_loss_m == pytest.approx(296.0)
    assert raw.elevation_max_m == 400.0


def test_a_step_and_a_summit_survive_the_spike_filter() -> None:
    step = [100.0, 100.0, 100.0, 200.0, 200.0, 200.0]
    summit = [100.0, 160.0, 220.0, 160.0, 100.0]
    for ele in (step, summit):
        n = len(ele)
        track = along([float(i) for i in range(n)], [float(i) for i in range(n)], elevation_m=ele)
        assert figures(track).elevation_max_m == max(ele)


def test_impossible_elevations_are_ignored() -> None:
    track = along([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], elevation_m=[100.0, math.nan, 12000.0])
    result = figures(track)
    assert (result.elevation_gain_m, result.elevation_min_m, result.elevation_max_m) == (
        0.0,
        100.0,
        100.0,
    )


def test_no_elevation_gives_none() -> None:
    result = figures(along([0.0, 10.0], [0.0, 1.0]))
    assert result.elevation_gain_m is None and result.elevation_loss_m is None
    assert all(s.elevation_change_m is None for s in result.splits)
    assert elevation_series(along([0.0, 10.0], [0.0, 1.0]), 5) == []


# --- averages ------------------------------------------------------------------------------


def test_averages_are_time_weighted() -> None:
    # 10 s at 100 then 50 s at 160 (trapezoids: 10·(100+100)/2 + 50·(100+160)/2 … by hand below).
    track = device(
        [0.0, 40.0, 240.0],
        [0.0, 10.0, 60.0],
        heart_rate=[100.0, 100.0, 160.0],
        cadence=[0.0, 80.0, 90.0],
        power=[200.0, 0.0, 300.0],
    )
    result = figures(track)
    assert result.heart_rate_avg == pytest.approx((10 * 100 + 50 * 130) / 60)
    assert result.heart_rate_max == 160.0
    assert result.cadence_avg == pytest.approx((10 * 40 + 50 * 85) / 60)  # zeros count
    assert result.cadence_max == 90.0
    assert result.power_avg == pytest.approx((10 * 100 + 50 * 150) / 60)
    assert result.power_max == 300.0


def test_untimed_heart_rate_is_a_plain_mean() -> None:
    result = figures(along([0.0, 1.0, 2.0], [None, None, None], heart_rate=[100.0, 110.0, 150.0]))
    assert result.heart_rate_avg == pytest.approx(120.0)


# --- splits --------------------------------------------------------------------------------


def test_splits_at_constant_speed_with_a_partial_last() -> None:
    # 4 m/s, a sample every 300 m (75 s): every boundary is interpolated.
    metres = [300.0 * i for i in range(9)] + [2500.0]
    times = [75.0 * i for i in range(9)] + [625.0]
    ele = [100.0 + m / 100 for m in metres]  # +10 m a km
    result = figures(along(metres, times, elevation_m=ele, heart_rate=[150.0] * 10))
    assert [(s.index, round(s.distance_m, 6), round(s.duration_s, 6)) for s in result.splits] == [
        (1, 1000.0, 250.0),
        (2, 1000.0, 250.0),
        (3, 500.0, 125.0),
    ]
    assert [s.elevation_change_m for s in result.splits] == pytest.approx([10.0, 10.0, 5.0])
    assert all(s.heart_rate_avg == pytest.approx(150.0) for s in result.splits)


def test_splits_per_mile_and_a_partial_under_a_metre_is_dropped() -> None:
    metres = [0.0, MILE_M / 2, MILE_M, 1.5 * MILE_M, 2 * MILE_M + 0.5]
    result = figures(device(metres, [0.0, 240.0, 480.0, 720.0, 960.15]), unit_m=MILE_M)
    assert [s.distance_m for s in result.splits] == [MILE_M, MILE_M]
    assert result.splits[1].duration_s == pytest.approx(480.0, abs=0.2)


def test_a_stop_inside_a_split_is_not_in_its_duration() -> None:
    # 500 m in 125 s, 60 s standing still, 500 m in 125 s.
    track = device(
        [0.0, 500.0, 500.0, 1000.0],
        [0.0, 125.0, 185.0, 310.0],
        heart_rate=[150.0, 150.0, 90.0, 150.0],
    )
    (split,) = figures(track).splits
    assert split.duration_s == pytest.approx(250.0)
    # The heart rate weighs the stop by its time: (125·150 + 60·120 + 125·120) / 310.
    assert split.heart_rate_avg == pytest.approx((125 * 150 + 60 * 120 + 125 * 120) / 310)


def test_split_heart_rate_by_hand() -> None:
    track = device([0.0, 1000.0, 2000.0], [0.0, 300.0, 600.0], heart_rate=[120.0, 140.0, 160.0])
    assert [s.heart_rate_avg for s in figures(track).splits] == pytest.approx([130.0, 150.0])


def test_split_length_must_be_positive() -> None:
    for bad in (0.0, -1000.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="split length"):
            figures(Track(None, ()), unit_m=bad)


# --- best efforts --------------------------------------------------------------------------


def test_best_effort_inside_a_faster_middle() -> None:
    # 1 km at 5:00/km, 1 km at 4:00/km, 1 km at 5:00/km, a sample every 100 m.
    metres, times, t = [0.0], [0.0], 0.0
    for i in range(30):
        t += 24.0 if 10 <= i < 20 else 30.0
        metres.append(100.0 * (i + 1))
        times.append(t)
    result = figures(along(metres, times))
    by = {e.distance_m: e for e in result.best_efforts}
    assert sorted(by) == [400.0, 1000.0, MILE_M]
    assert by[1000.0] == BestEffort(1000.0, pytest.approx(240.0), pytest.approx(300.0))
    assert by[400.0].duration_s == pytest.approx(96.0)
    # A mile: the fast km and 609.344 m at 5:00/km.
    assert by[MILE_M].duration_s == pytest.approx(240.0 + 609.344 * 0.3)


def test_best_effort_starting_on_a_sample_between_two_ends() -> None:
    # Legs: 1000 m at 1 s/m, 1000 m at 0.2 s/m, 600 m at 0.5 s/m. The fastest 1200 m starts on
    # the second sample (at 1000 s), ends inside the last leg and takes 300 s; a search that only
    # tried stretches ending on a sample would find 400 s.
    run = _run([0.0, 1000.0, 2000.0, 2600.0], [0.0, 1000.0, 1200.0, 1500.0])
    assert _fastest(run, 1200.0) == pytest.approx((300.0, 1000.0))


def _brute_force(dist: list[float], time: list[float], length: float) -> float:
    def time_at(x: float, latest: bool) -> float:
        same = [t for d, t in zip(dist, time, strict=True) if d == x]
        if same:
            return max(same) if latest else min(same)
        k = max(i for i, d in enumerate(dist) if d < x)
        return time[k] + (x - dist[k]) / (dist[k + 1] - dist[k]) * (time[k + 1] - time[k])

    starts = [d for d in dist if d + length <= dist[-1]] + [
        d - length for d in dist if d - length >= dist[0]
    ]
    return min(time_at(x + length, False) - time_at(x, True) for x in starts)


@pytest.mark.parametrize("seed", range(40))
def test_best_effort_equals_brute_force_on_random_tracks(seed: int) -> None:
    rng = random.Random(seed)
    dist, time = [0.0], [0.0]
    for _ in range(rng.randint(2, 60)):
        dist.append(dist[-1] + rng.choice([0.0, rng.uniform(1, 400)]))
        time.append(time[-1] + rng.uniform(1, 200))
    length = rng.uniform(1, max(dist[-1], 2))
    found = _fastest(_run(dist, time), length)
    if dist[-1] - dist[0] < length:
        assert found is None
    else:
        assert found is not None
        assert found[0] == pytest.approx(_brute_force(dist, time, length))


def test_only_distances_the_track_covers() -> None:
    result = figures(device([0.0, 999.0], [0.0, 300.0]))
    assert [e.distance_m for e in result.best_efforts] == [400.0]


# --- output ---------------------------------------------------------------------------------


def test_to_json_is_the_product_track_object() -> None:
    track = along(
        [0.0, 600.0, 1200.0],
        [0.0, 150.0, 300.0],
        heart_rate=[140.0, 150.0, 160.0],
        elevation_m=[10.0, 12.0, 11.0],
    )
    data = figures(track).to_json()
    product = {
        "samples",
        "elevation_gain_m",
        "elevation_loss_m",
        "heart_rate_avg",
        "heart_rate_max",
        "splits",
        "best_efforts",
    }
    assert product <= set(data)
    assert set(data["splits"][0]) == {
        "index",
        "distance_m",
        "duration_s",
        "elevation_change_m",
        "heart_rate_avg",
    }
    assert set(data["best_efforts"][0]) == {"distance_m", "duration_s", "start_offset_s"}
    assert data["samples"] == 3
    assert data["splits"][0] == {
        "index": 1,
        "distance_m": 1000.0,
        "duration_s": 250.0,
        "elevation_change_m": 1.0,  # smoothed 10, 11.1, 11: at 1000 m 11.033
        # 150 s at (140+150)/2, then 100 s of the leg cut by the boundary at its mean, 155.
        "heart_rate_avg": 149.0,
    }
    json.dumps(data)
    assert isinstance(figures(track).splits[0], Split)


def test_series_for_sparklines() -> None:
    # 500 m at 5 m/s, then 500 m at 2 m/s.
    track = along(
        [0.0, 250.0, 500.0, 750.0, 1000.0],
        [0.0, 50.0, 100.0, 225.0, 350.0],
        elevation_m=[0.0, 10.0, 20.0, 30.0, 40.0],
    )
    assert speed_series(track, 4) == pytest.approx([5.0, 5.0, 2.0, 2.0])
    assert speed_series(track, 0) == []
    assert elevation_series(track, 3, smooth_elevation=False) == pytest.approx([0.0, 20.0, 40.0])
    assert len(elevation_series(track, 50)) == 50


# --- the shared GPX files against gpxpy ---------------------------------------------------


def _segments(name: str) -> list[list[gpxpy.gpx.GPXTrackPoint]]:
    with (GPX / name).open() as handle:
        gpx = gpxpy.parse(handle)
    return [s.points for t in gpx.tracks for s in t.segments if len(s.points) >= 2]


def _as_track(points: list[gpxpy.gpx.GPXTrackPoint]) -> Track:
    first = next((p.time for p in points if p.time), None)
    return Track(
        first,
        tuple(
            None if p.time is None or first is None else (p.time - first).total_seconds()
            for p in points
        ),
        column([p.latitude for p in points]),
        column([p.longitude for p in points]),
        column([p.elevation for p in points]),
    )


GPX_FILES = [
    "gpxgo__file.gpx",
    "gpxpy__cerknicko-jezero.gpx",
    "gpxpy__cerknicko-without-times.gpx",
    "gpxpy__korita-zbevnica.gpx",
    "gpxpy__track-with-empty-segment.gpx",
]
# (file, segment): where the figures knowingly differ from gpxpy's, and why.
UPHILL_DIFFERS = {("gpxpy__korita-zbevnica.gpx", 0)}  # a 60 m one-sample spike is removed
MOVING_DIFFERS = {("gpxpy__cerknicko-jezero.gpx", 6)}  # gpxpy's 3D legs count a 45 m altitude jump


@pytest.mark.skipif(not GPX.is_dir(), reason="the shared data directory is not there")
@pytest.mark.parametrize("name", GPX_FILES)
def test_gpx_files_match_gpxpy(name: str) -> None:
    segments = _segments(name)
    assert segments
    total = reference = 0.0
    for number, points in enumerate(segments):
        segment = gpxpy.gpx.GPXTrackSegment(points)
        result = figures(_as_track(points))
        assert result.distance_m == pytest.approx(segment.length_2d(), rel=0.005)
        total += result.distance_m
        reference += segment.length_2d()
        up, down = segment.get_uphill_downhill()
        if (name, number) in UPHILL_DIFFERS:
            assert result.elevation_gain_m == pytest.approx(up - 5.48, abs=0.01)
        else:
            assert result.elevation_gain_m == pytest.approx(up, abs=1e-6)
            assert result.elevation_loss_m == pytest.approx(down, abs=1e-6)
        moving = segment.get_moving_data()
        timed = [p for p in points if p.time]
        if len(timed) == len(points) and (name, number) not in MOVING_DIFFERS:
            assert moving is not None
            assert result.moving_time_s == moving.moving_time
    assert total == pytest.approx(reference, rel=0.005)


@pytest.mark.skipif(not GPX.is_dir(), reason="the shared data directory is not there")
def test_gpxgo_manifest_expectations() -> None:
    (points,) = _segments("gpxgo__file.gpx")
    result = figures(_as_track(points))
    assert result.moving_time_s == 39.0
    assert result.elapsed_s == 64.0
    assert result.elevation_gain_m == pytest.approx(5.863, abs=5e-4)
    assert result.elevation_loss_m == pytest.approx(1.543, abs=5e-4)
    assert result.distance_m == pytest.approx(56.776, rel=0.005)


def test_segment_breaks_add_no_distance_and_are_pauses() -> None:
    # Two recordings 5 km apart and 10 minutes apart in time, elevation 100 → 200 m between them.
    metres = [0.0, 100.0, 200.0, 5200.0, 5300.0]
    times = [0.0, 30.0, 60.0, 660.0, 690.0]
    ele = [100.0, 100.0, 100.0, 200.0, 200.0]
    track = along(metres, times, elevation_m=ele)
    joined = figures(track)
    assert joined.distance_m == pytest.approx(5300.0)
    split = figures(track, breaks=[3])
    assert split.distance_m == pytest.approx(300.0)
    assert split.moving_time_s == 90.0
    assert split.elevation_gain_m == 0.0
    assert (split.elevation_min_m, split.elevation_max_m) == (100.0, 200.0)


@pytest.mark.skipif(not GPX.is_dir(), reason="the shared data directory is not there")
@pytest.mark.parametrize("name", GPX_FILES)
def test_a_whole_gpx_file_with_its_breaks_is_the_sum_of_its_segments(name: str) -> None:
    segments = _segments(name)
    points = [p for segment in segments for p in segment]
    breaks, at = [], 0
    for segment in segments[:-1]:
        at += len(segment)
        breaks.append(at)
    whole = figures(_as_track(points), breaks=breaks)
    parts = [figures(_as_track(segment)) for segment in segments]
    assert whole.distance_m == pytest.approx(sum(p.distance_m for p in parts))
    assert whole.elevation_gain_m == pytest.approx(sum(p.elevation_gain_m or 0 for p in parts))
    assert whole.elevation_loss_m == pytest.approx(sum(p.elevation_loss_m or 0 for p in parts))
    if all(p.time for p in points):
        assert whole.moving_time_s == sum(p.moving_time_s or 0 for p in parts)


def test_a_track_carries_its_own_segment_starts() -> None:
    # Two segments 1 km apart: the way between them is not travelled.
    first = Track(
        start=None,
        time_s=(0.0, 10.0, 3600.0, 3610.0),
        lat=(10.0, 10.0001, 10.009, 10.0091),
        lon=(20.0, 20.0, 20.0, 20.0),
        segment_starts=(2,),
    )
    joined = replace(first, segment_starts=())
    assert figures(first).distance_m == pytest.approx(2 * 11.12, abs=0.05)
    assert figures(joined).distance_m > 1000
    assert figures(first, breaks=()).distance_m == figures(joined).distance_m


@pytest.mark.parametrize("starts", [(0,), (4,), (2, 1), (1, 1)])
def test_segment_starts_must_be_rising_indices_inside_the_track(starts: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="segment starts"):
        Track(start=None, time_s=(0.0, 1.0, 2.0, 3.0), segment_starts=starts)
