"""A track: the samples a device recorded during one activity, as parallel columns.

This module holds only the shape every part agrees on (formats build a ``Track``, storage encodes
it, ``core.track_figures`` derives splits, elevation, heart rate and best efforts from it). It does
no I/O and imports nothing heavy.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

Column = tuple[float | None, ...]
"""One value per sample; None where that sample did not record the quantity."""

COLUMNS = ("lat", "lon", "elevation_m", "distance_m", "heart_rate", "cadence", "power")
"""The optional columns, in the order storage keeps them."""


@dataclass(frozen=True)
class Track:
    """Samples in recorded order.

    ``start`` is the UTC moment of ``time_s == 0``: usually the first sample, but a file may
    start its samples after the activity does. ``time_s`` is seconds since ``start`` (None for a
    sample without a time, as in untimed GPX). Every other column is None as a whole when the
    device never recorded that quantity, else has one value per sample: ``lat``/``lon`` in
    degrees (WGS84), ``elevation_m`` as recorded (barometric or GPS), ``distance_m`` the device's
    cumulative distance, ``heart_rate`` in beats a minute, ``cadence`` in steps or revolutions a
    minute as the device counts them, ``power`` in watts.
    """

    start: datetime | None
    time_s: Column
    lat: Column | None = None
    lon: Column | None = None
    elevation_m: Column | None = None
    distance_m: Column | None = None
    heart_rate: Column | None = None
    cadence: Column | None = None
    power: Column | None = None
    segment_starts: tuple[int, ...] = ()
    """Indices of the samples that begin a new recorded segment after the first (a GPX file's
    next ``<trkseg>`` or ``<trk>``, a FIT file's next chained file): the way between two
    segments is no distance travelled."""

    def __post_init__(self) -> None:
        count = len(self.time_s)
        for name in COLUMNS:
            column = getattr(self, name)
            if column is not None and len(column) != count:
                raise ValueError(f"track column {name} has {len(column)} samples, not {count}")
        if any(not 0 < start < count for start in self.segment_starts) or list(
            self.segment_starts
        ) != sorted(set(self.segment_starts)):
            raise ValueError(f"segment starts {self.segment_starts} are not rising indices")

    def __len__(self) -> int:
        return len(self.time_s)

    def present(self) -> tuple[str, ...]:
        """The optional columns this track recorded."""
        return tuple(name for name in COLUMNS if getattr(self, name) is not None)


def column(values: Sequence[float | None]) -> Column | None:
    """``values`` as a column, or None when no sample recorded anything."""
    return tuple(values) if any(value is not None for value in values) else None
