"""storage.trackcodec: lossless to the stated resolutions, compact on real files, and a damaged
blob is one DataError, never another exception."""

import array
import math
import operator
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.storage.track_files import DATA, GPS_FILES, assert_same, real_track

from fittrack.core.track import Track
from fittrack.errors import DataError
from fittrack.formats import parse_by_name
from fittrack.storage import trackcodec

START = datetime(2026, 5, 17, 7, 30, 12, tzinfo=UTC)


def round_trip(track: Track) -> Track:
    decoded = trackcodec.decode(trackcodec.encode(track))
    assert_same(decoded, track)
    return decoded


CASES = {
    "no samples": Track(start=None, time_s=()),
    "no samples but a start": Track(start=START, time_s=()),
    "one sample": Track(start=START, time_s=(0.0,), lat=(46.1,), lon=(14.5,)),
    "untimed": Track(start=None, time_s=(None, None), lat=(46.1, 46.2), lon=(14.5, 14.6)),
    "gaps in a column": Track(
        start=START,
        time_s=(0.0, 1.0, None, 3.0, 4.0),
        heart_rate=(None, 120.0, 121.0, None, 125.0),
        power=(None, None, None, None, 250.0),
    ),
    "negative elevation (Dead Sea shore)": Track(
        start=START, time_s=(0.0, 1.0, 2.0), elevation_m=(-430.4, -431.0, -429.85)
    ),
    "times going backwards, stored as recorded": Track(
        start=START, time_s=(0.0, 5.0, 3.0, 3.0, 10.0)
    ),
    "sub-second times (FIT, TCX)": Track(start=START, time_s=(0.0, 0.4735, 1.4735, 2.001)),
    "a TCX's 4-digit fractions": Track(
        start=START, time_s=(0.0, 0.6236, 2.2995, 2.6236, 3.6237, 4.6243)
    ),
    "huge values": Track(
        start=START,
        time_s=(0.0, 1e9),
        distance_m=(0.0, 4.0e7),
        power=(1e18, -1e18),
        elevation_m=(1e300, -1e300),
    ),
    "not numbers are stored as missing": Track(
        start=START, time_s=(0.0, 1.0, 2.0), heart_rate=(120.0, math.nan, math.inf)
    ),
    "a start before 1970": Track(start=datetime(1969, 7, 20, 20, 17, tzinfo=UTC), time_s=(0.0,)),
    "a column that is all None": Track(start=START, time_s=(0.0, 1.0), cadence=(None, None)),
}


@pytest.mark.parametrize("track", CASES.values(), ids=CASES.keys())
def test_hand_made_tracks_come_back_as_they_went_in(track: Track) -> None:
    round_trip(track)


def test_values_finer_than_the_resolution_are_rounded_to_it() -> None:
    track = Track(start=START, time_s=(4.9e-7, 1.0), lat=(46.123456789, 46.1), lon=(1.0, 2.0))
    decoded = trackcodec.decode(trackcodec.encode(track))
    assert decoded.time_s == (0.0, 1.0)
    assert decoded.lat == (46.1234568, 46.1)


def test_segment_starts_come_back() -> None:
    track = Track(start=START, time_s=tuple(float(i) for i in range(10)), segment_starts=(3, 7))
    assert trackcodec.decode(trackcodec.encode(track)) == track


def test_sub_second_times_come_back_exactly() -> None:
    times = (0.0, 0.6236, 2.2995, 2.6236, 3.6237, 4.6243, 3600.123456)
    assert round_trip(Track(start=START, time_s=times)).time_s == times


def test_whole_seconds_and_tenths_cost_no_more_than_they_need() -> None:
    seconds = Track(start=START, time_s=tuple(float(i) for i in range(3600)))
    tenths = Track(start=START, time_s=tuple(i / 10 for i in range(3600)))
    assert len(trackcodec.encode(seconds)) < 60  # a steady 1 s clock is nearly free
    assert round_trip(tenths).time_s == tenths.time_s


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(st.lists(st.tuples(st.one_of(st.none(), finite), st.one_of(st.none(), finite)), max_size=50))
def test_any_track_round_trips(samples: list[tuple[float | None, float | None]]) -> None:
    track = Track(
        start=START,
        time_s=tuple(s[0] for s in samples),
        heart_rate=tuple(s[1] for s in samples),
    )
    round_trip(track)


@pytest.mark.parametrize("path", GPS_FILES)
def test_real_gps_files_round_trip_in_at_most_6_bytes_a_sample(path: str) -> None:
    track = real_track(DATA / path)
    blob = trackcodec.encode(track)
    assert_same(trackcodec.decode(blob), track)
    if len(track) >= 100:
        # Tiny files pay the header and zlib's own ~20 bytes over a handful of samples.
        assert len(blob) / len(track) <= 6.0, f"{len(blob) / len(track):.2f} bytes a sample"


TCX_GPS_FILES = (
    "tcx/firefly__running_activity_1.tcx",
    "tcx/firefly__walking_activity_1.tcx",
    "tcx/tcxparser__no_hr.tcx",
    "tcx/tcxparser__test.tcx",
    "tcx/tcxreader__mapmyride_biking.tcx",
)
"""The shared TCX files that record positions (GPS_FILES has the GPX and FIT ones)."""


def _imported_tracks(path: str) -> list[Track]:
    """The tracks fittrack's own reader takes from a shared file, one an activity, as
    ``fittrack import`` stores them (the test is skipped without the data)."""
    if not (DATA / path).is_file():
        pytest.skip(f"{DATA / path} is missing: the shared data is cloned beside the repository")
    activities = parse_by_name(path, (DATA / path).read_bytes())
    return [a.track for a in activities if a.track is not None]


@pytest.mark.parametrize("path", GPS_FILES + TCX_GPS_FILES)
def test_every_imported_gps_track_takes_at_most_6_bytes_a_sample(path: str) -> None:
    # Per activity, as stored: the 3 activities of sample_mulitple_header.fit are 3 blobs.
    tracks = _imported_tracks(path)
    assert tracks
    for track in tracks:
        blob = trackcodec.encode(track)
        assert_same(trackcodec.decode(blob), track)
        if len(track) >= 100:
            assert len(blob) / len(track) <= 6.0, f"{len(blob) / len(track):.2f} bytes a sample"


def test_the_lists_hold_every_shared_file_with_positions() -> None:
    if not DATA.is_dir():
        pytest.skip(f"no shared data at {DATA}")
    with_positions = set()
    for kind in ("gpx", "tcx", "fit"):
        for path in sorted((DATA / kind).glob(f"*.{kind}")):
            try:
                activities = parse_by_name(path.name, path.read_bytes())
            except DataError:
                continue  # the files fittrack refuses (a bad CRC, cut short, no times)
            if any(a.track is not None and a.track.lat is not None for a in activities):
                with_positions.add(f"{kind}/{path.name}")
    assert with_positions == set(GPS_FILES + TCX_GPS_FILES)


# ---- the order of differences ----------------------------------------------------------------


def test_a_steadily_changing_column_is_stored_at_order_2_for_almost_nothing() -> None:
    # Speeding up evenly: the differences grow by 2 cm a second, so the second differences
    # are all equal (order 1 would store 3,600 different numbers, over 3 KB).
    distance = tuple(i * i / 100 for i in range(3600))
    track = Track(start=START, time_s=tuple(float(i) for i in range(3600)), distance_m=distance)
    blob = trackcodec.encode(track)
    assert round_trip(track).distance_m == distance
    assert len(blob) < 100


def test_a_noisy_column_beside_a_steady_one_comes_back() -> None:
    noisy = tuple(float((i * 7919) % 61 - 30) for i in range(500))  # jumps both ways
    track = Track(
        start=START,
        time_s=tuple(float(i) for i in range(500)),
        lat=tuple(46 + i * 1.3e-5 for i in range(500)),
        lon=tuple(14 - i * i * 1e-9 for i in range(500)),
        elevation_m=tuple(300 + v / 10 for v in noisy),
        heart_rate=noisy,
    )
    round_trip(track)


STEADY_CASES = {
    "two values (no second difference)": Track(start=START, time_s=(0.0, 5.0)),
    "three values": Track(start=START, time_s=(0.0, 5.0, 10.0)),
    "steady, with gaps": Track(
        start=START,
        time_s=tuple(float(i) for i in range(20)),
        distance_m=tuple(None if i % 3 == 0 else i * 4.5 for i in range(20)),
    ),
    "steady steps too large for 64 bits": Track(
        start=START, time_s=(0.0, 1.0, 2.0, 3.0), power=(0.0, 1e20, 2e20, 3e20)
    ),
    "steps too large for 64 bits, unsteady": Track(
        start=START, time_s=(0.0, 1.0, 2.0, 3.0), power=(0.0, 1e20, -1e20, 5e19)
    ),
    "the extremes of each width": Track(
        start=START,
        time_s=tuple(float(i) for i in range(8)),
        heart_rate=(0.0, 12.7, 0.0, -12.8, 0.0, 3276.7, -3276.8, 0.0),
        power=(0.0, 2.0**62, -(2.0**62), 0.0, 1e15, -1e15, 0.0, 1.0),
    ),
}


@pytest.mark.parametrize("track", STEADY_CASES.values(), ids=STEADY_CASES.keys())
def test_both_orders_come_back(track: Track) -> None:
    round_trip(track)


samples = st.lists(st.one_of(st.none(), finite), min_size=3, max_size=80)


@given(samples, samples)
def test_any_two_columns_round_trip(a: list[float | None], b: list[float | None]) -> None:
    size = min(len(a), len(b))
    round_trip(
        Track(
            start=START,
            time_s=tuple(float(i) for i in range(size)),
            lat=tuple(None if v is None else v / 1e4 for v in a[:size]),
            lon=tuple(None if v is None else v / 1e4 for v in b[:size]),
            distance_m=tuple(None if v is None else abs(v) for v in a[:size]),
            power=tuple(b[:size]),
        )
    )


@pytest.mark.parametrize("width", [1, 2, 4, 8])
@given(data=st.data())
def test_zigzag_all_at_once_is_the_arithmetic_one(width: int, data: st.DataObject) -> None:
    bound = 1 << (8 * width - 1)
    values = data.draw(st.lists(st.integers(-bound, bound - 1), max_size=40))
    packed = b"".join(v.to_bytes(width, "little", signed=True) for v in values)
    zigzagged = trackcodec._zigzag(packed, width)
    expected = [v * 2 if v >= 0 else -v * 2 - 1 for v in values]
    fields = [zigzagged[i : i + width] for i in range(0, len(zigzagged), width)]
    assert [int.from_bytes(f, "little") for f in fields] == expected
    assert trackcodec._unzigzag(zigzagged, width) == packed


# ---- version 1 -------------------------------------------------------------------------------


def _encode_v1(track: Track) -> bytes:
    """What fittrack wrote before version 2: the released encoder's layout, kept here to make
    version-1 blobs (``test_the_version_1_helper_writes_what_fittrack_wrote`` pins it)."""
    body = bytearray()
    count = len(track)
    trackcodec._put(body, count)
    if track.start is None:
        trackcodec._put(body, 0)
    else:
        trackcodec._put(body, 1)
        trackcodec._put_signed(
            body, (track.start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        )
    for name in trackcodec.ALL_COLUMNS:
        column = getattr(track, name)
        values = (
            None
            if column is None
            else [v if v is not None and math.isfinite(v) else None for v in column]
        )
        present = [] if values is None else [v for v in values if v is not None]
        if values is None or not present:
            body.append(0)
            continue
        places, ints = trackcodec._scaled(name, present)
        deltas = list(map(operator.sub, ints[1:], ints[:-1]))
        low, high = min(deltas, default=0), max(deltas, default=0)
        bounds = {w: 1 << (8 * w - 1) for w in (1, 2, 4, 8)}
        width = next((w for w, b in bounds.items() if -b <= low and high < b), 0)
        body += bytes((2 if len(present) < count else 1, places, width))
        if len(present) < count:
            bitmap = bytearray((count + 7) // 8)
            for i, v in enumerate(values):
                if v is not None:
                    bitmap[i >> 3] |= 1 << (i & 7)
            body += bitmap
        trackcodec._put_signed(body, ints[0])
        if width == 0:
            for delta in deltas:
                trackcodec._put_signed(body, delta)
            continue
        packed = array.array(trackcodec._SIGNED[width], deltas).tobytes()
        body += b"".join(packed[k::width] for k in range(width))
    trackcodec._put(body, len(track.segment_starts))
    previous = 0
    for index in track.segment_starts:
        trackcodec._put(body, index - previous)
        previous = index
    return bytes([1]) + zlib.compress(bytes(body), 6)


V1_TRACK = Track(
    start=datetime(2026, 5, 17, 7, 30, 12, 250000, tzinfo=UTC),
    time_s=(0.0, 1.0, 2.5, 3.5, 4.5, 6.0, 7.0, 300.0),
    lat=(46.0501234, 46.0502, 46.0503, None, 46.0505, 46.0506, 46.0507, 46.1),
    lon=(14.5, 14.5001, 14.5002, None, 14.5004, 14.5005, 14.5006, 14.4),
    elevation_m=(-3.5, -3.25, -3.0, -2.5, -2.0, -2.0, -1.0, 250.0),
    distance_m=(0.0, 1e300, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0),
    heart_rate=(None, 120.0, 121.0, 121.0, None, 125.0, 126.0, 90.0),
    power=(1e18, -1e18, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0),
    segment_starts=(3, 7),
)
V1_BLOB = bytes.fromhex(
    "01789ce3605cf0ecf4cab3ff57b03132323170f17301511103187033b1b37c7f7278ea76e67f2f2ebc787182"
    "89999d99b9152cc50e510152d030734917e30b9082006690826560990f60f23f2313d36e564949232386141e"
    "8896244620d13038c09cd78d074eb4ffe4fefd7f5080d950e730810103e3bb0f8c8c0c2c8c77181819381a1a"
    "167cfbb2e6f603690606461080042683450a98dab81c4ccdd80ca6266d0353760fc0d4135e485431b30000e4"
    "1d00cd"
)
"""V1_TRACK as fittrack's version-1 encoder wrote it (every width, gaps, varints, segments)."""


def test_a_version_1_blob_still_decodes() -> None:
    assert trackcodec.decode(V1_BLOB) == V1_TRACK


def test_the_version_1_helper_writes_what_fittrack_wrote() -> None:
    assert _encode_v1(V1_TRACK) == V1_BLOB


@pytest.mark.parametrize("track", CASES.values(), ids=CASES.keys())
def test_hand_made_version_1_blobs_decode(track: Track) -> None:
    assert_same(trackcodec.decode(_encode_v1(track)), track)


@pytest.mark.parametrize("path", GPS_FILES[:2] + TCX_GPS_FILES[:2] + GPS_FILES[-2:])
def test_real_version_1_blobs_decode_as_the_new_ones_do(path: str) -> None:
    for track in _imported_tracks(path):
        assert trackcodec.decode(_encode_v1(track)) == trackcodec.decode(trackcodec.encode(track))


# ---- damage ----------------------------------------------------------------------------------


def _good_blob() -> bytes:
    return trackcodec.encode(
        Track(
            start=START,
            time_s=tuple(float(i) for i in range(200)),
            lat=tuple(46 + i * 1e-5 for i in range(200)),
            lon=tuple(14 + i * 1e-5 for i in range(200)),
            heart_rate=tuple(None if i % 7 == 0 else 100.0 + i % 30 for i in range(200)),
        )
    )


def _v2(body: bytes) -> bytes:
    return bytes([2]) + zlib.compress(body)


def _v2_body(segments: bytes = b"\x00", differences: bytes = b"\x02\x02") -> bytes:
    """A version-2 body by hand: 3 samples, no start, times 0, 1, 2 (order 1, 1 byte wide,
    first 0; the differences zigzagged, 1 and 1 as 2 and 2), nothing else recorded."""
    return b"\x03\x00" + b"\x01\x00\x01\x01\x00" + b"\x00" * 7 + segments + differences


def _damaged() -> dict[str, bytes]:
    good = _good_blob()
    body = zlib.decompress(good[1:])
    v1_body = zlib.decompress(V1_BLOB[1:])
    return {
        "empty": b"",
        "only the version": good[:1],
        "cut in half": good[: len(good) // 2],
        "one byte short": good[:-1],
        "a byte flipped": good[:20] + bytes([good[20] ^ 0xFF]) + good[21:],
        "bytes after the end": good + b"\x00",
        "a newer version": bytes([99]) + good[1:],
        "version 0": bytes([0]) + good[1:],
        "not zlib": bytes([2]) + b"hello, world",
        "body cut short": _v2(body[: len(body) - 5]),
        "body with extra bytes": _v2(body + b"\x01"),
        "a count of billions": _v2(b"\xff\xff\xff\xff\x0f" + body[2:]),
        "a never-ending number": _v2(b"\x80" * 400),
        "a bad start flag": _v2(b"\x03\x07" + body[2:]),
        "a bad column kind": _v2(b"\x01\x00\x07"),
        "too many decimals": _v2(b"\x01\x00\x01\x09\x01\x01\x00"),
        "a bad width": _v2(b"\x01\x00\x01\x00\x03\x01\x00"),
        "a bad order": _v2(b"\x01\x00\x01\x00\x01\x03\x00"),
        "order 2 of a single value": _v2(b"\x01\x00\x01\x00\x01\x02\x00\x00" + b"\x00" * 8),
        "the hand-made body, cut in its planes": _v2(_v2_body(differences=b"\x02")),
        "the hand-made body, a byte too many": _v2(_v2_body(differences=b"\x02\x02\x02")),
        "more segments than samples": _v2(_v2_body(segments=b"\x09\x01")),
        "segments that do not rise": _v2(_v2_body(segments=b"\x02\x01\x00")),
        "a segment at the first sample": _v2(_v2_body(segments=b"\x01\x00")),
        "version 1: body cut short": bytes([1]) + zlib.compress(v1_body[:-5]),
        "version 1: body with extra bytes": bytes([1]) + zlib.compress(v1_body + b"\x01"),
        "version 1: an order byte it never had": bytes([1])
        + zlib.compress(b"\x01\x00\x01\x00\x01\x01\x00\x00"),
        "version 1: more segments than samples": bytes([1])
        + zlib.compress(v1_body[:-3] + b"\xff\x01"),
        "version 1 read as 2": _v2(v1_body),
    }


def test_the_hand_made_version_2_body_is_good() -> None:
    # The damaged bodies above start from it: it has to be whole for them to test anything.
    assert trackcodec.decode(_v2(_v2_body())) == Track(start=None, time_s=(0.0, 1.0, 2.0))
    assert trackcodec.decode(_v2(_v2_body(segments=b"\x01\x02"))).segment_starts == (2,)


@pytest.mark.parametrize("blob", _damaged().values(), ids=_damaged().keys())
def test_a_damaged_blob_is_one_data_error(blob: bytes) -> None:
    with pytest.raises(DataError) as caught:
        trackcodec.decode(blob)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("a stored track")


def test_the_start_keeps_its_microseconds_and_comes_back_in_utc() -> None:
    start = datetime(2026, 5, 17, 9, 30, 12, 473500, tzinfo=UTC) + timedelta(hours=0)
    decoded = round_trip(Track(start=start, time_s=(0.0,)))
    assert decoded.start is not None and decoded.start.tzinfo is not None
