"""GPX written from a track: read back by ``formats.gpx`` to the same samples, and by gpxpy to the
same length as the file it came from.
"""

import math
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import gpxpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.formats.real_files import DATA, real

from fittrack.core.track import Track
from fittrack.formats import ImportedActivity, gpx
from fittrack.formats.gpx_write import GPX_NS, TRACKPOINT_NS, write_gpx

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _written(activity: ImportedActivity) -> bytes:
    assert activity.track is not None
    return write_gpx(
        activity.track, name=activity.note or "x", type_slug=activity.type, start=activity.start
    )


def _moments(track: Track) -> list[datetime | None]:
    assert track.start is not None
    return [None if t is None else track.start + timedelta(seconds=t) for t in track.time_s]


def _assert_same_samples(original: Track, back: Track) -> None:
    """``back`` has the samples of ``original`` that have a position, to the brief's tolerances."""
    assert original.lat is not None and original.lon is not None
    keep = [i for i, lat in enumerate(original.lat) if lat is not None]
    assert len(back) == len(keep)
    assert back.lat is not None and back.lon is not None
    for column, other in ((original.lat, back.lat), (original.lon, back.lon)):
        assert all(abs(column[i] - other[j]) <= 1e-7 for j, i in enumerate(keep))  # type: ignore[operator]
    moments, back_moments = _moments(original), _moments(back)
    for j, i in enumerate(keep):
        first, second = moments[i], back_moments[j]
        assert (first is None) == (second is None)
        if first is not None and second is not None:
            assert abs((first - second).total_seconds()) <= 1e-6
    for name, tolerance in (("elevation_m", 0.1), ("heart_rate", 0), ("cadence", 0), ("power", 0)):
        column, other = getattr(original, name), getattr(back, name)
        kept = [column[i] for i in keep] if column is not None else None
        if kept is None or all(v is None for v in kept):
            assert other is None, name
            continue
        assert other is not None, name
        for first, second in zip(kept, other, strict=True):
            assert (first is None) == (second is None), name
            if first is not None and second is not None:
                assert abs(first - second) <= tolerance, name


REAL = [
    ("gpx", "gpxgo__file.gpx"),
    ("gpx", "gpxpy__cerknicko-jezero.gpx"),
    ("gpx", "gpxpy__korita-zbevnica.gpx"),
    ("gpx", "gpxpy__track-with-empty-segment.gpx"),
    ("tcx", "firefly__running_activity_1.tcx"),
    ("tcx", "tcxparser__test.tcx"),
    ("tcx", "tcxreader__mapmyride_biking.tcx"),
    ("fit", "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit"),
    ("fit", "fitparse__garmin-fenix-5-run.fit"),
    ("fit", "fitparse__sample_mulitple_header.fit"),
]


@pytest.mark.parametrize(("kind", "name"), REAL, ids=[name for _, name in REAL])
def test_a_written_track_reads_back_to_the_same_samples(kind: str, name: str) -> None:
    for activity in real(kind, name):
        if activity.track is None or activity.track.lat is None:
            continue
        [back] = gpx.parse(_written(activity))
        assert back.track is not None
        _assert_same_samples(activity.track, back.track)
        assert back.type == activity.type


# Files of several segments and tracks too: the track keeps where each segment began, and the
# written file has one <trkseg> for each, so the gaps between them count in no length.
GPX_FILES = [name for kind, name in REAL if kind == "gpx"]


@pytest.mark.parametrize("name", GPX_FILES)
def test_gpxpy_reads_a_written_file_to_the_original_length(name: str) -> None:
    [activity] = real("gpx", name)
    original = gpxpy.parse((DATA / "gpx" / name).read_text()).length_2d()
    written = gpxpy.parse(_written(activity).decode()).length_2d()
    assert written == pytest.approx(original, rel=0.001)
    [back] = gpx.parse(_written(activity))
    assert (back.start, back.end, back.duration_s) == (
        activity.start,
        activity.end,
        activity.duration_s,
    )
    assert back.distance_m == pytest.approx(activity.distance_m, rel=0.001)
    assert activity.track is not None and back.track is not None
    assert back.track.segment_starts == activity.track.segment_starts


def test_a_file_with_an_untimed_track_still_reads_back_with_its_times() -> None:
    # korita-zbevnica: an untimed track, then two timed ones; one segment of them all would be
    # untimed. Each stays a segment of its own.
    [activity] = real("gpx", "gpxpy__korita-zbevnica.gpx")
    [back] = gpx.parse(_written(activity))
    assert (back.start, back.end) == (activity.start, activity.end)
    root = ElementTree.fromstring(_written(activity))
    assert len(root.findall(f"{{{GPX_NS}}}trk/{{{GPX_NS}}}trkseg")) == 3


def test_the_document_is_gpx_1_1_with_garmin_extensions_and_power() -> None:
    track = Track(
        start=T0,
        time_s=(0.0, 1.25, None),
        lat=(46.5, 46.50001, 46.50002),
        lon=(14.25, 14.25, 14.25),
        elevation_m=(300.2, None, 301.0),
        heart_rate=(150.0, None, 151.5),
        cadence=(85.0, 86.0, None),
        power=(230.0, None, None),
    )
    data = write_gpx(track, name='Tempo <run> & "hills"', type_slug="run", start=T0)
    root = ElementTree.fromstring(data)
    assert root.tag == f"{{{GPX_NS}}}gpx" and root.get("version") == "1.1"
    assert root.findtext(f"{{{GPX_NS}}}metadata/{{{GPX_NS}}}name") == 'Tempo <run> & "hills"'
    assert root.findtext(f"{{{GPX_NS}}}metadata/{{{GPX_NS}}}time") == "2024-05-01T10:00:00Z"
    assert root.findtext(f"{{{GPX_NS}}}trk/{{{GPX_NS}}}type") == "run"
    points = root.findall(f".//{{{GPX_NS}}}trkpt")
    assert [p.findtext(f"{{{GPX_NS}}}time") for p in points] == [
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:01.250000Z",
        None,
    ]
    tpx = f"{{{TRACKPOINT_NS}}}"
    first = points[0]
    assert first.findtext(f"{{{GPX_NS}}}extensions/{{{GPX_NS}}}power") == "230"
    assert first.findtext(f"{{{GPX_NS}}}extensions/{tpx}TrackPointExtension/{tpx}hr") == "150"
    assert first.findtext(f"{{{GPX_NS}}}extensions/{tpx}TrackPointExtension/{tpx}cad") == "85"
    assert points[2].findtext(f"{{{GPX_NS}}}extensions/{tpx}TrackPointExtension/{tpx}hr") == "151.5"
    # an untimed sample after timed ones starts a new segment (see the module docstring)
    assert len(root.findall(f"{{{GPX_NS}}}trk/{{{GPX_NS}}}trkseg")) == 2
    parsed = gpxpy.parse(data.decode())
    assert parsed.tracks[0].segments[0].points[0].elevation == 300.2


def test_samples_without_a_position_are_left_out() -> None:
    track = Track(
        start=T0,
        time_s=(0.0, 1.0, 2.0),
        lat=(None, 46.5, 46.6),
        lon=(None, 14.25, 14.25),
        distance_m=(0.0, 3.0, 11000.0),
        heart_rate=(100.0, 101.0, 102.0),
    )
    [back] = gpx.parse(write_gpx(track, name="", type_slug=None, start=T0))
    assert back.track is not None
    assert back.track.time_s == (0.0, 1.0)  # counted from its own first point now
    assert back.start == T0 + timedelta(seconds=1)
    assert back.track.heart_rate == (101.0, 102.0)
    assert back.track.distance_m is None  # GPX has no element for it
    assert back.type is None and back.note == ""


def test_a_track_without_positions_writes_an_empty_segment() -> None:
    track = Track(start=T0, time_s=(0.0, 1.0), heart_rate=(90.0, 91.0))
    root = ElementTree.fromstring(
        write_gpx(track, name="Trainer", type_slug="indoor-ride", start=T0)
    )
    assert root.findall(f".//{{{GPX_NS}}}trkpt") == []


def test_a_track_without_a_start_counts_from_the_start_given() -> None:
    track = Track(start=None, time_s=(5.0,), lat=(1.0,), lon=(2.0,))
    root = ElementTree.fromstring(write_gpx(track, name="x", type_slug=None, start=T0))
    assert root.findtext(f".//{{{GPX_NS}}}trkpt/{{{GPX_NS}}}time") == "2024-05-01T10:00:05Z"


def test_a_type_slug_reads_back_as_the_same_type() -> None:
    track = Track(start=T0, time_s=(0.0, 60.0), lat=(46.5, 46.51), lon=(14.25, 14.25))
    for slug in ("run", "ride", "mountain-bike", "open-water-swim", "kitesurf"):
        [back] = gpx.parse(write_gpx(track, name="x", type_slug=slug, start=T0))
        assert back.type == slug


COORDINATE = st.floats(min_value=-89.9, max_value=89.9, allow_nan=False)
SAMPLE = st.tuples(
    st.floats(min_value=0, max_value=200_000, allow_nan=False),
    COORDINATE,
    st.floats(min_value=-179.9, max_value=179.9, allow_nan=False),
    st.one_of(st.none(), st.floats(min_value=-400, max_value=8000, allow_nan=False)),
    st.one_of(st.none(), st.integers(min_value=30, max_value=220).map(float)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=200).map(float)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=2000).map(float)),
)


@given(st.lists(SAMPLE, min_size=1, max_size=40))
def test_any_track_round_trips(samples: list[tuple[float, ...]]) -> None:
    samples.sort(key=lambda sample: sample[0])
    times, lat, lon, ele, hr, cad, power = (list(column) for column in zip(*samples, strict=True))
    # time 0 at the first sample, as a file read back has it
    origin = T0 + timedelta(seconds=times[0])
    times = [(T0 + timedelta(seconds=t) - origin).total_seconds() for t in times]

    def col(values: list[float | None]) -> tuple[float | None, ...] | None:
        return tuple(values) if any(v is not None for v in values) else None

    track = Track(
        start=origin,
        time_s=tuple(times),
        lat=tuple(lat),
        lon=tuple(lon),
        elevation_m=col(ele),
        heart_rate=col(hr),
        cadence=col(cad),
        power=col(power),
    )
    [back] = gpx.parse(write_gpx(track, name="x", type_slug="run", start=origin))
    assert back.track is not None
    _assert_same_samples(track, back.track)
    assert all(math.isfinite(t) for t in back.track.time_s if t is not None)
