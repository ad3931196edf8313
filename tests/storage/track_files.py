"""Tracks built from the shared real files with the reference libraries (gpxpy, fitdecode).

Test helpers only: until ``formats`` fills ``ImportedActivity.track`` these are how the storage
tests get real samples; they also serve as an independent reading to compare the parsers with.
"""

import math
from datetime import UTC, datetime
from pathlib import Path

from fittrack.core.track import COLUMNS, Track, column

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SEMICIRCLE_DEG = 180 / 2**31


def _seconds(moment: datetime | None, start: datetime | None) -> float | None:
    if moment is None or start is None:
        return None
    return (moment - start).total_seconds()


def gpx_track(path: Path) -> Track:
    """Every point of every track and segment of a GPX file, in file order."""
    import gpxpy

    with open(path, encoding="utf-8") as stream:
        gpx = gpxpy.parse(stream)
    points = [p for t in gpx.tracks for s in t.segments for p in s.points]
    times = [p.time.astimezone(UTC) if p.time else None for p in points]
    start = next((t for t in times if t is not None), None)
    return Track(
        start=start,
        time_s=tuple(_seconds(t, start) for t in times),
        lat=column([p.latitude for p in points]),
        lon=column([p.longitude for p in points]),
        elevation_m=column([p.elevation for p in points]),
    )


def fit_track(path: Path) -> Track:
    """Every ``record`` message of a FIT file (all its chained files), in file order."""
    import fitdecode

    rows: list[dict[str, object]] = []
    with fitdecode.FitReader(str(path)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                rows.append({f.name: f.value for f in frame.fields})

    def get(row: dict[str, object], *names: str) -> float | None:
        for name in names:
            value = row.get(name)
            if isinstance(value, int | float):
                return float(value)
        return None

    stamps = [r.get("timestamp") for r in rows]
    start = next((t for t in stamps if isinstance(t, datetime)), None)
    lat = [get(r, "position_lat") for r in rows]
    lon = [get(r, "position_long") for r in rows]
    return Track(
        start=start,
        time_s=tuple(_seconds(t if isinstance(t, datetime) else None, start) for t in stamps),
        lat=column([None if v is None else v * SEMICIRCLE_DEG for v in lat]),
        lon=column([None if v is None else v * SEMICIRCLE_DEG for v in lon]),
        elevation_m=column([get(r, "enhanced_altitude", "altitude") for r in rows]),
        distance_m=column([get(r, "distance") for r in rows]),
        heart_rate=column([get(r, "heart_rate") for r in rows]),
        cadence=column([get(r, "cadence") for r in rows]),
        power=column([get(r, "power") for r in rows]),
    )


def real_track(path: Path) -> Track:
    """The track of a shared GPX or FIT file."""
    return gpx_track(path) if path.suffix == ".gpx" else fit_track(path)


GPS_FILES = (
    "gpx/gpxgo__file.gpx",
    "gpx/gpxpy__cerknicko-jezero.gpx",
    "gpx/gpxpy__korita-zbevnica.gpx",
    "gpx/gpxpy__track-with-empty-segment.gpx",
    "fit/fitparse__garmin-fenix-5-run.fit",
    "fit/fitparse__garmin-fenix-5-walk.fit",
    "fit/fitparse__garmin-fenix-5-bike.fit",
    "fit/fitparse__activity-small-fenix2-run.fit",
    "fit/fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit",
    "fit/fitparse__sample_mulitple_header.fit",
)
"""The shared files that record positions (the ≤ 6 bytes a sample target is about these)."""


RESOLUTION = {
    "time_s": 1e-6,
    "lat": 1e-7,
    "lon": 1e-7,
    "elevation_m": 0.01,
    "distance_m": 0.01,
    "heart_rate": 0.1,
    "cadence": 0.1,
    "power": 0.1,
}


def assert_same(decoded: Track, original: Track) -> None:
    """Equal to within half the stated resolution, with None where None was."""
    assert decoded.start == original.start
    assert len(decoded) == len(original)
    for name in ("time_s", *COLUMNS):
        got, want = getattr(decoded, name), getattr(original, name)
        if want is None or all(v is None or not math.isfinite(v) for v in want):
            assert got is None or all(v is None for v in got), name
            continue
        assert got is not None, name
        for g, w in zip(got, want, strict=True):
            if w is None or not math.isfinite(w):
                assert g is None, name
            else:
                assert g is not None and abs(g - w) <= RESOLUTION[name] / 2 + 1e-9 * abs(w), (
                    name,
                    g,
                    w,
                )
