"""GPX import: the real files of shared/data/gpx with the values MANIFEST.md gives; bad input.

Distances are compared within ±0.5 % (GPX distance algorithms differ by up to ~0.2 %).
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, gpx, parse_by_name

DATA = Path(__file__).parents[3] / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (DATA / "gpx").is_dir(),
    reason=f"real activity files not found at {DATA} (shared/ must sit beside the repository)",
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol9;</name><trkseg>
<trkpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></trkpt>
<trkpt lat="1.001" lon="1"><time>2020-01-01T00:01:00Z</time></trkpt>
</trkseg></trk></gpx>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&secret;</name><trkseg>
<trkpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></trkpt>
<trkpt lat="1.001" lon="1"><time>2020-01-01T00:01:00Z</time></trkpt>
</trkseg></trk></gpx>
"""


def _gpx(body: str, *, head: str = "") -> bytes:
    return (
        f'{head}<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{body}</gpx>"
    ).encode()


def _points(*rows: tuple[float, float, str | None]) -> str:
    out = []
    for lat, lon, moment in rows:
        when = f"<time>{moment}</time>" if moment else ""
        out.append(f'<trkpt lat="{lat}" lon="{lon}">{when}</trkpt>')
    return "".join(out)


def read(name: str) -> bytes:
    return (DATA / "gpx" / name).read_bytes()


def one(name: str) -> ImportedActivity:
    activities = gpx.parse(read(name), name)
    assert len(activities) == 1
    activity = activities[0]
    assert activity.source == "gpx"
    assert activity.start.tzinfo is UTC
    assert activity.end is not None and activity.end.tzinfo is UTC
    return activity


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- the MANIFEST's files ---------------------------------------------------------------------


def test_gpxgo_file() -> None:
    activity = one("gpxgo__file.gpx")
    assert activity.start == utc("2012-03-17T12:46:19")
    assert activity.end == utc("2012-03-17T12:47:23")
    assert activity.distance_m == pytest.approx(56.8, rel=0.005)
    assert activity.duration_s == 39  # MANIFEST: moving 39 s of the 64 s elapsed
    assert activity.type is None  # no <type>: the importer uses --type or the speed
    assert activity.note == "17-MRZ-12 16:44:12"
    assert activity.calories_kcal is None


def test_cerknicko_moving_time_leaves_out_the_gaps_between_tracks() -> None:
    activity = one("gpxpy__cerknicko-jezero.gpx")
    assert activity.start == utc("2010-08-05T14:23:59")
    assert activity.end == utc("2010-08-05T16:23:49")
    assert activity.distance_m == pytest.approx(4580.1, rel=0.005)
    assert activity.duration_s is not None
    # The tracks' own durations sum to 4 239 s; the 7 190 s elapsed include long gaps between them.
    assert 0 < activity.duration_s <= 4239
    assert activity.warnings == ()


def test_untimed_track_is_refused_with_what_to_do() -> None:
    with pytest.raises(DataError) as caught:
        gpx.parse(read("gpxpy__cerknicko-without-times.gpx"))
    message = str(caught.value)
    assert "no timestamps" in message
    assert "5 of 296" in message
    assert "fittrack log TYPE 4.58km --start" in message
    assert "\n" not in message


def test_korita_untimed_track_counts_in_distance_with_a_warning() -> None:
    activity = one("gpxpy__korita-zbevnica.gpx")
    assert activity.start == utc("2010-10-03T09:36:30")
    assert activity.end == utc("2010-10-03T13:19:31")
    assert activity.distance_m == pytest.approx(14913.7, rel=0.005)
    assert activity.duration_s is not None
    assert activity.duration_s <= (activity.end - activity.start).total_seconds()
    assert any("no timestamps" in w for w in activity.warnings)


def test_track_with_empty_segment() -> None:
    activity = one("gpxpy__track-with-empty-segment.gpx")
    assert activity.start == utc("2013-07-06T17:26:26")
    assert activity.end == utc("2013-07-06T17:27:42")
    assert activity.distance_m == pytest.approx(85.9, rel=0.005)
    assert activity.duration_s is not None
    assert 0 < activity.duration_s <= 76


@pytest.mark.parametrize(
    ("name", "holds"),
    [("gpxpy__route.gpx", "a route"), ("gpxpy__gpx_with_garmin_extension.gpx", "waypoints")],
)
def test_files_without_a_track_are_refused(name: str, holds: str) -> None:
    with pytest.raises(DataError, match="no track, nothing recorded") as caught:
        gpx.parse(read(name), name)
    assert holds in str(caught.value)


def test_parse_by_name_reads_gzipped_gpx() -> None:
    import gzip

    activities = parse_by_name("ride.GPX.gz", gzip.compress(read("gpxgo__file.gpx")))
    assert activities[0].start == utc("2012-03-17T12:46:19")


# --- distance, pauses and sport on small files -----------------------------------------------


def test_distance_never_spans_the_gap_between_segments_or_tracks() -> None:
    # Two 0.001° hops (~111 m each) far apart: the ~111 km between them is not travelled.
    seg_a = _points((45.0, 14.0, "2020-05-01T10:00:00Z"), (45.001, 14.0, "2020-05-01T10:01:00Z"))
    seg_b = _points((46.0, 14.0, "2020-05-01T11:00:00Z"), (46.001, 14.0, "2020-05-01T11:01:00Z"))
    seg_c = _points((47.0, 14.0, "2020-05-01T12:00:00Z"), (47.001, 14.0, "2020-05-01T12:01:00Z"))
    data = _gpx(
        f"<trk><trkseg>{seg_a}</trkseg><trkseg>{seg_b}</trkseg></trk>"
        f"<trk><trkseg>{seg_c}</trkseg></trk>"
    )
    [activity] = gpx.parse(data)
    assert activity.distance_m == pytest.approx(3 * 111.2, rel=0.005)
    assert activity.duration_s == 180  # three moving minutes, not the two hours from 10:00
    assert activity.start == utc("2020-05-01T10:00:00")
    assert activity.end == utc("2020-05-01T12:01:00")


def test_a_standstill_is_a_pause() -> None:
    points = _points(
        (45.0, 14.0, "2020-05-01T10:00:00Z"),
        (45.001, 14.0, "2020-05-01T10:01:00Z"),  # ~111 m in 60 s: moving
        (45.001, 14.0, "2020-05-01T10:11:00Z"),  # ten minutes without moving: a pause
        (45.00101, 14.0, "2020-05-01T10:21:00Z"),  # 1 m in ten minutes: slower than 1 km/h
        (45.002, 14.0, "2020-05-01T10:22:00Z"),  # moving again
    )
    [activity] = gpx.parse(_gpx(f"<trk><trkseg>{points}</trkseg></trk>"))
    assert activity.duration_s == 120
    assert activity.end is not None
    assert (activity.end - activity.start).total_seconds() == 22 * 60


def test_no_movement_gives_the_recorded_time_with_a_warning() -> None:
    points = _points((45.0, 14.0, "2020-05-01T10:00:00Z"), (45.0, 14.0, "2020-05-01T10:30:00Z"))
    [activity] = gpx.parse(_gpx(f"<trk><trkseg>{points}</trkseg></trk>"))
    assert activity.duration_s == 1800
    assert any("no movement" in w for w in activity.warnings)


def test_times_with_offsets_come_back_in_utc() -> None:
    points = _points(
        (45.0, 14.0, "2020-05-01T12:00:00+02:00"), (45.001, 14.0, "2020-05-01T12:01:00+02:00")
    )
    [activity] = gpx.parse(_gpx(f"<trk><trkseg>{points}</trkseg></trk>"))
    assert activity.start == utc("2020-05-01T10:00:00")
    assert activity.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("word", "slug"),
    [
        ("9", "run"),
        ("1", "ride"),
        ("running", "run"),
        ("Run", "run"),
        ("cycling", "ride"),
        ("Walking", "walk"),
        ("hiking", "hike"),
        ("mountain_biking", "mountain-bike"),
        ("open_water_swimming", "open-water-swim"),
    ],
)
def test_track_type_maps_to_a_fittrack_type(word: str, slug: str) -> None:
    points = _points((45.0, 14.0, "2020-05-01T10:00:00Z"), (45.001, 14.0, "2020-05-01T10:01:00Z"))
    data = _gpx(f"<trk><name>Morning</name><type>{word}</type><trkseg>{points}</trkseg></trk>")
    [activity] = gpx.parse(data)
    assert (activity.type, activity.sport, activity.warnings) == (slug, word, ())
    assert activity.note == "Morning"


def test_unknown_track_type_is_other_with_a_warning() -> None:
    points = _points((45.0, 14.0, "2020-05-01T10:00:00Z"), (45.001, 14.0, "2020-05-01T10:01:00Z"))
    data = _gpx(f"<trk><type>23</type><trkseg>{points}</trkseg></trk>")
    [activity] = gpx.parse(data)
    assert activity.type == "other"
    assert any("unknown sport '23'" in w for w in activity.warnings)


def test_metadata_name_is_the_note_and_latin1_is_read() -> None:
    points = _points((45.0, 14.0, "2020-05-01T10:00:00Z"), (45.001, 14.0, "2020-05-01T10:01:00Z"))
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<metadata><name>Tour de l'Île</name></metadata><trk><trkseg>{points}</trkseg></trk></gpx>"
    )
    [activity] = gpx.parse(text.encode("latin-1"))
    assert activity.note == "Tour de l'Île"


# --- broken and hostile input -------------------------------------------------------------------


def refused(data: bytes) -> str:
    with pytest.raises(DataError) as caught:
        gpx.parse(data, "broken.gpx")
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_empty_file() -> None:
    assert "empty" in refused(b"")
    assert "empty" in refused(b"  \n")


def test_binary_garbage() -> None:
    assert "not XML" in refused(bytes(range(256)) * 4)
    assert "not XML" in refused((DATA / "fit" / "fitparse__garmin-fenix-5-run.fit").read_bytes())


def test_truncated_file() -> None:
    data = read("gpxpy__cerknicko-jezero.gpx")
    assert "truncated or malformed XML at line" in refused(data[: len(data) // 2])


def test_tcx_and_json_are_not_gpx() -> None:
    tcx = (DATA / "tcx" / "tcxparser__test.tcx").read_bytes()
    assert "not a GPX file: no <gpx> root" in refused(tcx)
    assert "not a GPX file" in refused(b'{"type": "FeatureCollection", "features": []}')


def test_bad_content_inside_good_xml() -> None:
    bad_time = _points((45.0, 14.0, "yesterday"), (45.001, 14.0, "2020-05-01T10:01:00Z"))
    refused(_gpx(f"<trk><trkseg>{bad_time}</trkseg></trk>"))
    refused(_gpx('<trk><trkseg><trkpt lat="north" lon="14"/></trkseg></trk>'))
    for lat in ("95", "1e400", "nan"):
        far = _points(
            (float(lat), 14.0, "2020-05-01T10:00:00Z"), (1.0, 14.0, "2020-05-01T10:01:00Z")
        )
        assert "impossible position" in refused(_gpx(f"<trk><trkseg>{far}</trkseg></trk>"))


def test_not_utf8_as_declared() -> None:
    refused(b'<?xml version="1.0" encoding="UTF-8"?><gpx><trk><name>\xff\xfe</name></trk></gpx>')


def test_billion_laughs_is_refused_at_its_dtd() -> None:
    # Refused at the DTD, before any entity is expanded (a wall clock here would only say how
    # busy the machine is).
    message = refused(BILLION_LAUGHS)
    assert "entity" in message and "DTD" in message


def test_external_entity_is_refused() -> None:
    message = refused(XXE)
    assert "entity" in message
    assert "root:" not in message
