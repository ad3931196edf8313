"""What ``show`` prints about an activity's track: its figures, splits, best efforts, two
sparklines, and with ``--route`` the route drawn in Braille.

Every line fits 60 columns (the splits and efforts tables are a few short columns; the
sparklines are ``SPARK_WIDTH`` cells beside a short label and their range), so the section reads
the same on a narrow terminal and in a pipe, where it is plain text like the rest of ``show``.
"""

import math
from collections.abc import Sequence
from typing import Any

from fittrack.cli.render import base
from fittrack.cli.render.drawing import route as draw_route
from fittrack.cli.render.drawing import sparkline
from fittrack.core.display import (
    format_distance,
    format_duration,
    format_figure,
    format_whole,
)
from fittrack.core.track import Track
from fittrack.core.track_figures import EARTH_RADIUS_M, MILE_M, TrackFigures

SPARK_WIDTH = 30
"""Cells of each sparkline: with its label and range it stays within 60 columns."""
ROUTE_HEIGHT = 20
PIPE_ROUTE_WIDTH = 60
"""A route drawn into a pipe has no terminal to fit: a fixed size, the same on every machine."""

_FEET_PER_M = 1 / 0.3048

_EFFORT_NAMES = {
    400.0: "400 m",
    1000.0: "1 km",
    MILE_M: "1 mile",
    5000.0: "5 km",
    10000.0: "10 km",
    21097.5: "half marathon",
    42195.0: "marathon",
}


def _height(metres: float, units: str, signed: bool = False) -> str:
    """An elevation, or a change of it, in metres or feet (imperial), whole."""
    value, unit = (metres, "m") if units == "metric" else (metres * _FEET_PER_M, "ft")
    whole = round(value)
    sign = "+" if signed and whole > 0 else ""
    return f"{sign}{whole:,} {unit}".replace("-", "−")


def _speed_label(figure: str) -> str:
    return "speed" if figure == "speed" else "pace"


def _how_fast(figure: str, speed_mps: float, units: str) -> str:
    """A speed (m/s) in the sport's figure: ``5:30 /km``, ``24.5 km/h``."""
    return format_figure(figure, 1000.0 / speed_mps, 1000.0, units)


def track_detail(
    figures: TrackFigures,
    speeds: Sequence[float],
    elevations: Sequence[float],
    units: str,
    figure: str | None,
) -> None:
    """The track's section of ``show``, after the activity's own fields.

    ``figures`` were computed with splits of one kilometre (metric) or one mile (imperial);
    ``figure`` is the type's way of saying how fast (None: a type without distance, whose
    splits and efforts say no pace); ``speeds`` and ``elevations`` are the sparklines' values
    (``core.track_figures.speed_series`` and ``elevation_series``).
    """
    console = base.stdout_console()
    console.print(f"\nTrack ({base.plural(figures.samples, 'sample')})")
    rows: list[tuple[str, str | base.Text]] = []
    if figures.elevation_gain_m is not None and figures.elevation_loss_m is not None:
        rows.append(
            (
                "elevation",
                f"{_height(figures.elevation_gain_m, units)} up, "
                f"{_height(figures.elevation_loss_m, units)} down",
            )
        )
    if figures.elevation_min_m is not None and figures.elevation_max_m is not None:
        rows.append(
            (
                "lowest/highest",
                f"{_height(figures.elevation_min_m, units)} / "
                f"{_height(figures.elevation_max_m, units)}",
            )
        )
    for label, average, most, unit in (
        ("heart rate", figures.heart_rate_avg, figures.heart_rate_max, "bpm"),
        ("cadence", figures.cadence_avg, figures.cadence_max, "/min"),
        ("power", figures.power_avg, figures.power_max, "W"),
    ):
        if average is not None and most is not None:
            rows.append((label, f"{format_whole(average)} avg, {format_whole(most)} max {unit}"))
    if figures.moving_time_s is not None:
        moving = format_duration(figures.moving_time_s)
        if figures.elapsed_s is not None and figures.elapsed_s > figures.moving_time_s + 0.5:
            moving += f" of {format_duration(figures.elapsed_s)} elapsed"
        # Not "moving time": that is the activity's own (the device's timer, when the file has
        # one) a few lines above; this one is measured from the samples, and may differ.
        rows.append(("in motion", moving))
    if rows:
        base.grid(console, rows)
    _splits(console, figures, units, figure)
    _efforts(console, figures, units, figure)
    lines = _sparklines(speeds, elevations, units, figure)
    if lines:
        console.print("")
        base.grid(console, lines)


def _splits(console: Any, figures: TrackFigures, units: str, figure: str | None) -> None:
    if not figures.splits:
        return
    unit_m, unit = (1000.0, "km") if units == "metric" else (MILE_M, "mi")
    console.print("\nSplits")
    columns = [base.Column(unit, right=True), base.Column("time", right=True)]
    if figure is not None:
        columns.append(base.Column(_speed_label(figure), right=True))
    has_elevation = any(s.elevation_change_m is not None for s in figures.splits)
    has_heart = any(s.heart_rate_avg is not None for s in figures.splits)
    if has_elevation:
        columns.append(base.Column("elev", right=True))
    if has_heart:
        columns.append(base.Column("hr", right=True))
    rows = []
    covered = 0.0
    for split in figures.splits:
        covered += split.distance_m
        # A whole split says its number; the last, partial one where the track ended.
        whole = abs(split.distance_m - unit_m) < 0.5
        row = [str(split.index) if whole else f"{covered / unit_m:.2f}"]
        row.append(format_duration(split.duration_s))
        if figure is not None:
            row.append(format_figure(figure, split.duration_s, split.distance_m, units))
        if has_elevation:
            change = split.elevation_change_m
            row.append("" if change is None else _height(change, units, signed=True))
        if has_heart:
            heart = split.heart_rate_avg
            row.append("" if heart is None else format_whole(heart))
        rows.append(row)
    base.table(console, columns, rows)


def _efforts(console: Any, figures: TrackFigures, units: str, figure: str | None) -> None:
    if not figures.best_efforts:
        return
    console.print("\nBest efforts")
    columns = [base.Column("distance"), base.Column("time", right=True)]
    if figure is not None:
        columns.append(base.Column(_speed_label(figure), right=True))
    columns.append(base.Column("from", right=True))
    rows = []
    for effort in figures.best_efforts:
        name = _EFFORT_NAMES.get(effort.distance_m) or format_distance(effort.distance_m, units)
        # The tenth of a second kept by --json and by summary's records (which read the cached
        # efforts as --json has them): 1057.47 s shows as 17:38 here as it does there.
        duration = round(effort.duration_s, 1)
        row = [name, format_duration(duration)]
        if figure is not None:
            row.append(format_figure(figure, duration, effort.distance_m, units))
        # Where in the activity: how long after the track began the stretch started.
        row.append(f"{format_duration(effort.start_offset_s)} in")
        rows.append(row)
    base.table(console, columns, rows)


def _sparklines(
    speeds: Sequence[float], elevations: Sequence[float], units: str, figure: str | None
) -> list[tuple[str, str | base.Text]]:
    """(label, line and range) of pace or speed and of elevation; none without the data."""
    out: list[tuple[str, str | base.Text]] = []
    moving = [s for s in speeds if s > 0]
    if figure is not None and moving:
        if figure == "speed":
            values: list[float | None] = list(speeds)
        else:
            # Seconds per kilometre: a taller bar is a slower stretch, as the number reads.
            values = [1000.0 / s if s > 0 else None for s in speeds]
        fast, slow = _how_fast(figure, max(moving), units), _how_fast(figure, min(moving), units)
        span = _range(slow, fast) if figure == "speed" else _range(fast, slow)
        out.append((_speed_label(figure), base.Text(f"{sparkline(values, SPARK_WIDTH)}  {span}")))
    if elevations:
        low, high = _height(min(elevations), units), _height(max(elevations), units)
        line = sparkline(list(elevations), SPARK_WIDTH)
        out.append(("elevation", base.Text(f"{line}  {_range(low, high)}")))
    return out


SERIES_SAMPLES = 2_000
"""At most this many samples feed the sparklines (see ``series``)."""


def series(track: Track) -> tuple[list[float], list[float]]:
    """The sparklines' speeds (m/s) and elevations, ``SPARK_WIDTH`` of each.

    Speeds come from the track thinned to about ``SERIES_SAMPLES`` samples (every k-th, the
    first and last and each segment's first kept): each series cleans the whole track again
    (~60 ms on 10,000 samples), and 30 cells of speed cannot show the difference. Elevation is
    read from the whole track: its spike filter works sample by sample, and a thinned track
    can lose a real summit that "lowest/highest" above it shows.
    """
    from fittrack.core.track import COLUMNS
    from fittrack.core.track_figures import elevation_series, speed_series

    elevations = elevation_series(track, SPARK_WIDTH)
    count = len(track)
    step = math.ceil(count / SERIES_SAMPLES) if count else 1
    if step > 1:
        keep = sorted({*range(0, count, step), count - 1, *track.segment_starts})
        where = {old: new for new, old in enumerate(keep)}
        columns = {
            name: tuple(values[i] for i in keep)
            for name in COLUMNS
            if (values := getattr(track, name)) is not None
        }
        track = Track(
            start=track.start,
            time_s=tuple(track.time_s[i] for i in keep),
            segment_starts=tuple(where[i] for i in track.segment_starts),
            **columns,
        )
    return speed_series(track, SPARK_WIDTH), elevations


def _range(low: str, high: str) -> str:
    """``4:02–9:58 /km``: the unit said once when both ends share it."""
    head, _, unit = low.rpartition(" ")
    if head and high.endswith(f" {unit}"):
        return f"{head}–{high}"
    return f"{low}–{high}"


def route(track: Track, title: str) -> None:
    """``show --route``: the route north up, as wide as the terminal (fixed in a pipe), and
    where it starts and ends in words (Braille has no room for markers)."""
    console = base.stdout_console()
    lat, lon = track.lat, track.lon
    points = _positions(track)
    if lat is None or lon is None or len(points) < 2:
        console.print("This activity's track has no positions: there is no route to draw.")
        return
    terminal = bool(getattr(console, "is_terminal", False))
    width = max(console.width - 2, 10) if terminal else PIPE_ROUTE_WIDTH
    console.print(base.Text(title))
    for line in draw_route(lat, lon, width, ROUTE_HEIGHT, frozenset(track.segment_starts)):
        console.print(base.Text(line))
    (la0, lo0), (la1, lo1) = points[0], points[-1]
    apart = _metres(la0, lo0, la1, lo1)
    console.print(base.Text(f"start {_place(la0, lo0)}, {_compass(points, la0, lo0)} of the route"))
    ending = (
        "back at the start"
        if apart < 100
        else f"{format_distance(apart, 'metric')} from the start, "
        f"{_compass(points, la1, lo1)} of the route"
    )
    console.print(base.Text(f"end   {_place(la1, lo1)}, {ending}"))


def _positions(track: Track) -> list[tuple[float, float]]:
    if track.lat is None or track.lon is None:
        return []
    return [
        (la, lo)
        for la, lo in zip(track.lat, track.lon, strict=True)
        if la is not None
        and lo is not None
        and math.isfinite(la)
        and math.isfinite(lo)
        and -90 <= la <= 90
        and -180 <= lo <= 180
    ]


def _place(lat: float, lon: float) -> str:
    return f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _compass(points: Sequence[tuple[float, float]], lat: float, lon: float) -> str:
    """Where (lat, lon) sits in the route's box, in thirds: "north-west", "centre", "south"."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]

    def third(value: float, low: float, high: float) -> int:
        if high - low <= 0:
            return 1
        return min(int((value - low) / (high - low) * 3), 2)

    ns = ("south", "", "north")[third(lat, min(lats), max(lats))]
    ew = ("west", "", "east")[third(lon, min(lons), max(lons))]
    return "-".join(part for part in (ns, ew) if part) or "centre"
