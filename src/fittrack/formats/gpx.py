"""GPX files: one activity per file, made of all its tracks, read through gpxpy.

How a GPX file becomes an activity:

- **Safety first.** The bytes are parsed with ``defusedxml`` before gpxpy sees them: a file with a
  DTD or entity declarations (the "billion laughs" entity expansion, external entities that would
  read local files) is refused at once, whatever it goes on to contain.
- **One activity per file.** Every track and segment of the file belongs to it; a device writes a
  new track or segment when it is paused or restarted, not when a new workout begins.
- **Distance** is the sum over every segment of that segment's 2D length (gpxpy ``length_2d``): the
  gap between two segments or two tracks is never counted, since the device was not recording there.
- **Moving time** (``duration_s``) is the sum over segments of gpxpy's moving time. A pause is
  detected stretch by stretch between consecutive points: a stretch counts as moving when its speed
  is above 1 km/h (0.28 m/s; 3D distance when both points have an elevation); a slower stretch
  (standing at a crossing, GPS drift while stopped) or one with no movement at all is a pause. The
  time between segments and between tracks never counts. If nothing moved at all, the recorded time
  of the segments is used instead, with a warning.
- **Start and end** are the earliest and latest timestamps, in UTC (a time without an offset is
  taken as UTC, as the GPX standard says).
- **Timestamps.** A segment counts as timed only when every one of its points carries a time.
  Untimed segments still add their distance (with a warning, because the pace is then too fast). A
  file with no timed segment at all has a distance but no start or duration: it is refused with a
  message that gives its distance and asks the user to log it with ``fittrack log TYPE DISTANCE
  --start … --duration …``; nothing is invented.
- **No track** (a planned route, or waypoints only): refused, "no track, nothing recorded".
- **Sport** comes from the first ``<trk><type>`` through ``SPORT_TYPES`` (Strava writes numbers:
  ``9`` run, ``1`` ride); an unknown word keeps its own name (the importer adds it as a new
  type), any other number becomes ``other`` with a warning, no ``<type>`` gives ``type=None``
  (the importer then uses ``--type`` or guesses from the speed).
- **Note** is the file's ``<metadata><name>``, else the first recorded track's ``<name>``.
- **Samples** (``track``): every point of every recorded segment, in file order
  (``segment_starts`` marks where each segment after the first begins): time (None for an
  untimed point), latitude, longitude, ``<ele>``, and from ``<extensions>`` the Garmin
  TrackPointExtension's ``hr`` and ``cad`` and a ``<power>`` element as Strava writes it (matched
  by local name, so any namespace prefix or version works). The track's ``start`` is the activity's
  start, so ``time_s`` is never negative. An odd value (NaN elevation, a heart rate of 0 or 999, an
  unreadable ``hr``) becomes None for that sample alone, as ``formats.samples`` documents; an
  impossible *position* still refuses the file (above), since the distance is computed from it.
"""

import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError

from fittrack.core.track import Track
from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, map_sport
from fittrack.formats.samples import floats, make_track

if TYPE_CHECKING:
    from gpxpy.gpx import GPX, GPXTrackPoint, GPXTrackSegment

# Keys as ``map_sport`` compares them: lowercase, "_" and "-" read as spaces. Strava's GPX export
# writes a number: only 1 (Ride) and 9 (Run) have been observed in real exports, so only those are
# mapped; any other number becomes "other" with a warning rather than a guess.
SPORT_TYPES: dict[str, str] = {
    "1": "ride",
    "9": "run",
    "run": "run",
    "running": "run",
    "trail running": "run",
    "treadmill running": "run",
    "street running": "run",
    "walk": "walk",
    "walking": "walk",
    "casual walking": "walk",
    "hike": "hike",
    "hiking": "hike",
    "nordic walking": "nordic-walk",
    "ride": "ride",
    "biking": "ride",
    "cycling": "ride",
    "road biking": "ride",
    "road cycling": "ride",
    "gravel cycling": "ride",
    "mountain biking": "mountain-bike",
    "mountainbiking": "mountain-bike",
    "mtb": "mountain-bike",
    "indoor cycling": "indoor-ride",
    "virtual ride": "indoor-ride",
    "swim": "swim",
    "swimming": "swim",
    "lap swimming": "swim",
    "open water swimming": "open-water-swim",
    "row": "row",
    "rowing": "row",
}

# gpxpy's default threshold, stated here because the docs quote it.
STOPPED_SPEED_KMH = 1.0

_NO_EXTENSIONS: tuple[None, None, None] = (None, None, None)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_LEADING_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def xml_root(data: bytes, kind: str, root_name: str) -> Element:
    """The root element of ``data``, parsed with DTDs and entities refused; DataError otherwise.

    ``kind`` ("GPX", "TCX") and ``root_name`` ("gpx") are for the messages and the root check: a
    well-formed XML file of another kind is "not a GPX file", not an empty activity.
    """
    import defusedxml  # type: ignore[import-untyped]
    import defusedxml.ElementTree as defused_et  # type: ignore[import-untyped]

    if not data.strip():
        raise DataError(f"not a {kind} file: the file is empty")
    body = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    # A file that does not start like XML (binary garbage, JSON, a FIT file) gets a plain answer
    # instead of expat's "not well-formed (invalid token)". UTF-16 XML starts with a BOM or a NUL.
    if not body.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<")):
        raise DataError(f"not a {kind} file: it is not XML")
    try:
        root: Element = defused_et.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise DataError(
            "DTD and entity declarations are refused "
            "(possible entity-expansion or external-entity attack)"
        ) from exc
    except ParseError as exc:
        line = exc.position[0] if exc.position else 0
        reason = str(exc).split(":")[0]
        raise DataError(f"truncated or malformed XML at line {line} ({reason})") from exc
    except (ValueError, LookupError) as exc:  # an unknown or lying encoding declaration
        raise DataError(f"not a readable {kind} file: {exc}") from exc
    if _local_name(root.tag) != root_name:
        raise DataError(
            f"not a {kind} file: no <{root_name}> root (found <{_local_name(root.tag)}>)"
        )
    return root


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(data: bytes) -> str:
    """The document as text for gpxpy, which decodes bytes as UTF-8 only.

    The XML declaration is dropped: it names the encoding of bytes, and would mislead a parser that
    is handed text already decoded.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        declared = _XML_DECLARATION.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8-sig"
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(f"not a readable GPX file: the text is not valid {encoding}") from exc
    return _LEADING_DECLARATION.sub("", text, count=1)


def _utc(moment: datetime) -> datetime:
    # GPX times are UTC by the standard; gpxpy leaves a time written without "Z" naive.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _clean(value: object) -> str:
    # gpxpy types some text fields as always None; they hold a str when the file has one.
    return value.strip() if isinstance(value, str) else ""


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f}km"


def _load(data: bytes) -> "GPX":
    import gpxpy

    xml_root(data, "GPX", "gpx")
    text = _text(data)
    try:
        return gpxpy.parse(text)
    # gpxpy raises its own exceptions for bad XML, but ValueError, TypeError and others for bad
    # content (a latitude that is not a number, an unparseable time): every one is a bad file here.
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"not a readable GPX file: {reason}") from exc


def _timed(segment: "GPXTrackSegment") -> bool:
    return all(point.time is not None for point in segment.points)


def _span_s(segment: "GPXTrackSegment") -> float:
    """Seconds from the earliest to the latest time of a timed segment."""
    times = [_utc(point.time) for point in segment.points if point.time is not None]
    return (max(times) - min(times)).total_seconds()


def parse(data: bytes, name: str = "") -> list[ImportedActivity]:
    """The one activity recorded in a GPX file; DataError for anything that is not one.

    ``name`` is the file's name, for nothing but context: messages do not repeat it (the importer
    reports them per file).
    """
    gpx = _load(data)
    recorded = [track for track in gpx.tracks if any(seg.points for seg in track.segments)]
    if not recorded:
        what = "a route" if gpx.routes else "waypoints" if gpx.waypoints else "nothing"
        raise DataError(f"no track, nothing recorded (the file holds {what})")
    segments = [seg for track in recorded for seg in track.segments if seg.points]
    for seg in segments:
        for point in seg.points:
            # gpxpy accepts any number; a latitude of 95 or "inf" would give absurd distances.
            lat, lon = point.latitude, point.longitude
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise DataError(f"a track point has an impossible position (lat {lat}, lon {lon})")

    try:
        distance = sum(seg.length_2d() or 0.0 for seg in segments)
        timed = [seg for seg in segments if _timed(seg)]
        moving = 0.0
        for seg in timed:
            moving_data = seg.get_moving_data(stopped_speed_threshold=STOPPED_SPEED_KMH)
            moving += moving_data.moving_time if moving_data else 0.0
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise DataError(f"not a readable GPX file: {exc}") from exc
    if not math.isfinite(distance):
        raise DataError("not a readable GPX file: the distance cannot be computed")

    if not timed:
        points = sum(len(seg.points) for seg in segments)
        with_time = sum(1 for seg in segments for point in seg.points if point.time is not None)
        some = f" ({with_time} of {points} points carry one)" if with_time else ""
        raise DataError(
            f"the track has no timestamps{some}, so no start time or duration: log it with "
            f"`fittrack log TYPE {_km(distance)} --start … --duration …`"
        )

    warnings: list[str] = []
    times = [_utc(point.time) for seg in timed for point in seg.points if point.time is not None]
    start, end = min(times), max(times)
    if moving <= 0:
        # Nothing moved faster than the threshold (a watch left on a table, an indoor session):
        # the recorded time is the honest duration, and the user is told.
        moving = sum(_span_s(seg) for seg in timed)
        warnings.append("no movement detected: the duration is the recorded time")
    untimed_distance = distance - sum(seg.length_2d() or 0.0 for seg in timed)
    if untimed_distance > 0.5:
        warnings.append(
            f"{_km(untimed_distance)} of {_km(distance)} has no timestamps: "
            "it counts in the distance but not in the time"
        )

    types = [_clean(t.type) for t in recorded if _clean(t.type)]
    sport = types[0] if types else None
    if len({t.lower() for t in types}) > 1:
        warnings.append(f"tracks name different sports ({', '.join(types)}): used '{sport}'")
    activity_type, sport_warnings = map_sport(sport, SPORT_TYPES)

    names = [_clean(t.name) for t in recorded if _clean(t.name)]
    note = _clean(gpx.name) or (names[0] if names else "")
    return [
        ImportedActivity(
            start=start,
            end=end,
            source="gpx",
            type=activity_type,
            sport=sport,
            duration_s=moving,
            distance_m=distance,
            note=note,
            warnings=(*sport_warnings, *warnings),
            track=_track(segments, start),
        )
    ]


def _track(segments: "list[GPXTrackSegment]", start: datetime) -> Track | None:
    """The samples of ``segments`` in file order, ``time_s`` counted from ``start``."""
    points = [point for segment in segments for point in segment.points]
    extensions = [_extensions(point) for point in points]
    starts, first = [], 0
    for segment in segments[:-1]:
        first += len(segment.points)
        starts.append(first)
    return make_track(
        start,
        [(_utc(point.time) - start).total_seconds() if point.time else None for point in points],
        # gpxpy has read these as floats (or refused the file); NaN and ±inf are still possible.
        lat=[point.latitude for point in points],
        lon=[point.longitude for point in points],
        elevation_m=[point.elevation for point in points],
        heart_rate=floats(heart_rate for heart_rate, _, _ in extensions),
        cadence=floats(cadence for _, cadence, _ in extensions),
        power=floats(power for _, _, power in extensions),
        segment_starts=tuple(starts),
    )


def _extensions(point: "GPXTrackPoint") -> tuple[str | None, str | None, str | None]:
    """The texts of a point's heart rate, cadence and power extensions (None where absent)."""
    heart_rate = cadence = power = None
    if not point.extensions:
        return _NO_EXTENSIONS
    for element in point.extensions:
        name = _local_name(element.tag) if isinstance(element.tag, str) else ""
        if name == "power":
            power = element.text
        elif name == "TrackPointExtension":
            for child in element:
                child_name = _local_name(child.tag) if isinstance(child.tag, str) else ""
                if child_name == "hr":
                    heart_rate = child.text
                elif child_name == "cad":
                    cadence = child.text
    return heart_rate, cadence, power
