"""FIT record messages as a track: the FIT SDK's dump of a real file, fitdecode on the others, and
small files built here for compressed timestamps, invalid values, odd values and several sessions.
"""

import csv
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fitdecode  # type: ignore[import-untyped]
import pytest
from tests.formats.test_fit import (
    SESSION_DEFINITION,
    START,
    _definition,
    _fit,
    _fit_time,
    _real,
    _session,
    _utc,
)

from fittrack.core.track import Track
from fittrack.formats import fit

FIT_DIR = Path(__file__).parents[3] / "shared" / "data" / "fit"
SEMICIRCLE = 180 / 2**31


def _track(data: bytes, index: int = 0) -> Track:
    track = fit.parse(data, "x.fit")[index].track
    assert track is not None
    return track


def _moments(track: Track) -> list[datetime | None]:
    assert track.start is not None
    return [None if t is None else track.start + timedelta(seconds=t) for t in track.time_s]


# --- the FIT SDK's own dump of fitparse__garmin-fenix-5-run.fit: every value --------------------


def test_the_fenix_5_run_records_equal_the_fit_sdk_dump() -> None:
    track = _track(_real("fitparse__garmin-fenix-5-run.fit"))
    with (FIT_DIR / "fitparse__garmin-fenix-5-run-records.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(track) == 21
    assert track.power is None  # the dump has no power column: the watch recorded none
    pdt = timedelta(hours=-7)  # the dump prints times in the recording's zone
    for index, (row, moment) in enumerate(zip(rows, _moments(track), strict=True)):
        local = datetime.strptime(row["timestamp"].replace(" PDT", ""), "%a %b %d %H:%M:%S %Y")
        assert moment == (local - pdt).replace(tzinfo=UTC), index
        assert track.heart_rate is not None and track.heart_rate[index] == float(row["heart_rate"])
        assert track.cadence is not None and track.cadence[index] == float(row["cadence"])
        assert track.distance_m is not None and track.distance_m[index] == float(row["distance"])
        assert track.lat is not None and track.lon is not None
        assert track.lat[index] == int(row["position_lat"]) * SEMICIRCLE
        assert track.lon[index] == int(row["position_long"]) * SEMICIRCLE
        assert track.elevation_m is not None
        # The dump prints v / 5 - 500 in floating point (2.1999999999999886); we keep the float
        # nearest the stored decimal (2.2): the same 0.2 m step.
        assert track.elevation_m[index] == pytest.approx(float(row["altitude"]), abs=1e-9)
    assert track.start == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)
    assert track.time_s[0] == 0.0


# --- the other real files, sample by sample against fitdecode -------------------------------------


def _fitdecode_records(data: bytes) -> list[dict[str, object]]:
    records = []
    with fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.DISABLED) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                # raw values, but altitudes in metres: fitdecode expands altitude into
                # enhanced_altitude as a component, whose raw value is not the stored one
                record = {field.name: field.raw_value for field in frame.fields}
                for name in ("altitude", "enhanced_altitude"):
                    record[name] = frame.get_value(name, fallback=None)
                records.append(record)
    return records


@pytest.mark.parametrize(
    "name",
    [
        "fitparse__garmin-fenix-5-bike.fit",
        "fitparse__garmin-fenix-5-walk.fit",
        "fitparse__activity-small-fenix2-run.fit",
        "fitparse__sample-activity-indoor-trainer.fit",
    ],
)
def test_single_session_records_equal_fitdecode(name: str) -> None:
    data = _real(name)
    track = _track(data)
    expected = _fitdecode_records(data)
    # A session's span runs to when it was closed: every record of these files is inside it.
    assert len(track) == len(expected)
    moments = _moments(track)
    invalid = {
        "timestamp": 0xFFFFFFFF,
        "position_lat": 0x7FFFFFFF,
        "position_long": 0x7FFFFFFF,
        "heart_rate": 0xFF,
        "cadence": 0xFF,
        "power": 0xFFFF,
        "distance": 0xFFFFFFFF,
    }

    def stored(record: dict[str, object], key: str) -> int | None:
        value = record.get(key)
        return None if value == invalid[key] else value  # type: ignore[return-value]

    for index, record in enumerate(expected):
        stamp = stored(record, "timestamp")
        assert stamp is not None
        assert moments[index] == datetime(1989, 12, 31, tzinfo=UTC) + timedelta(seconds=stamp)
        for key, column, convert in (
            ("position_lat", track.lat, lambda v: v * SEMICIRCLE),
            ("position_long", track.lon, lambda v: v * SEMICIRCLE),
            ("heart_rate", track.heart_rate, float),
            ("cadence", track.cadence, float),
            ("power", track.power, float),
            ("distance", track.distance_m, lambda v: v / 100),
        ):
            value = stored(record, key)
            got = column[index] if column is not None else None
            assert got == (None if value is None else convert(value)), (index, key)
        altitude = record["enhanced_altitude"]
        if altitude is None:
            altitude = record["altitude"]
        got = track.elevation_m[index] if track.elevation_m is not None else None
        assert got == (None if altitude is None else pytest.approx(altitude, abs=1e-9)), index


def test_a_triathlon_gives_each_leg_its_own_samples() -> None:
    data = _real("fitparse__sample_mulitple_header.fit")
    swim, ride, run = fit.parse(data)
    expected = _fitdecode_records(data)
    epoch = datetime(1989, 12, 31, tzinfo=UTC)
    times = [epoch + timedelta(seconds=record["timestamp"]) for record in expected]  # type: ignore[operator]
    # each leg is followed by a transition (the last by nothing), which starts when it ends
    transitions = [_utc("2018-05-27T08:06:08"), _utc("2018-05-27T09:22:40"), None]
    for (leg, count), following in zip(
        ((swim, 349), (ride, 854), (run, 518)), transitions, strict=True
    ):
        assert leg.track is not None and leg.end is not None
        moments = _moments(leg.track)
        assert len(moments) == count
        # exactly the records of its span: a record at the second a transition starts is the
        # transition's; the last leg's last record is in its last (fractional) second
        until = following or leg.end + timedelta(seconds=1)
        assert moments == [t for t in times if leg.start <= t < until]
        assert leg.track.start == leg.start
    # the swim is in a pool of an open-water course: positions for a few, no altitude at all
    assert swim.track is not None and swim.track.elevation_m is None
    assert run.track is not None and run.track.present() == (
        "lat",
        "lon",
        "elevation_m",
        "distance_m",
        "heart_rate",
        "cadence",
    )


# --- small files built here -----------------------------------------------------------------------

# (field number, size, base type): timestamp, lat, lon, altitude, heart rate, cadence, distance,
# power, enhanced altitude
RECORD_FIELDS = [
    (253, 4, 0x86),
    (0, 4, 0x85),
    (1, 4, 0x85),
    (2, 2, 0x84),
    (3, 1, 0x02),
    (4, 1, 0x02),
    (5, 4, 0x86),
    (7, 2, 0x84),
    (78, 4, 0x86),
]
RECORD_FORMAT = "<IiiHBBIHI"
RECORD_DEFINITION = _definition(1, 20, RECORD_FIELDS)
NO_VALUE = (0x7FFFFFFF, 0x7FFFFFFF, 0xFFFF, 0xFF, 0xFF, 0xFFFFFFFF, 0xFFFF, 0xFFFFFFFF)


def _record(seconds: int | None, *values: int, local: int = 1) -> bytes:
    """A record at START + ``seconds`` (an invalid timestamp for None); values as NO_VALUE."""
    stamp = 0xFFFFFFFF if seconds is None else _fit_time(START) + seconds
    fields = (*values, *NO_VALUE[len(values) :])
    return bytes([local]) + struct.pack(RECORD_FORMAT, stamp, *fields)


def _semicircles(degrees: float) -> int:
    return round(degrees / SEMICIRCLE)


def _one_track(*records: bytes, session: bytes | None = None) -> Track:
    body = [RECORD_DEFINITION, *records, SESSION_DEFINITION, session or _session()]
    return _track(_fit(*body))


def test_a_built_record_reads_back_in_its_units() -> None:
    track = _one_track(
        _record(
            0,
            _semicircles(46.5),
            _semicircles(-122.25),
            (250 + 500) * 5,  # altitude 250 m
            150,
            88,
            123456,  # 1234.56 m
            321,
            (251 + 500) * 5 + 1,  # enhanced altitude 251.2 m: preferred
        ),
        _record(1, _semicircles(46.5), _semicircles(-122.25), (250 + 500) * 5),
    )
    assert track.start == START
    assert track.time_s == (0.0, 1.0)
    assert track.lat == pytest.approx((46.5, 46.5), abs=1e-7)
    assert track.lon == pytest.approx((-122.25, -122.25), abs=1e-7)
    assert track.elevation_m == (251.2, 250.0)  # enhanced where present, else altitude
    assert track.heart_rate == (150.0, None)
    assert track.cadence == (88.0, None)
    assert track.distance_m == (1234.56, None)
    assert track.power == (321.0, None)
    assert all(isinstance(v, float) for v in track.heart_rate if v is not None)


def test_invalid_values_are_none_and_a_column_never_recorded_is_none() -> None:
    track = _one_track(_record(0), _record(1, 0x7FFFFFFF, _semicircles(5.0)))
    assert track.time_s == (0.0, 1.0)
    assert track.present() == ()  # half a position is no position


def test_odd_values_become_none_without_failing_the_file() -> None:
    track = _one_track(
        # latitude 120° (a sint32 allows up to 180°), then a heart rate of 0 and 5 km of altitude
        # above any summit
        _record(0, _semicircles(120.0), _semicircles(10.0), 0xFFFE, 0),
        _record(1, _semicircles(45.0), _semicircles(10.0), 2500, 60),
    )
    assert track.lat == (None, pytest.approx(45.0))
    assert track.elevation_m == (None, 0.0)  # 0xFFFE → 12 607.6 m: not a place on earth
    assert track.heart_rate == (None, 60.0)


def test_time_going_backwards_and_gaps_are_kept_as_recorded() -> None:
    track = _one_track(_record(10, 0, 0, 0, 100), _record(5), _record(3000))
    assert track.time_s == (10.0, 5.0, 3000.0)


def test_records_outside_the_session_belong_to_no_activity() -> None:
    # The session (START, one hour) holds the records from START to its close, no other.
    track = _one_track(_record(-5, 0, 0, 0, 90), _record(0), _record(3600), _record(3700))
    assert track.time_s == (0.0, 3600.0)


def test_a_file_with_no_record_has_no_track() -> None:
    [activity] = fit.parse(_fit(SESSION_DEFINITION, _session()))
    assert activity.track is None


def test_a_record_without_a_timestamp_keeps_its_values_with_no_time() -> None:
    track = _one_track(_record(None, 0, 0, 0, 77), _record(1, 0, 0, 0, 78), _record(None))
    # The first has no time before it and the file one session: it is that session's.
    assert track.time_s == (None, 1.0, None)
    assert track.heart_rate == (77.0, 78.0, None)


def _compressed(offset: int, heart_rate: int) -> bytes:
    """A record of local type 2 with a compressed-timestamp header (time offset 0-31)."""
    return bytes([0x80 | (2 << 5) | offset]) + struct.pack("<B", heart_rate)


def test_compressed_timestamp_headers_count_on_from_the_last_timestamp() -> None:
    # START's FIT time has low 5 bits ``base``; offsets then count on, rolling over past 31.
    base = _fit_time(START) & 0x1F
    hr_only = _definition(2, 20, [(3, 1, 0x02)])
    track = _one_track(
        RECORD_DEFINITION,
        _record(0, 0, 0, 0, 100),
        hr_only,
        _compressed((base + 1) & 0x1F, 101),
        _compressed((base + 30) & 0x1F, 102),
        _compressed((base + 33) & 0x1F, 103),  # past a 32-second rollover
        _compressed((base + 33) & 0x1F, 104),  # the same second again
    )
    assert track.time_s == (0.0, 1.0, 30.0, 33.0, 33.0)
    assert track.heart_rate == (100.0, 101.0, 102.0, 103.0, 104.0)


def test_a_compressed_timestamp_counts_on_from_any_message_with_a_timestamp() -> None:
    base = _fit_time(START)
    event = _definition(3, 21, [(253, 4, 0x86)])  # an event message: only its time matters here
    hr_only = _definition(2, 20, [(3, 1, 0x02)])
    track = _one_track(
        event,
        bytes([3]) + struct.pack("<I", base + 100),
        hr_only,
        _compressed((base + 102) & 0x1F, 120),
    )
    assert track.time_s == (102.0,)


def _two_sessions(*records: bytes) -> bytes:
    first = _session(sport=1, start=START, elapsed_ms=60_000, timer_ms=60_000)
    second = _session(sport=2, start=START + timedelta(seconds=60), elapsed_ms=60_000)
    return _fit(RECORD_DEFINITION, *records, SESSION_DEFINITION, first, second)


def test_each_session_has_the_records_of_its_own_span() -> None:
    data = _two_sessions(*(_record(t, 0, 0, 0, 50 + t) for t in (0, 30, 59, 60, 61, 120, 200)))
    run, ride = fit.parse(data)
    assert run.track is not None and ride.track is not None
    assert run.track.heart_rate == (50.0, 80.0, 109.0)
    # the second at which one ends and the other starts is the next one's
    assert ride.track.heart_rate == (110.0, 111.0, 170.0)
    assert ride.track.time_s == (0.0, 1.0, 60.0)  # from the ride's own start; 200 s is after it


def test_a_session_closed_later_than_its_elapsed_time_keeps_the_records_until_then() -> None:
    # Devices close the session a few seconds after the last record: the span runs to the close.
    session = _session(elapsed_ms=10_500, timestamp=_fit_time(START) + 15)
    track = _one_track(
        _record(0), _record(11, 0, 0, 0, 90), _record(15, 0, 0, 0, 91), session=session
    )
    assert track.heart_rate == (None, 90.0, 91.0)
