"""storage.trackcodec: lossless to the stated resolutions, compact on real files, and a damaged
blob is one DataError, never another exception."""

import math
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.storage.track_files import DATA, GPS_FILES, assert_same, real_track

from fittrack.core.track import Track
from fittrack.errors import DataError
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


def _damaged() -> dict[str, bytes]:
    good = _good_blob()
    body = zlib.decompress(good[1:])
    return {
        "empty": b"",
        "only the version": good[:1],
        "cut in half": good[: len(good) // 2],
        "one byte short": good[:-1],
        "a byte flipped": good[:20] + bytes([good[20] ^ 0xFF]) + good[21:],
        "bytes after the end": good + b"\x00",
        "a newer version": bytes([99]) + good[1:],
        "not zlib": bytes([1]) + b"hello, world",
        "body cut short": bytes([1]) + zlib.compress(body[: len(body) - 5]),
        "body with extra bytes": bytes([1]) + zlib.compress(body + b"\x01"),
        "a count of billions": bytes([1]) + zlib.compress(b"\xff\xff\xff\xff\x0f" + body[2:]),
        "a never-ending number": bytes([1]) + zlib.compress(b"\x80" * 400),
        "a bad column kind": bytes([1]) + zlib.compress(b"\x01\x00\x07"),
        "too many decimals": bytes([1]) + zlib.compress(b"\x01\x00\x01\x09\x01\x00"),
        "more segments than samples": bytes([1]) + zlib.compress(body[:-1] + b"\xff\x01"),
        "segments that do not rise": bytes([1]) + zlib.compress(body[:-1] + b"\x02\x05\x00"),
    }


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
