"""The samples of a GPX, TCX or FIT file as a ``Track``, with one rule for values no device records.

Each format module reads its own file and hands every sample to a ``TrackBuilder``; the builder
keeps the values as floats, exactly as read (no rounding), and turns a value no workout can have
into None for that sample alone, so an odd sample never fails a file whose totals are fine:

- a position with a latitude outside ±90° or a longitude outside ±180° (both become None: half a
  position is no position);
- an elevation outside -1 000 m … 10 000 m (below the Dead Sea shore, above any summit);
- a cumulative distance below 0 or beyond ``MAX_DISTANCE_M``;
- a heart rate of 0 or less (a chest strap that lost contact writes 0) or above 300 bpm;
- a cadence below 0 or above 400 a minute;
- a power below 0 or above 4 000 W (a track sprinter peaks near 2 500 W);
- anything that is not a finite number (NaN, "inf", text).

Nothing else is judged here: a time going backwards or a gap of hours is what the device wrote, and
stays in recorded order for ``core.track_figures`` to deal with.
"""

import math
from datetime import datetime

from fittrack.core.quantities import MAX_DISTANCE_M
from fittrack.core.track import Track, column

MIN_ELEVATION_M = -1_000.0
MAX_ELEVATION_M = 10_000.0
MAX_HEART_RATE = 300.0
MAX_CADENCE = 400.0
MAX_POWER_W = 4_000.0


def number(value: object, low: float, high: float) -> float | None:
    """``value`` as a float when it is a finite number in ``[low, high]``, else None.

    Takes the text of an XML element as well as a number: a field a person cannot read as a
    number is a missing value, not a broken file.
    """
    if value is None:
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    # NaN fails both comparisons, so it is None too; so is ±inf (outside every range).
    return result if low <= result <= high else None


class TrackBuilder:
    """Collects samples in recorded order; ``build`` makes the ``Track`` (None when empty)."""

    def __init__(self) -> None:
        self.time_s: list[float | None] = []
        self.lat: list[float | None] = []
        self.lon: list[float | None] = []
        self.elevation_m: list[float | None] = []
        self.distance_m: list[float | None] = []
        self.heart_rate: list[float | None] = []
        self.cadence: list[float | None] = []
        self.power: list[float | None] = []

    def add(
        self,
        time_s: float | None,
        lat: object = None,
        lon: object = None,
        elevation_m: object = None,
        distance_m: object = None,
        heart_rate: object = None,
        cadence: object = None,
        power: object = None,
    ) -> None:
        """One sample; each value a number, a number's text or None (see the module docstring)."""
        latitude = number(lat, -90.0, 90.0)
        longitude = number(lon, -180.0, 180.0)
        if latitude is None or longitude is None:
            latitude = longitude = None
        self.time_s.append(time_s if time_s is not None and math.isfinite(time_s) else None)
        self.lat.append(latitude)
        self.lon.append(longitude)
        self.elevation_m.append(number(elevation_m, MIN_ELEVATION_M, MAX_ELEVATION_M))
        self.distance_m.append(number(distance_m, 0.0, MAX_DISTANCE_M))
        rate = number(heart_rate, 0.0, MAX_HEART_RATE)
        self.heart_rate.append(rate if rate else None)
        self.cadence.append(number(cadence, 0.0, MAX_CADENCE))
        self.power.append(number(power, 0.0, MAX_POWER_W))

    def __len__(self) -> int:
        return len(self.time_s)

    def build(self, start: datetime | None) -> Track | None:
        """The track of the samples added, its ``time_s`` counted from ``start``; None if none."""
        if not self.time_s:
            return None
        return Track(
            start=start,
            time_s=tuple(self.time_s),
            lat=column(self.lat),
            lon=column(self.lon),
            elevation_m=column(self.elevation_m),
            distance_m=column(self.distance_m),
            heart_rate=column(self.heart_rate),
            cadence=column(self.cadence),
            power=column(self.power),
        )
