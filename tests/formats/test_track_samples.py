"""The samples GPX and TCX files keep (``ImportedActivity.track``), the real files' sample counts
and columns, and odd or malformed samples that must never fail a file nor change its totals.
"""

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.formats.real_files import real

from fittrack.core.track import COLUMNS, Track
from fittrack.formats import ImportedActivity, gpx, tcx
from fittrack.formats.samples import floats, make_track

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _track(activity: ImportedActivity) -> Track:
    assert activity.track is not None
    return activity.track


# --- the real files: how many samples, which columns ----------------------------------------------

LATLON = ("lat", "lon")
REAL = [
    ("gpx", "gpxgo__file.gpx", [(4, (*LATLON, "elevation_m", "cadence"))]),
    ("gpx", "gpxpy__cerknicko-jezero.gpx", [(296, (*LATLON, "elevation_m"))]),
    ("gpx", "gpxpy__korita-zbevnica.gpx", [(871, (*LATLON, "elevation_m"))]),
    ("gpx", "gpxpy__track-with-empty-segment.gpx", [(9, (*LATLON, "elevation_m"))]),
    ("tcx", "firefly__pool_swim-activity_1.tcx", [(32, ("distance_m",))]),
    (
        "tcx",
        "firefly__running_activity_1.tcx",
        [(1254, (*LATLON, "elevation_m", "distance_m", "heart_rate"))],
    ),
    (
        "tcx",
        "firefly__walking_activity_1.tcx",
        [(660, (*LATLON, "elevation_m", "distance_m", "heart_rate"))],
    ),
    ("tcx", "tcxparser__no_hr.tcx", [(384, (*LATLON, "elevation_m", "distance_m"))]),
    ("tcx", "tcxparser__test.tcx", [(384, (*LATLON, "elevation_m", "distance_m", "heart_rate"))]),
    ("tcx", "tcxreader__mapmyride_biking.tcx", [(3112, (*LATLON, "elevation_m", "distance_m"))]),
    ("fit", "fitdecode__garmin-fr935-cr.fit", [(7515, ("distance_m", "heart_rate"))]),
    (
        "fit",
        "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit",
        [(13471, (*LATLON, "elevation_m", "distance_m", "heart_rate", "cadence", "power"))],
    ),
    (
        "fit",
        "fitparse__activity-small-fenix2-run.fit",
        [(2809, (*LATLON, "elevation_m", "distance_m", "heart_rate", "cadence"))],
    ),
    (
        "fit",
        "fitparse__garmin-fenix-5-bike.fit",
        [(19, (*LATLON, "elevation_m", "distance_m", "heart_rate"))],
    ),
    (
        "fit",
        "fitparse__garmin-fenix-5-run.fit",
        [(21, (*LATLON, "elevation_m", "distance_m", "heart_rate", "cadence"))],
    ),
    (
        "fit",
        "fitparse__garmin-fenix-5-walk.fit",
        [(17, (*LATLON, "elevation_m", "distance_m", "heart_rate", "cadence"))],
    ),
    (
        "fit",
        "fitparse__sample-activity-indoor-trainer.fit",
        [(2263, ("elevation_m", "heart_rate", "cadence", "power"))],
    ),
    (
        "fit",
        "fitparse__sample_mulitple_header.fit",
        [
            (349, (*LATLON, "distance_m", "heart_rate", "cadence")),
            (854, (*LATLON, "elevation_m", "distance_m", "heart_rate", "cadence")),
            (518, (*LATLON, "elevation_m", "distance_m", "heart_rate", "cadence")),
        ],
    ),
]


@pytest.mark.parametrize(("kind", "name", "expected"), REAL, ids=[row[1] for row in REAL])
def test_real_files_keep_their_samples(
    kind: str, name: str, expected: list[tuple[int, tuple[str, ...]]]
) -> None:
    activities = real(kind, name)
    assert [(len(_track(a)), _track(a).present()) for a in activities] == expected
    for activity in activities:
        track = _track(activity)
        times = [t for t in track.time_s if t is not None]
        assert times and min(times) >= 0  # the track starts at or before its first sample
        assert track.start is not None and track.start <= activity.start + timedelta(seconds=1)
        for name_ in track.present():
            values = [v for v in getattr(track, name_) if v is not None]
            assert all(isinstance(v, float) and math.isfinite(v) for v in values), name_


def test_a_gpx_file_of_several_tracks_keeps_every_point_in_file_order() -> None:
    [activity] = real("gpx", "gpxpy__korita-zbevnica.gpx")
    track = _track(activity)
    # The second track has no times; the last two do: 358 untimed points, then timed ones.
    assert track.time_s[:358] == (None,) * 358
    assert track.time_s[358] == 0.0 and track.start == activity.start
    assert track.start + timedelta(seconds=track.time_s[-1] or 0) == activity.end


def test_tcx_trackpoints_without_a_position_keep_their_other_values() -> None:
    [activity] = real("tcx", "tcxreader__mapmyride_biking.tcx")
    track = _track(activity)
    assert track.lat is not None and track.lon is not None and track.distance_m is not None
    assert track.lat[:6] == (None,) * 6 and track.lon[:6] == (None,) * 6
    assert all(t is not None for t in track.time_s[:6])
    assert track.lat[6] == 35.23101844067633
    assert track.distance_m[6] == 2.4003
    # 6-digit fractions kept: 15:58:25.849800 is the first, the activity's start the whole second
    assert track.start == datetime(2022, 11, 12, 15, 58, 25, tzinfo=UTC)
    assert track.time_s[0] == pytest.approx(0.8498, abs=1e-9)
    assert track.start + timedelta(seconds=track.time_s[6] or 0) == datetime(
        2022, 11, 12, 15, 58, 31, 473500, tzinfo=UTC
    )


def test_tcx_heart_rate_as_recorded() -> None:
    [activity] = real("tcx", "tcxparser__test.tcx")
    track = _track(activity)
    assert track.heart_rate is not None and track.heart_rate[:5] == (62.0, 62.0, 62.0, 62.0, 60.0)
    [no_hr] = real("tcx", "tcxparser__no_hr.tcx")
    assert _track(no_hr).heart_rate is None
    assert _track(no_hr).lat == track.lat


# --- GPX: extensions and odd samples --------------------------------------------------------------

GPX_HEAD = (
    '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">'
)


def _gpx(*segments: str) -> bytes:
    body = "".join(f"<trkseg>{segment}</trkseg>" for segment in segments)
    return f"{GPX_HEAD}<trk><type>running</type>{body}</trk></gpx>".encode()


def _pt(lat: float, lon: float, seconds: int | None, inner: str = "") -> str:
    when = (
        "" if seconds is None else f"<time>{(T0 + timedelta(seconds=seconds)).isoformat()}</time>"
    )
    return f'<trkpt lat="{lat}" lon="{lon}">{inner}{when}</trkpt>'


def _tpx(hr: str | None = None, cad: str | None = None, power: str | None = None) -> str:
    inner = "".join(
        f"<gpxtpx:{tag}>{value}</gpxtpx:{tag}>"
        for tag, value in (("hr", hr), ("cad", cad))
        if value is not None
    )
    watts = f"<power>{power}</power>" if power is not None else ""
    tpx = f"<gpxtpx:TrackPointExtension>{inner}</gpxtpx:TrackPointExtension>"
    return f"<extensions>{watts}{tpx}</extensions>"


def test_gpx_heart_rate_cadence_and_power_from_the_extensions() -> None:
    data = _gpx(
        _pt(46.0, 14.0, 0, "<ele>300.5</ele>" + _tpx("150", "85", "230")),
        _pt(46.001, 14.0, 10, _tpx("152")),
        # another namespace prefix and version of the same extension
        _pt(
            46.002,
            14.0,
            20,
            "<extensions><ns3:TrackPointExtension><ns3:hr>155</ns3:hr>"
            "</ns3:TrackPointExtension></extensions>",
        ),
        _pt(46.003, 14.0, 30),
    )
    track = _track(gpx.parse(data)[0])
    assert track.time_s == (0.0, 10.0, 20.0, 30.0)
    assert track.lat == (46.0, 46.001, 46.002, 46.003)
    assert track.elevation_m == (300.5, None, None, None)
    assert track.heart_rate == (150.0, 152.0, 155.0, None)
    assert track.cadence == (85.0, None, None, None)
    assert track.power == (230.0, None, None, None)
    assert track.distance_m is None  # GPX has no distance element


def test_gpx_odd_samples_are_none_and_the_totals_do_not_change() -> None:
    plain = _gpx(_pt(46.0, 14.0, 0), _pt(46.001, 14.0, 60), _pt(46.002, 14.0, 120))
    odd = _gpx(
        _pt(46.0, 14.0, 0, "<ele>nan</ele>" + _tpx("abc", "-5", "1e9")),
        _pt(46.001, 14.0, 60, "<ele>99999</ele>" + _tpx("0", "", "inf")),
        _pt(46.002, 14.0, 120, "<ele>12.5</ele>" + _tpx("350", "90", "-1")),
    )
    [before], [after] = gpx.parse(plain), gpx.parse(odd)
    assert (after.start, after.end, after.duration_s, after.distance_m) == (
        before.start,
        before.end,
        before.duration_s,
        before.distance_m,
    )
    track = _track(after)
    assert track.elevation_m == (None, None, 12.5)
    assert track.heart_rate is None  # "abc", 0 (a strap without contact) and 350: none is a rate
    assert track.cadence == (None, None, 90.0)
    assert track.power is None


def test_gpx_time_going_backwards_stays_in_file_order() -> None:
    track = _track(
        gpx.parse(_gpx(_pt(46.0, 14.0, 60), _pt(46.001, 14.0, 0), _pt(46.002, 14.0, 120)))[0]
    )
    assert track.time_s == (60.0, 0.0, 120.0)  # counted from the earliest: never negative


def test_gpx_untimed_points_have_no_time_and_segments_stay_in_order() -> None:
    data = _gpx(
        _pt(46.0, 14.0, None) + _pt(46.001, 14.0, None),
        _pt(46.002, 14.0, 0) + _pt(46.003, 14.0, 60),
        _pt(46.004, 14.0, 600),
    )
    [activity] = gpx.parse(data)
    track = _track(activity)
    assert track.time_s == (None, None, 0.0, 60.0, 600.0)
    assert track.lat == (46.0, 46.001, 46.002, 46.003, 46.004)


# --- TCX: every field, and odd samples ----------------------------------------------------------

TCX_HEAD = (
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
)


def _tcx(*points: str, sport: str = "Biking") -> bytes:
    lap = (
        f'<Lap StartTime="{T0.isoformat()}"><TotalTimeSeconds>600</TotalTimeSeconds>'
        f"<DistanceMeters>3000</DistanceMeters><Calories>100</Calories>"
        f"<Track>{''.join(points)}</Track></Lap>"
    )
    return (
        f'{TCX_HEAD}<Activities><Activity Sport="{sport}"><Id>{T0.isoformat()}</Id>{lap}'
        f"</Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def _tp(
    seconds: float | str | None,
    lat: str | None = None,
    lon: str | None = None,
    *,
    alt: str | None = None,
    dist: str | None = None,
    hr: str | None = None,
    cad: str | None = None,
    watts: str | None = None,
    run_cadence: str | None = None,
) -> str:
    parts = []
    if isinstance(seconds, str):
        parts.append(f"<Time>{seconds}</Time>")
    elif seconds is not None:
        parts.append(f"<Time>{(T0 + timedelta(seconds=seconds)).isoformat()}</Time>")
    if lat is not None:
        parts.append(
            f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees>"
            f"<LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
        )
    for tag, value in (("AltitudeMeters", alt), ("DistanceMeters", dist)):
        if value is not None:
            parts.append(f"<{tag}>{value}</{tag}>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    if cad is not None:
        parts.append(f"<Cadence>{cad}</Cadence>")
    extension = "".join(
        f"<ns3:{tag}>{value}</ns3:{tag}>"
        for tag, value in (("Watts", watts), ("RunCadence", run_cadence))
        if value is not None
    )
    if extension:
        parts.append(f"<Extensions><ns3:TPX>{extension}</ns3:TPX></Extensions>")
    return f"<Trackpoint>{''.join(parts)}</Trackpoint>"


def test_tcx_every_field_of_a_trackpoint() -> None:
    data = _tcx(
        _tp(0, "46.5", "14.25", alt="300.2", dist="0.0", hr="120", cad="80", watts="250"),
        _tp(1.5, "46.50001", "14.25", dist="4.5", run_cadence="88"),
        _tp(3, alt="301"),
    )
    track = _track(tcx.parse(data)[0])
    assert track.start == T0
    assert track.time_s == (0.0, 1.5, 3.0)
    assert track.lat == (46.5, 46.50001, None)
    assert track.lon == (14.25, 14.25, None)
    assert track.elevation_m == (300.2, None, 301.0)
    assert track.distance_m == (0.0, 4.5, None)
    assert track.heart_rate == (120.0, None, None)
    assert track.cadence == (80.0, 88.0, None)  # Cadence, else the extension's RunCadence
    assert track.power == (250.0, None, None)


def test_tcx_odd_and_malformed_samples_never_fail_the_file() -> None:
    good = _tcx(_tp(0, "46.5", "14.25", hr="120"), _tp(60, "46.51", "14.25", hr="121"))
    bad = _tcx(
        _tp("yesterday", "91", "14.25", alt="NaN", dist="-3", hr="0", watts="lots"),
        _tp(60, "46.51", "14.25", alt="", dist="x", hr="121", cad="1e400"),
        _tp(30, "46.505", "200", alt="inf"),  # back in time, and a longitude of 200
        _tp(None),
    )
    [before], [after] = tcx.parse(good), tcx.parse(bad)
    assert (after.start, after.duration_s, after.distance_m, after.calories_kcal) == (
        before.start,
        before.duration_s,
        before.distance_m,
        before.calories_kcal,
    )
    track = _track(after)
    assert track.time_s == (None, 60.0, 30.0, None)
    assert track.lat == (None, 46.51, None, None)
    assert track.lon == (None, 14.25, None, None)
    assert track.elevation_m is None and track.distance_m is None and track.power is None
    assert track.heart_rate == (None, 121.0, None, None)
    assert track.cadence is None


def test_tcx_a_trackpoint_before_the_activity_start_moves_the_track_start() -> None:
    track = _track(tcx.parse(_tcx(_tp(-5, "46.5", "14.25"), _tp(10, "46.51", "14.25")))[0])
    assert track.start == T0 - timedelta(seconds=5)
    assert track.time_s == (0.0, 15.0)


def test_tcx_an_activity_without_trackpoints_has_no_track() -> None:
    [activity] = tcx.parse(_tcx())
    assert activity.track is None and activity.duration_s == 600.0


# --- the shared rule -----------------------------------------------------------------------------

ODD = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=6),
)


@given(st.lists(st.tuples(ODD, ODD, ODD, ODD, ODD, ODD, ODD), max_size=30))
def test_make_track_takes_anything_and_keeps_only_possible_values(
    rows: list[tuple[object, ...]],
) -> None:
    columns = [floats(column) for column in zip(*rows, strict=True)] or [[] for _ in COLUMNS]
    track = make_track(
        T0, [float(i) for i in range(len(rows))], **dict(zip(COLUMNS, columns, strict=True))
    )
    if not rows:
        assert track is None
        return
    assert track is not None and len(track) == len(rows)
    for name in track.present():
        assert all(v is None or math.isfinite(v) for v in getattr(track, name))
    if track.lat is not None and track.lon is not None:
        assert all((a is None) == (b is None) for a, b in zip(track.lat, track.lon, strict=True))
        assert all(-90 <= a <= 90 for a in track.lat if a is not None)
