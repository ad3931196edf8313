"""Small drawings in text: a one-line sparkline, a route in Braille dots, a chart of a few series.

Pure functions from numbers to strings, so they can be tested exactly and shown anywhere: on a
terminal, in a pipe, in a file. Nothing is fetched (no map tiles): a route is its own shape.
"""

import math
from collections.abc import Collection, Sequence

SPARKS = "▁▂▃▄▅▆▇█"

# Braille cells are 2 dots wide and 4 high; bit of the dot at (column, row) inside a cell.
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BRAILLE_BASE = 0x2800


def resample(values: Sequence[float | None], width: int) -> list[float | None]:
    """``values`` as ``width`` buckets, each the mean of the values that fall in it (None when a
    bucket holds none); fewer values than ``width`` are kept as they are."""
    if width <= 0:
        return []
    if len(values) <= width:
        return list(values)
    buckets: list[float | None] = []
    for i in range(width):
        part = [
            v
            for v in values[i * len(values) // width : (i + 1) * len(values) // width]
            if v is not None and math.isfinite(v)
        ]
        buckets.append(sum(part) / len(part) if part else None)
    return buckets


def sparkline(values: Sequence[float | None], width: int = 40) -> str:
    """One line of block characters, low to high; a space where a value is missing.

    All-equal values draw a flat middle line; no value at all draws nothing.
    """
    points = resample(values, width)
    known = [v for v in points if v is not None and math.isfinite(v)]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    line = []
    for v in points:
        if v is None or not math.isfinite(v):
            line.append(" ")
        elif span == 0:
            line.append(SPARKS[len(SPARKS) // 2 - 1])
        else:
            line.append(SPARKS[min(int((v - low) / span * len(SPARKS)), len(SPARKS) - 1)])
    return "".join(line)


def route(
    lat: Sequence[float | None],
    lon: Sequence[float | None],
    width: int = 60,
    height: int = 20,
    breaks: Collection[int] = (),
) -> list[str]:
    """The route as ``height`` lines of ``width`` Braille characters, north up, its aspect kept.

    Positions are projected equirectangularly around the route's mean latitude (exact enough
    for the few kilometres an activity covers); consecutive positions are joined by straight
    lines, and a sample without a position, or one whose index is in ``breaks`` (where a new
    recorded segment begins), breaks the line. Fewer than two positions: no lines.
    """
    points = [
        (la, lo)
        for la, lo in zip(lat, lon, strict=True)
        if la is not None and lo is not None and math.isfinite(la) and math.isfinite(lo)
    ]
    if len(points) < 2 or width < 1 or height < 1:
        return []
    mean_lat = math.radians(sum(p[0] for p in points) / len(points))
    xs = [lo * math.cos(mean_lat) for _, lo in points]
    ys = [la for la, _ in points]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    dots_w, dots_h = width * 2, height * 4
    # The largest scale at which both extents fit (an extent of 0, a straight east-west or
    # north-south line, sets no limit; one place repeated is one dot).
    limits = [
        (dots - 1) / extent
        for dots, extent in ((dots_w, max_x - min_x), (dots_h, max_y - min_y))
        if extent > 0
    ]
    scale = min(limits) if limits else 1.0
    used_w = math.floor((max_x - min_x) * scale) + 1
    used_h = math.floor((max_y - min_y) * scale) + 1
    cells = [[0] * width for _ in range(height)]

    def dot(x: int, y: int) -> None:
        cells[y // 4][x // 2] |= _BRAILLE_BITS[y % 4][x % 2]

    previous: tuple[int, int] | None = None
    for index, (la, lo) in enumerate(zip(lat, lon, strict=True)):
        if index in breaks:
            previous = None
        if la is None or lo is None or not (math.isfinite(la) and math.isfinite(lo)):
            previous = None
            continue
        x = round((lo * math.cos(mean_lat) - min_x) * scale)
        y = round((max_y - la) * scale)  # north up
        x, y = min(max(x, 0), used_w - 1), min(max(y, 0), used_h - 1)
        if previous is None:
            dot(x, y)
        else:
            for px, py in _line(previous, (x, y)):
                dot(px, py)
        previous = (x, y)
    rows = math.ceil(used_h / 4)
    columns = math.ceil(used_w / 2)
    return [
        "".join(chr(_BRAILLE_BASE + bits) for bits in row[:columns]).rstrip("\u2800")
        for row in cells[:rows]
    ]


def _line(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """The dots of a straight line from ``start`` to ``end``, both included (Bresenham)."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    error = dx + dy
    dots = []
    while True:
        dots.append((x0, y0))
        if (x0, y0) == (x1, y1):
            return dots
        doubled = 2 * error
        if doubled >= dy:
            error += dy
            x0 += sx
        if doubled <= dx:
            error += dx
            y0 += sy
