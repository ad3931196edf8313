"""Write a track as GPX 1.1 (``fittrack export --format gpx ID``).

One ``<trk>`` with the activity's name and type slug in ``<type>`` (which ``formats.gpx`` reads
back as the sport), one ``<trkseg>`` of every sample that has a position (a new one where
samples without a time begin or end), each with its
elevation and time, and heart rate, cadence and power in Garmin's TrackPointExtension (the
extension gpxpy, Strava and Garmin read). GPX has no place for a sample without a position: those
are left out. Writing touches no file; the caller does.
"""

from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from fittrack.core.track import Track
from fittrack.errors import DataError

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="fittrack" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
    'http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
)


def _time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _extensions(tpx: list[tuple[str, float | None]], power: float | None) -> str:
    """Heart rate and cadence in Garmin's TrackPointExtension, power as Strava writes it."""
    inner = "".join(f"<{tag}>{_number(v, 1)}</{tag}>" for tag, v in tpx if v is not None)
    text = f"<gpxtpx:TrackPointExtension>{inner}</gpxtpx:TrackPointExtension>" if inner else ""
    return text + ("" if power is None else f"<power>{_number(power, 1)}</power>")


def write_gpx(track: Track, *, name: str, type_slug: str, start: datetime) -> bytes:
    """The GPX document of ``track`` (UTF-8); ``start`` is used when the track has no start of
    its own. ``DataError`` when no sample has a position."""
    if track.lat is None or track.lon is None:
        raise DataError("this activity's track has no positions: nothing to write as GPX")
    origin = track.start or start
    extensions = [
        (tag, column)
        for tag, column in (("gpxtpx:hr", track.heart_rate), ("gpxtpx:cad", track.cadence))
        if column is not None
    ]
    lines = [
        _HEAD,
        f"  <metadata><time>{_time(origin)}</time></metadata>\n",
        f"  <trk>\n    <name>{escape(name)}</name>\n    <type>{escape(type_slug)}</type>\n",
        "    <trkseg>\n",
    ]
    points = 0
    timed: bool | None = None
    for i, (lat, lon) in enumerate(zip(track.lat, track.lon, strict=True)):
        if lat is None or lon is None:
            continue
        points += 1
        if timed is not None and timed != (track.time_s[i] is not None):
            # Untimed stretches get their own segment: a reader (ours too) can then take the
            # timed ones for the time, as it did from the file the track came from.
            lines.append("    </trkseg>\n    <trkseg>\n")
        timed = track.time_s[i] is not None
        parts = [f"      <trkpt lat={quoteattr(_number(lat, 7))} lon={quoteattr(_number(lon, 7))}>"]
        elevation = None if track.elevation_m is None else track.elevation_m[i]
        if elevation is not None:
            parts.append(f"<ele>{_number(elevation, 2)}</ele>")
        offset = track.time_s[i]
        if offset is not None:
            parts.append(f"<time>{_time(origin + timedelta(seconds=offset))}</time>")
        extra = _extensions(
            [(tag, column[i]) for tag, column in extensions],
            None if track.power is None else track.power[i],
        )
        if extra:
            parts.append(f"<extensions>{extra}</extensions>")
        parts.append("</trkpt>\n")
        lines.append("".join(parts))
    if not points:
        raise DataError("this activity's track has no positions: nothing to write as GPX")
    lines.append("    </trkseg>\n  </trk>\n</gpx>\n")
    return "".join(lines).encode("utf-8")
