"""A track as compact bytes, and back: the ``data`` of an ``activity_track`` row.

Layout (version 1): one version byte, then zlib (stdlib, level 6) over the body. The body starts
with varints (unsigned LEB128; signed values zigzagged): the sample count, then the start (0 for
none, else 1 and the microseconds since 1970-01-01 UTC). Then, for ``time_s`` and each of
``core.track.COLUMNS`` in that order, a kind byte (0 never recorded; 1 every sample has a value;
2 some are missing, and a presence bitmap follows the header, one bit a sample, least
significant bit first), the decimal places ``d`` the values are kept at (integers of 10^-d
units), the width ``w`` in bytes of the differences (1, 2, 4 or 8; 0 for varints, for values no
64-bit integer holds), the first value as a signed varint, and the differences between each
value and the one before as ``w``-byte little-endian integers split into byte planes (every
first byte, then every second one…). Columns are kept apart, as differences, in byte planes,
because that is what compresses: a watch's 1 s clock and steady pace give runs of equal
differences, and the high bytes of small differences are long runs of 00 and FF. Last, the
number of segment starts and each as a varint difference from the one before.
Level 6, not 9: on a 13,000-sample ride 9 took ~12x as long for 1.5 % fewer bytes.

Resolutions (the stored value is the recorded one rounded to these; nothing finer is kept):

========================  ==============================================================
time_s                    1 µs at worst (a datetime's own resolution): whole seconds, or
                          the fewest decimals that hold every time of the track exactly
                          (TCX files write 4 to 6 decimals, FIT 1 ms)
lat, lon                  1e-7° (about 1 cm; a FIT semicircle is 0.84e-7°)
elevation_m, distance_m   1 cm at worst (whole metres, 0.1 m or 0.01 m, as above)
heart_rate, cadence,      0.1 at worst (beats or steps a minute, watts); whole numbers cost
power                     no more than whole numbers need
========================  ==============================================================

Values are kept in the order recorded: times that go backwards stay so. A value that is not a
finite number (NaN, infinity) is stored as missing. ``decode`` raises ``DataError`` in one
line for any damaged blob, never another exception.
"""

import array
import math
import operator
import sys
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import accumulate, chain, compress

from fittrack.core.track import COLUMNS, Track
from fittrack.errors import DataError

VERSION = 1
ALL_COLUMNS = ("time_s", *COLUMNS)
MAX_DECIMALS = {
    "time_s": 6,
    "lat": 7,
    "lon": 7,
    "elevation_m": 2,
    "distance_m": 2,
    "heart_rate": 1,
    "cadence": 1,
    "power": 1,
}
"""The finest resolution of each column, as decimal places (see the table above)."""
FIXED_DECIMALS = ("lat", "lon")
"""Positions always at 1e-7°: GPX writes 6 to 9 places and FIT semicircles are not decimal,
so looking for a coarser exact scale would only cost time."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ABSENT, _DENSE, _SPARSE = 0, 1, 2
_TYPECODES = {1: "b", 2: "h", 4: "i", 8: "q"}
_WIDTHS = (0, 1, 2, 4, 8)
_BITS = [tuple(bool(byte >> i & 1) for i in range(8)) for byte in range(256)]
"""Each byte of a presence bitmap as its eight samples, least significant bit first."""
_MAX_SAMPLES = 50_000_000
"""No device records this many samples: a larger count in a blob means it is damaged."""


# ---- varints ---------------------------------------------------------------------------------


def _put(out: bytearray, value: int) -> None:
    """An unsigned integer as LEB128."""
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _put_signed(out: bytearray, value: int) -> None:
    _put(out, value * 2 if value >= 0 else -value * 2 - 1)  # zigzag: small magnitudes stay small


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unsigned(self) -> int:
        data, pos, shift, value = self.data, self.pos, 0, 0
        while True:
            byte = data[pos]  # IndexError at the end of a truncated body
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return value
            shift += 7
            if shift > 1050:  # beyond any float (2^1024): a run of 0x80 bytes is damage
                raise ValueError("a number that never ends")

    def signed(self) -> int:
        value = self.unsigned()
        return value >> 1 if value % 2 == 0 else -(value >> 1) - 1

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise ValueError("cut short")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk


# ---- encoding --------------------------------------------------------------------------------


def _scaled(name: str, present: list[float]) -> tuple[int, list[int]]:
    """The fewest decimal places that hold every value exactly (up to the column's finest,
    rounding there), and the values as integers of that unit."""
    finest = MAX_DECIMALS[name]
    if max(abs(v) for v in present) * 10**finest > 2**62:
        finest = 0  # a float this large has no fractions to keep (and 10^d times it may overflow)
    scale = 10**finest
    ints = [round(v * scale) for v in present]
    places = finest
    if name not in FIXED_DECIMALS:
        # Whole seconds or metres show as a common factor of 10 at the finest unit.
        common = math.gcd(*ints)
        while places > 0 and common and common % 10 == 0:
            common //= 10
            places -= 1
        if places < finest:
            divisor = 10 ** (finest - places)
            ints = [i // divisor for i in ints]
    return places, ints


def _width(deltas: list[int]) -> int:
    """The fewest bytes a signed integer that holds every difference needs (0: none, varints)."""
    if not deltas:
        return 1
    low, high = min(deltas), max(deltas)
    for width in (1, 2, 4, 8):
        if -(1 << (8 * width - 1)) <= low and high < 1 << (8 * width - 1):
            return width
    return 0


def encode(track: Track) -> bytes:
    """The track as bytes (see the module's docstring for the layout and resolutions)."""
    body = bytearray()
    count = len(track)
    _put(body, count)
    if track.start is None:
        _put(body, 0)
    else:
        _put(body, 1)
        _put_signed(body, (track.start - _EPOCH) // timedelta(microseconds=1))
    for name in ALL_COLUMNS:
        column = getattr(track, name)
        values = (
            None
            if column is None
            else [v if v is not None and math.isfinite(v) else None for v in column]
        )
        present = [] if values is None else [v for v in values if v is not None]
        if values is None or not present:
            body.append(_ABSENT)
            continue
        sparse = len(present) < count
        places, ints = _scaled(name, present)
        deltas = list(map(operator.sub, ints[1:], ints[:-1]))
        width = _width(deltas)
        body += bytes((_SPARSE if sparse else _DENSE, places, width))
        if sparse:
            bitmap = bytearray((count + 7) // 8)
            for i, v in enumerate(values):
                if v is not None:
                    bitmap[i >> 3] |= 1 << (i & 7)
            body += bitmap
        _put_signed(body, ints[0])
        if width == 0:
            for delta in deltas:
                _put_signed(body, delta)
            continue
        raw = array.array(_TYPECODES[width], deltas)
        if sys.byteorder == "big":
            raw.byteswap()
        packed = raw.tobytes()
        # Byte planes (every low byte, then every next one…): the high bytes of small
        # differences are runs of 00 and FF that compress to almost nothing.
        body += b"".join(packed[k::width] for k in range(width))
    # ``Track.segment_starts``: their count, then each as the difference from the one before.
    _put(body, len(track.segment_starts))
    previous = 0
    for index in track.segment_starts:
        _put(body, index - previous)
        previous = index
    return bytes([VERSION]) + zlib.compress(bytes(body), 6)


# ---- decoding --------------------------------------------------------------------------------


def decode(data: bytes) -> Track:
    """The track ``encode`` made these bytes from; ``DataError`` when they are damaged."""
    try:
        return _decode(data)
    except DataError:
        raise
    except (zlib.error, IndexError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        reason = str(exc) or type(exc).__name__
        raise DataError(f"a stored track is damaged ({reason})") from None


def _decode(data: bytes) -> Track:
    if not data:
        raise ValueError("empty")
    if data[0] != VERSION:
        raise DataError(
            f"a stored track has version {data[0]}, not {VERSION}: made by a newer fittrack?"
        )
    inflater = zlib.decompressobj()
    body = inflater.decompress(data[1:])
    if not inflater.eof:
        raise ValueError("cut short")
    if inflater.unused_data:
        raise ValueError("bytes after the end")
    reader = _Reader(body)
    count = reader.unsigned()
    if count > _MAX_SAMPLES:
        raise ValueError(f"{count} samples")
    start = None
    has_start = reader.unsigned()
    if has_start == 1:
        start = _EPOCH + timedelta(microseconds=reader.signed())
    elif has_start != 0:
        raise ValueError("a bad start")
    columns: dict[str, tuple[float | None, ...] | None] = {}
    for name in ALL_COLUMNS:
        kind = reader.take(1)[0]
        if kind == _ABSENT:
            columns[name] = None
            continue
        kind, places, width = kind, *reader.take(2)
        if kind not in (_DENSE, _SPARSE) or places > MAX_DECIMALS[name] or width not in _WIDTHS:
            raise ValueError(f"a bad header for {name}")
        has: list[bool] | None = None
        present = count
        if kind == _SPARSE:
            bitmap = reader.take((count + 7) // 8)
            has = list(chain.from_iterable(map(_BITS.__getitem__, bitmap)))[:count]
            present = sum(has)
        if present == 0:
            raise ValueError(f"no values in {name}")
        first = reader.signed()
        if width == 0:
            deltas: Sequence[int] = [reader.signed() for _ in range(present - 1)]
        else:
            planes = reader.take((present - 1) * width)
            packed = bytearray(len(planes))
            step = present - 1
            for k in range(width):
                packed[k::width] = planes[k * step : (k + 1) * step]
            unpacked = array.array(_TYPECODES[width])
            unpacked.frombytes(packed)
            if sys.byteorder == "big":
                unpacked.byteswap()
            deltas = unpacked
        ints = accumulate(deltas, initial=first)
        scale = 10**places
        stored = [i / scale for i in ints] if places else [float(i) for i in ints]
        if has is None:
            columns[name] = tuple(stored)
        else:
            placed: list[float | None] = [None] * count
            for index, value in zip(compress(range(count), has), stored, strict=True):
                placed[index] = value
            columns[name] = tuple(placed)
    segments = reader.unsigned()
    if segments > count:
        raise ValueError(f"{segments} segments in {count} samples")
    segment_starts = tuple(accumulate(reader.unsigned() for _ in range(segments)))
    if reader.pos != len(body):
        raise ValueError("bytes after the end")
    time_s = columns.pop("time_s")
    return Track(  # Track's own check refuses segment starts that are not rising indices
        start=start,
        time_s=(None,) * count if time_s is None else time_s,
        segment_starts=segment_starts,
        **columns,  # the optional columns, by name
    )


def bytes_per_sample(track: Track) -> float:
    """How many stored bytes each sample of this track costs (for reports and benchmarks)."""
    return len(encode(track)) / max(1, len(track))
