"""A track as compact bytes, and back: the ``data`` of an ``activity_track`` row.

Layout (version 2): one version byte, then a zlib stream over the body. The body starts with
varints (unsigned LEB128; signed values zigzagged): the sample count, then the start (0 for none,
else 1 and the microseconds since 1970-01-01 UTC). Then a header for ``time_s`` and each of
``core.track.COLUMNS`` in that order: a kind byte (0 never recorded, and nothing else follows;
1 every sample has a value; 2 some are missing, and a presence bitmap follows the next three
bytes, one bit a sample, least significant bit first), the decimal places ``d`` the values are
kept at (integers of 10^-d units), the width ``w`` in bytes of the stored differences (1, 2, 4
or 8; 0 for varints, for values no 64-bit integer holds), their order ``o`` (1: each value less
the one before; 2: each such difference less the one before, for columns that change steadily),
the first value as a signed varint and, for order 2, the first difference as one. Then the
number of segment starts and each as a varint difference from the one before. Then the
differences of every column with ``w`` > 0 (``o`` fewer than its values), zigzagged (0, -1, 1,
-2… as 0, 1, 2, 3…) into ``w``-byte little-endian integers, split into byte planes and laid
plane by plane: the first byte of every difference of every such column, column after column,
then the second bytes of the columns at least 2 bytes wide, and so on. Last, the differences of
the columns with ``w`` = 0, as signed varints.

Why this shape. Columns are kept apart, as differences, in byte planes, because that is what
compresses: a 1 s clock and a steady pace give runs of equal differences, and the high bytes
of small differences are runs of zeros (zigzag makes them zeros whatever the sign: in two's
complement they alternated 00 and FF, a bit a sample in every such plane). The encoder stores
each column at the order whose planes deflate smaller (positions and distance mostly take 2,
clocks and heart rates 1). Deflate gives a block one set of Huffman codes, so the stream uses
``Z_RLE`` (matches only of runs; the short matches the default strategy finds in these numbers
cost more than the bytes they replace) and the encoder ends a block before a plane whenever
that makes the stream smaller (it tries both on copies of the compressor): near-random low
bytes then go stored, a plane of small values costs little more than its entropy, and
neighbouring planes alike share codes (which is why similar planes are laid side by side). Any
inflater reads the stream: where blocks end is the encoder's choice. On the shared TCX files
with smart recording (a sample every 1 to 9 s) this took 6.3-7.2 bytes a sample to 5.4-5.8.

Version 1 (written before, still read): the body is zlib (level 6, default strategy) over the
count and start as above, then for each column its header (kind, ``d``, ``w``, no order byte;
the bitmap), its first value and straight after them its order-1 differences in two's
complement, ``w``-byte byte planes of the column alone (or signed varints when ``w`` is 0);
the segment starts come last.

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
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import accumulate, chain, compress, repeat
from typing import cast

from fittrack.core.track import COLUMNS, Track
from fittrack.errors import DataError

VERSION = 2
"""The layout ``encode`` writes; ``decode`` reads it and version 1 (blobs stored before)."""
VERSIONS = (1, 2)
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
_ORDERS = (1, 2)
_SIGNED = {1: "b", 2: "h", 4: "i", 8: "q"}
"""``array`` typecodes of the differences' widths."""
_WIDTHS = (0, 1, 2, 4, 8)
_BINARY_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_BITS = [tuple(bool(byte >> i & 1) for i in range(8)) for byte in range(256)]
"""Each byte of a presence bitmap as its eight samples, least significant bit first."""
_MAX_SAMPLES = 50_000_000
"""No device records this many samples: a larger count in a blob means it is damaged."""
_LEVEL = 6
"""zlib's level: with ``Z_RLE`` any but 0 writes the same bytes (the level picks a matcher)."""


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


def _present(column: Sequence[float | None]) -> tuple[list[float], bytes | None]:
    """The column's finite values, and its presence bitmap when some sample has none."""
    count = len(column)
    present = cast(list[float], [v for v in column if v is not None])
    if math.isfinite(sum(present)):  # no NaN, no infinity: the common case, checked in C
        flags: Iterable[bool] = map(operator.is_not, column, repeat(None))
    else:  # (or a sum too large for a float: the slow way gives the same answer)
        present = [v for v in present if math.isfinite(v)]
        flags = [v is not None and math.isfinite(v) for v in column]
    if len(present) == count:
        return present, None
    # Sample i is bit i of a little-endian number: the flags as binary digits, last first.
    digits = bytes(flags)[::-1].translate(_BINARY_DIGITS)
    return present, int(digits, 2).to_bytes((count + 7) // 8, "little")


def _scaled(name: str, present: list[float]) -> tuple[int, list[int]]:
    """The fewest decimal places that hold every value exactly (up to the column's finest,
    rounding there), and the values as integers of that unit."""
    if name not in FIXED_DECIMALS and all(map(float.is_integer, map(float, present))):
        return 0, list(map(int, present))  # whole numbers (beats, watts, seconds): the quick way
    finest = MAX_DECIMALS[name]
    if max(max(present), -min(present)) * 10**finest > 2**62:
        finest = 0  # a float this large has no fractions to keep (and 10^d times it may overflow)
    scale = 10**finest
    ints = list(map(round, map(operator.mul, present, repeat(scale))))
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


def _zigzag(packed: bytes, width: int) -> bytes:
    """Two's complement ``width``-byte little-endian integers zigzagged (0, -1, 1, -2… become
    0, 1, 2, 3…), all at once: the bytes read as one big number, each field shifted left a
    bit and, where it was negative, inverted. Python's big integers do in C what a loop over
    the values did in 0.8 ms a column of 13,000."""
    size = len(packed)
    number = int.from_bytes(packed, "little")
    lows = int.from_bytes((b"\x01" + bytes(width - 1)) * (size // width), "little")
    signs = number >> (8 * width - 1) & lows  # each field's top bit, moved to its lowest
    shifted = number << 1 & ((1 << 8 * size) - 1 ^ lows)  # no bit crosses into the next field
    return (shifted ^ signs * ((1 << 8 * width) - 1)).to_bytes(size, "little")


def _unzigzag(packed: bytes | bytearray, width: int) -> bytes:
    """``_zigzag`` undone: each field shifted right a bit and, where its lowest bit was set,
    inverted."""
    size = len(packed)
    number = int.from_bytes(packed, "little")
    lows = int.from_bytes((b"\x01" + bytes(width - 1)) * (size // width), "little")
    tops = lows << (8 * width - 1)
    halves = number >> 1 & ((1 << 8 * size) - 1 ^ tops)  # no bit crosses into the field before
    return (halves ^ (number & lows) * ((1 << 8 * width) - 1)).to_bytes(size, "little")


def _zigzagged(differences: list[int]) -> tuple[int, list[bytes]]:
    """The differences zigzagged, as ``w``-byte little-endian integers in byte planes (every
    low byte, then every next one…), and ``w``; (0, []) when one is beyond 64 bits."""
    if not differences:
        return 1, [b""]
    low, high = min(differences), max(differences)
    # A zigzagged value fits the bytes its two's complement fits.
    width = next((w for w in (1, 2, 4, 8) if -(1 << 8 * w - 1) <= low and high < 1 << 8 * w - 1), 0)
    if not width:
        return 0, []
    raw = array.array(_SIGNED[width], differences)
    if sys.byteorder == "big":
        raw.byteswap()
    packed = _zigzag(raw.tobytes(), width)
    return width, [packed[k::width] for k in range(width)]


def _deflated_size(planes: list[bytes]) -> int:
    """About what ``planes`` cost in the blob, each in a deflate block of its own."""
    deflater = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 8, zlib.Z_RLE)
    size = sum(len(deflater.compress(p)) + len(deflater.flush(zlib.Z_BLOCK)) for p in planes)
    return size + len(deflater.flush())


def _differences(ints: list[int]) -> tuple[int, int, list[bytes]]:
    """How a column's values are best stored: the order of differences, their width, and their
    byte planes (or, when the width is 0, one chunk of signed varints)."""
    first = list(map(operator.sub, ints[1:], ints[:-1]))
    width, planes = _zigzagged(first)
    if len(first) >= 2:
        second = list(map(operator.sub, first[1:], first[:-1]))
        width2, planes2 = _zigzagged(second)
        # Measured, not guessed: a 1 s clock costs as little either way, and a count of bits
        # (the cheap guess) picked the bigger of the two for a third of the shared files' times.
        if width2 and (not width or _deflated_size(planes2) < _deflated_size(planes)):
            return 2, width2, planes2
    if width:
        return 1, width, planes
    varints = bytearray()
    for difference in first:
        _put_signed(varints, difference)
    return 1, 0, [bytes(varints)]


def _deflate(head: bytes, chunks: list[bytes]) -> bytes:
    """zlib over the header and the chunks, a deflate block ending before a chunk only when
    that makes the stream smaller (both are tried on copies of the compressor)."""
    deflater = zlib.compressobj(_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, 8, zlib.Z_RLE)
    out = [deflater.compress(head)]
    for chunk in chunks:
        joined = deflater.copy()
        together = len(joined.compress(chunk)) + len(joined.flush(zlib.Z_BLOCK))
        ended = deflater.copy()
        apart = len(ended.flush(zlib.Z_BLOCK))
        apart += len(ended.compress(chunk)) + len(ended.flush(zlib.Z_BLOCK))
        if apart < together:
            out.append(deflater.flush(zlib.Z_BLOCK))
        out.append(deflater.compress(chunk))
    out.append(deflater.flush())
    return b"".join(out)


def encode(track: Track) -> bytes:
    """The track as bytes (see the module's docstring for the layout and resolutions)."""
    head = bytearray()
    count = len(track)
    _put(head, count)
    if track.start is None:
        _put(head, 0)
    else:
        _put(head, 1)
        _put_signed(head, (track.start - _EPOCH) // timedelta(microseconds=1))
    stored: list[tuple[int, list[bytes]]] = []  # each recorded column's width and chunks
    for name in ALL_COLUMNS:
        column = getattr(track, name)
        present, bitmap = ([], None) if column is None else _present(column)
        if not present:
            head.append(_ABSENT)
            continue
        places, ints = _scaled(name, present)
        order, width, chunks = _differences(ints)
        head += bytes((_DENSE if bitmap is None else _SPARSE, places, width, order))
        if bitmap is not None:
            head += bitmap
        _put_signed(head, ints[0])
        if order == 2:
            _put_signed(head, ints[1] - ints[0])
        stored.append((width, chunks))
    # ``Track.segment_starts``: their count, then each as the difference from the one before.
    _put(head, len(track.segment_starts))
    previous = 0
    for index in track.segment_starts:
        _put(head, index - previous)
        previous = index
    # Plane by plane (see the module's docstring), then the columns kept as varints.
    chunks = [c[k] for k in range(max(_WIDTHS)) for width, c in stored if k < width]
    chunks += [c[0] for width, c in stored if width == 0]
    return bytes([VERSION]) + _deflate(bytes(head), chunks)


# ---- decoding --------------------------------------------------------------------------------


def decode(data: bytes) -> Track:
    """The track ``encode`` made these bytes from (version 2, or 1 from an earlier fittrack);
    ``DataError`` when they are damaged."""
    try:
        return _decode(data)
    except DataError:
        raise
    except (zlib.error, IndexError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        reason = str(exc) or type(exc).__name__
        raise DataError(f"a stored track is damaged ({reason})") from None


class _Column:
    """One recorded column as its header describes it, and its values once read."""

    def __init__(self, reader: _Reader, name: str, kind: int, count: int, version: int) -> None:
        self.count = count
        self.places, self.width = reader.take(2)
        self.order = reader.take(1)[0] if version >= 2 else 1
        if (
            kind not in (_DENSE, _SPARSE)
            or self.places > MAX_DECIMALS[name]
            or self.width not in _WIDTHS
            or self.order not in _ORDERS
        ):
            raise ValueError(f"a bad header for {name}")
        self.has: list[bool] | None = None
        present = count
        if kind == _SPARSE:
            bitmap = reader.take((count + 7) // 8)
            self.has = list(chain.from_iterable(map(_BITS.__getitem__, bitmap)))[:count]
            present = sum(self.has)
        if present < self.order:
            raise ValueError(f"too few values in {name}")
        self.size = present - self.order
        """How many differences are stored."""
        self.first = reader.signed()
        self.first_difference = reader.signed() if self.order == 2 else 0

    def varints(self, reader: _Reader) -> list[int]:
        return [reader.signed() for _ in range(self.size)]

    def from_planes(self, planes: Sequence[bytes], zigzag: bool) -> Sequence[int]:
        """The differences whose byte planes these are (zigzagged in version 2)."""
        width = self.width
        packed = bytearray(self.size * width)
        for k, plane in enumerate(planes):
            packed[k::width] = plane
        unpacked = array.array(_SIGNED[width])
        unpacked.frombytes(_unzigzag(packed, width) if zigzag else packed)
        if sys.byteorder == "big":
            unpacked.byteswap()
        return unpacked

    def values(self, differences: Iterable[int]) -> tuple[float | None, ...]:
        """The column, one value a sample, from its stored differences."""
        if self.order == 2:
            differences = accumulate(differences, initial=self.first_difference)
        ints = accumulate(differences, initial=self.first)
        scale = 10**self.places
        stored = [i / scale for i in ints] if self.places else [float(i) for i in ints]
        if self.has is None:
            return tuple(stored)
        placed: list[float | None] = [None] * self.count
        for index, value in zip(compress(range(self.count), self.has), stored, strict=True):
            placed[index] = value
        return tuple(placed)


def _decode(data: bytes) -> Track:
    if not data:
        raise ValueError("empty")
    version = data[0]
    if version not in VERSIONS:
        raise DataError(
            f"a stored track has version {version}, not {VERSION}: made by a newer fittrack?"
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
    values: dict[str, tuple[float | None, ...] | None] = dict.fromkeys(ALL_COLUMNS)
    recorded: dict[str, _Column] = {}
    for name in ALL_COLUMNS:
        kind = reader.take(1)[0]
        if kind == _ABSENT:
            continue
        column = recorded[name] = _Column(reader, name, kind, count, version)
        if version == 1:  # the column's differences follow its header, in two's complement
            if column.width == 0:
                values[name] = column.values(column.varints(reader))
            else:
                size, width = column.size, column.width
                joined = reader.take(size * width)
                planes = [joined[k * size : (k + 1) * size] for k in range(width)]
                values[name] = column.values(column.from_planes(planes, zigzag=False))
    segments = reader.unsigned()
    if segments > count:
        raise ValueError(f"{segments} segments in {count} samples")
    segment_starts = tuple(accumulate(reader.unsigned() for _ in range(segments)))
    if version >= 2:  # plane by plane after all the headers, zigzagged; then the varints
        planes_of: dict[str, list[bytes]] = {name: [] for name in recorded}
        for k in range(max(_WIDTHS)):
            for name, column in recorded.items():
                if k < column.width:
                    planes_of[name].append(reader.take(column.size))
        for name, column in recorded.items():
            if column.width == 0:
                values[name] = column.values(column.varints(reader))
            else:
                values[name] = column.values(column.from_planes(planes_of[name], zigzag=True))
    if reader.pos != len(body):
        raise ValueError("bytes after the end")
    time_s = values.pop("time_s")
    return Track(  # Track's own check refuses segment starts that are not rising indices
        start=start,
        time_s=(None,) * count if time_s is None else time_s,
        segment_starts=segment_starts,
        **values,  # the optional columns, by name
    )


def bytes_per_sample(track: Track) -> float:
    """How many stored bytes each sample of this track costs (for reports and benchmarks)."""
    return len(encode(track)) / max(1, len(track))
