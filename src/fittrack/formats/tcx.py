"""TCX files (Garmin Training Center): one activity per ``<Activity>``, totals from the laps.

How a TCX file becomes activities:

- **Safety first.** The bytes are parsed with ``defusedxml`` (DTDs and entity declarations refused,
  so an entity-expansion or external-entity file is rejected at once), and the root must be
  ``<TrainingCenterDatabase>``.
- **One activity per ``<Activity>``.** A multi-sport session (``<MultiSportSession>`` with its
  ``<FirstSport>`` and ``<NextSport>`` activities) becomes one activity per sport; its
  ``<Transition>`` laps are not activities.
- **Totals from the laps**, as the device summed them: ``duration_s`` is the sum of the laps'
  ``TotalTimeSeconds`` (the timer, so pauses are already out), ``distance_m`` the sum of
  ``DistanceMeters``, ``calories_kcal`` the sum of ``Calories``. A total is None when no lap has
  that field.
- **Start** is the activity's ``<Id>`` (a timestamp, by the schema), else its first lap's
  ``StartTime``. **End** is the last trackpoint's time, else the last lap's start plus its time.
  Times are returned in UTC; a time without an offset is taken as UTC, as the TCX schema says.
- **Sport** is the ``Sport`` attribute (the schema allows Running, Biking, Other) mapped through
  ``SPORT_TYPES``. ``Sport="Other"`` means the file does not say what the sport was (Garmin
  writes it for swims, walks, strength…): ``type`` is then None and the importer uses ``--type``
  or guesses from the speed, and says so. Any other unknown word becomes ``other`` with a warning.
- **Note** is the activity's ``<Notes>``.
- **Samples** (``track``): every ``<Trackpoint>`` of the activity's laps, in file order: ``Time``,
  ``Position`` (``LatitudeDegrees``/``LongitudeDegrees``), ``AltitudeMeters``, ``DistanceMeters``,
  ``HeartRateBpm/Value``, ``Cadence`` (else the ActivityExtension's ``RunCadence``) and the
  ActivityExtension's ``Watts``. A trackpoint without a position keeps its other values. The
  track's ``start`` is the activity's start, or the first trackpoint's time when that is earlier,
  so ``time_s`` is never negative. A field that cannot be read (a time that is no date, a
  latitude of 91, "NaN") is None for that sample alone, as ``formats.samples`` documents: samples
  never refuse a file and never change its totals.
"""

import math
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element

from fittrack.core.track import Track
from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, map_sport
from fittrack.formats.gpx import xml_root
from fittrack.formats.samples import floats, make_track

# Keys as ``map_sport`` compares them (lowercase, "_" and "-" read as spaces). The schema's own
# words are Running and Biking; the rest are written by other tools that export TCX.
SPORT_TYPES: dict[str, str] = {
    "running": "run",
    "run": "run",
    "biking": "ride",
    "cycling": "ride",
    "ride": "ride",
    "mountain biking": "mountain-bike",
    "walking": "walk",
    "walk": "walk",
    "hiking": "hike",
    "hike": "hike",
    "swimming": "swim",
    "swim": "swim",
    "rowing": "row",
}

# "Other" is the schema's word for "none of the above": it names no sport.
NO_SPORT = "other"


def parse(data: bytes, name: str = "") -> list[ImportedActivity]:
    """Every activity in a TCX file, in file order; DataError for anything that is not one.

    ``name`` is the file's name, for nothing but context: messages do not repeat it (the importer
    reports them per file).
    """
    root = xml_root(data, "TCX", "TrainingCenterDatabase")
    # Tags carry the document's namespace (normally TrainingCenterDatabase/v2); reading it from the
    # root also accepts the rare file written without one.
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    activities = list(root.iter(f"{ns}Activity"))
    if not activities:
        raise DataError("no activity, nothing recorded (a course or workout file?)")
    many = len(activities) > 1
    return [
        _activity(element, ns, f"activity {number}: " if many else "")
        for number, element in enumerate(activities, start=1)
    ]


def _activity(element: Element, ns: str, where: str) -> ImportedActivity:
    laps = element.findall(f"{ns}Lap")
    if not laps:
        raise DataError(f"{where}no laps, nothing recorded")

    durations = [_number(lap, f"{ns}TotalTimeSeconds", where) for lap in laps]
    distances = [_number(lap, f"{ns}DistanceMeters", where) for lap in laps]
    calories = [_number(lap, f"{ns}Calories", where) for lap in laps]

    # The schema makes <Id> the start time, but some writers put a name there: fall back quietly.
    try:
        start = _time(element.findtext(f"{ns}Id"), where)
    except DataError:
        start = None
    start = start or _time(laps[0].get("StartTime"), where)
    if start is None:
        raise DataError(f"{where}no start time (neither <Id> nor the first lap's StartTime)")

    end = _end(element, laps, ns, where, durations[-1])
    warnings: list[str] = []
    if end is not None and end < start:
        warnings.append("the last trackpoint is before the start: end time ignored")
        end = None

    sport = (element.get("Sport") or "").strip() or None
    activity_type: str | None = None
    sport_warnings: tuple[str, ...] = ()
    if sport is not None and sport.lower() != NO_SPORT:
        activity_type, sport_warnings = map_sport(sport, SPORT_TYPES)

    return ImportedActivity(
        start=start,
        end=end,
        source="tcx",
        type=activity_type,
        sport=sport,
        duration_s=_total(durations),
        distance_m=_total(distances),
        calories_kcal=_total(calories),
        note=(element.findtext(f"{ns}Notes") or "").strip(),
        warnings=(*sport_warnings, *warnings),
        track=_track(element, ns, start),
    )


_Text = str | None
# One trackpoint's time, then the texts of lat, lon, altitude, distance, heart rate, cadence, watts.
_Row = tuple[datetime | None, _Text, _Text, _Text, _Text, _Text, _Text, _Text]


def _track(element: Element, ns: str, start: datetime) -> Track | None:
    """The samples of an activity's trackpoints, ``time_s`` from its start (or the earliest)."""
    rows = _trackpoints(element, ns)
    if not rows:
        return None
    times = [row[0] for row in rows if row[0] is not None]
    origin = min(start, *times) if times else start
    moments, lat, lon, altitude, distance, heart_rate, cadence, watts = zip(*rows, strict=True)
    return make_track(
        origin,
        [(moment - origin).total_seconds() if moment else None for moment in moments],
        lat=floats(lat),
        lon=floats(lon),
        elevation_m=floats(altitude),
        distance_m=floats(distance),
        heart_rate=floats(heart_rate),
        cadence=floats(cadence),
        power=floats(watts),
    )


def _trackpoints(element: Element, ns: str) -> list[_Row]:
    """The texts of each trackpoint's fields, in file order.

    Tags are compared whole (the document's namespace is known) because this runs for every
    field of thousands of trackpoints; only the ActivityExtension, whose prefix and version vary
    between writers, is matched by local name.
    """
    time_tag, position_tag, altitude_tag, distance_tag, heart_rate_tag, cadence_tag = (
        ns + name
        for name in (
            "Time",
            "Position",
            "AltitudeMeters",
            "DistanceMeters",
            "HeartRateBpm",
            "Cadence",
        )
    )
    extensions_tag, lat_tag, lon_tag, value_tag = (
        ns + name for name in ("Extensions", "LatitudeDegrees", "LongitudeDegrees", "Value")
    )
    rows: list[_Row] = []
    for point in element.iterfind(f"{ns}Lap/{ns}Track/{ns}Trackpoint"):
        moment = None
        lat = lon = altitude = distance = heart_rate = cadence = run_cadence = watts = None
        for child in point:
            tag = child.tag
            if tag == time_tag:
                moment = _sample_time(child.text)
            elif tag == position_tag:
                lat = child.findtext(lat_tag)
                lon = child.findtext(lon_tag)
            elif tag == altitude_tag:
                altitude = child.text
            elif tag == distance_tag:
                distance = child.text
            elif tag == heart_rate_tag:
                heart_rate = child.findtext(value_tag)
            elif tag == cadence_tag:
                cadence = child.text
            elif tag == extensions_tag:
                for part in child.iter():
                    name = _local(part.tag)
                    if name == "Watts":
                        watts = part.text
                    elif name == "RunCadence":
                        run_cadence = part.text
        rows.append(
            (moment, lat, lon, altitude, distance, heart_rate, cadence or run_cadence, watts)
        )
    return rows


def _local(tag: object) -> str:
    # Comments and processing instructions have a function as their tag.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _sample_time(text: str | None) -> datetime | None:
    """A trackpoint's time, or None when it cannot be read (one bad sample is not a bad file)."""
    try:
        return _time(text, "")
    except DataError:
        return None


def _end(
    element: Element, laps: list[Element], ns: str, where: str, last_lap_s: float | None
) -> datetime | None:
    """The last trackpoint's time, else when the last lap's timer stopped."""
    for point in reversed(element.findall(f"{ns}Lap/{ns}Track/{ns}Trackpoint")):
        moment = _time(point.findtext(f"{ns}Time"), where)
        if moment is not None:
            return moment
    lap_start = _time(laps[-1].get("StartTime"), where)
    if lap_start is None or last_lap_s is None:
        return None
    return lap_start + timedelta(seconds=last_lap_s)


def _total(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _number(lap: Element, tag: str, where: str) -> float | None:
    text = lap.findtext(tag)
    if text is None or not text.strip():
        return None
    field = tag.rsplit("}", 1)[-1]
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}lap {field} '{text.strip()[:40]}' is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise DataError(f"{where}lap {field} {text.strip()[:40]} is not a possible value")
    return value


def _time(text: str | None, where: str) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 text, None for no text, DataError for a bad one.

    Python 3.11's ``fromisoformat`` reads "Z", "+00:00" and fractions of any length (it keeps
    microseconds), which covers every TCX writer seen so far.
    """
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DataError(f"{where}'{text.strip()[:40]}' is not a date and time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
