"""The samples of a GPX, TCX or FIT file as a ``Track``, with one rule for values no device records.

Each format module reads its file into columns (one value per sample, in recorded order) and hands
them to ``make_track``, which keeps the values as floats, exactly as read (no rounding), and turns a
value no workout can have into None for that sample alone, so an odd sample never fails a file
whose totals are fine:

- a position with a latitude outside ±90° or a longitude outside ±180° (both become None: half a
  position is no position);
- an elevation outside -1 000 m … 10 000 m (below the Dead Sea shore, above any summit);
- a cumulative distance below 0 or beyond ``MAX_DISTANCE_M``;
- a heart rate of 0 or less (a chest strap that lost contact writes 0) or above 300 bpm;
- a cadence below 0 or above 400 a minute;
- a power below 0 or above 4 000 W (a track sprinter peaks near 2 500 W);
- anything that is not a finite number (NaN, "inf", text that is no number: see ``floats``).

Nothing else is judged here: a time going backwards or a gap of hours is what the device wrote, and
stays in recorded order for ``core.track_figures`` to deal with.

The work is done a column at a time with comprehensions, not a call per sample: a 13 000-record
FIT file pays a few milliseconds for its samples.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from fittrack.core.quantities import MAX_DISTANCE_M
from fittrack.core.track import Column, Track

MIN_ELEVATION_M = -1_000.0
MAX_ELEVATION_M = 10_000.0
MAX_HEART_RATE = 300.0
MAX_CADENCE = 400.0
MAX_POWER_W = 4_000.0

Values = Sequence[float | None]


def _float(text: object) -> float | None:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def floats(texts: Iterable[object]) -> list[float | None]:
    """Texts (or numbers) as floats: None for None and for anything that is not a number.

    A field a person cannot read as a number is a missing value, not a broken file.
    """
    texts = list(texts)
    try:
        # Every field readable, as in nearly every file: no call per value.
        return [None if text is None else float(text) for text in texts]  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return [None if text is None else _float(text) for text in texts]


def _within(values: Values, low: float, high: float) -> list[float | None]:
    # NaN fails both comparisons, so it becomes None; so does ±inf (outside every range).
    return [v if v is not None and low <= v <= high else None for v in values]


def make_track(
    start: datetime | None,
    time_s: Values,
    *,
    lat: Values | None = None,
    lon: Values | None = None,
    elevation_m: Values | None = None,
    distance_m: Values | None = None,
    heart_rate: Values | None = None,
    cadence: Values | None = None,
    power: Values | None = None,
    segment_starts: tuple[int, ...] = (),
) -> Track | None:
    """The track of these columns (each as long as ``time_s``, or None when the file has none of
    that quantity), with the module's ranges applied; None when there is no sample at all.

    ``time_s`` is seconds since ``start`` (None for an untimed sample), computed by the format.
    """
    count = len(time_s)
    if not count:
        return None
    if lat is not None and lon is not None:
        latitudes = _within(lat, -90.0, 90.0)
        longitudes = _within(lon, -180.0, 180.0)
        lat = [a if b is not None else None for a, b in zip(latitudes, longitudes, strict=True)]
        lon = [b if a is not None else None for a, b in zip(latitudes, longitudes, strict=True)]
    else:
        lat = lon = None
    rates = _within(heart_rate, 0.0, MAX_HEART_RATE) if heart_rate is not None else None
    return Track(
        start=start,
        time_s=tuple(time_s),
        lat=_recorded(lat) if lat is not None else None,
        lon=_recorded(lon) if lon is not None else None,
        elevation_m=_column(elevation_m, MIN_ELEVATION_M, MAX_ELEVATION_M),
        distance_m=_column(distance_m, 0.0, MAX_DISTANCE_M),
        heart_rate=_recorded([rate or None for rate in rates]) if rates is not None else None,
        cadence=_column(cadence, 0.0, MAX_CADENCE),
        power=_column(power, 0.0, MAX_POWER_W),
        segment_starts=segment_starts,
    )


def _column(values: Values | None, low: float, high: float) -> Column | None:
    return _recorded(_within(values, low, high)) if values is not None else None


def _recorded(values: list[float | None]) -> Column | None:
    """``core.track.column``, at C speed: a column, or None when no sample recorded anything."""
    return tuple(values) if values.count(None) < len(values) else None
