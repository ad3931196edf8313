"""A track written back as a GPX 1.1 file, the way watches and Strava write one.

The document has one ``<trk>`` with a ``<trkseg>`` for each recorded segment of the track
(``Track.segment_starts``), and one more wherever the samples go from timed to untimed or back
(``formats.gpx`` times a segment only when all its points have a time, so a mixed one would lose
its times on the way back); each sample with a position is a
``<trkpt lat lon>`` with ``<ele>``, ``<time>`` (UTC, ``Z``, with a fraction only when the sample
has one) and, in ``<extensions>``, ``<power>`` as Strava writes it and the heart rate and cadence
in Garmin's TrackPointExtension v1 (``gpxtpx:hr``, ``gpxtpx:cad``), which ``formats.gpx``, gpxpy,
Strava and Garmin Connect all read. Numbers are written in Python's shortest round-trip form, so
reading the file back gives the very floats of the track.

Segments keep a file's gaps out of the distance and the moving time, in gpxpy as in fittrack.
What GPX cannot hold is left out: a sample without a
position (a TCX trackpoint before the GPS fix, an indoor FIT record) is no ``<trkpt>``, and the
device's cumulative distance has no GPX element (a reader measures it from the positions).

Written with the standard library: no gpxpy on the export path.
"""

from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from fittrack.core.track import Track

GPX_NS = "http://www.topografix.com/GPX/1/1"
TRACKPOINT_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
CREATOR = "fittrack"


def write_gpx(track: Track, *, name: str, type_slug: str | None, start: datetime) -> bytes:
    """``track`` as a GPX 1.1 document (UTF-8 bytes).

    ``name`` becomes the file's and the track's ``<name>``, ``type_slug`` the track's ``<type>``
    (which ``formats.gpx`` maps back to the same type), ``start`` the ``<metadata><time>``; sample
    times count from ``track.start``, or from ``start`` when the track has none.
    """
    origin = _utc(track.start if track.start is not None else start)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator="{CREATOR}" xmlns="{GPX_NS}" xmlns:gpxtpx="{TRACKPOINT_NS}">',
        "<metadata>",
    ]
    if name:
        lines.append(f"<name>{escape(name)}</name>")
    lines += [f"<time>{_time(_utc(start))}</time>", "</metadata>", "<trk>"]
    if name:
        lines.append(f"<name>{escape(name)}</name>")
    if type_slug:
        lines.append(f"<type>{escape(type_slug)}</type>")
    lines.append("<trkseg>")
    lines += _points(track, origin)
    lines += ["</trkseg>", "</trk>", "</gpx>", ""]
    return "\n".join(lines).encode("utf-8")


def _points(track: Track, origin: datetime) -> list[str]:
    count = len(track)
    if track.lat is None or track.lon is None:
        return []
    nothing: tuple[None, ...] = (None,) * count
    elevation = track.elevation_m or nothing
    heart_rate = track.heart_rate or nothing
    cadence = track.cadence or nothing
    power = track.power or nothing
    points: list[str] = []
    timed: bool | None = None
    starts = set(track.segment_starts)
    new_segment = False
    for index in range(count):
        new_segment = new_segment or index in starts
        lat, lon = track.lat[index], track.lon[index]
        if lat is None or lon is None:
            continue
        seconds = track.time_s[index]
        if timed is not None and (new_segment or timed != (seconds is not None)):
            points.append("</trkseg><trkseg>")
        timed, new_segment = seconds is not None, False
        parts = [f'<trkpt lat="{lat!r}" lon="{lon!r}">']
        if elevation[index] is not None:
            parts.append(f"<ele>{elevation[index]!r}</ele>")
        if seconds is not None:
            parts.append(f"<time>{_time(origin + timedelta(seconds=seconds))}</time>")
        parts += _extensions(heart_rate[index], cadence[index], power[index])
        parts.append("</trkpt>")
        points.append("".join(parts))
    return points


def _extensions(heart_rate: float | None, cadence: float | None, power: float | None) -> list[str]:
    if heart_rate is None and cadence is None and power is None:
        return []
    parts = ["<extensions>"]
    if power is not None:
        parts.append(f"<power>{_number(power)}</power>")
    if heart_rate is not None or cadence is not None:
        parts.append("<gpxtpx:TrackPointExtension>")
        if heart_rate is not None:
            parts.append(f"<gpxtpx:hr>{_number(heart_rate)}</gpxtpx:hr>")
        if cadence is not None:
            parts.append(f"<gpxtpx:cad>{_number(cadence)}</gpxtpx:cad>")
        parts.append("</gpxtpx:TrackPointExtension>")
    parts.append("</extensions>")
    return parts


def _number(value: float) -> str:
    # The schema types hr and cad as integers: a whole number is written as one ("150", not
    # "150.0"), anything else exactly.
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _time(moment: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; microseconds only when there are some."""
    return moment.replace(tzinfo=None).isoformat() + "Z"
