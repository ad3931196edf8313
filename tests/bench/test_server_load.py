"""What bench/server.py has wrk send, and how it reads wrk's figures (bench/server_load.py)."""

import json
import random
from datetime import date
from pathlib import Path

import pytest
from bench.server_load import (
    MIX_LUA,
    RANGES_PER_USER,
    Request,
    parse_wrk,
    requests_of,
    write_requests,
)

USER = {
    "token": "ft_abc",
    "goal_id": "g-1",
    "activities": [
        {
            "id": "a-1",
            "type": "run",
            "start": "2024-05-01T07:00:00+02:00",
            "end": "2024-05-01T07:30:00+02:00",
            "duration_s": 1800.0,
            "distance_m": 5000.0,
            "note": 'a "quoted" note',
            "calories_kcal": 280.0,
            "calories_estimated": True,
            "workload": 240.0,
            "source": "manual",
        }
    ],
}


def test_every_kind_of_the_mix_for_a_user(tmp_path: Path) -> None:
    requests = write_requests(
        [USER], date(2026, 1, 1), tmp_path / "requests.tsv", tmp_path / "mix.lua"
    )
    kinds = [r.kind for r in requests]
    assert kinds.count("recent") == 1
    assert kinds.count("progress") == 1
    assert kinds.count("range") == RANGES_PER_USER
    assert kinds.count("activity") == kinds.count("put") == 1
    by_kind = {r.kind: r for r in requests}
    assert by_kind["progress"].path == "/v1/goals/g-1/progress"
    assert by_kind["activity"].path == by_kind["put"].path == "/v1/activities/a-1"
    assert by_kind["put"].method == "PUT"
    assert all(r.token == "ft_abc" for r in requests)
    assert (tmp_path / "mix.lua").read_text() == MIX_LUA
    lines = (tmp_path / "requests.tsv").read_text().splitlines()
    assert lines == [r.line() for r in requests]
    assert all(len(line.split("\t")) == 6 for line in lines)


def test_range_pages_are_weeks_within_ten_years() -> None:
    today = date(2026, 1, 1)
    for r in requests_of(USER, random.Random(1), today):
        if r.kind == "range":
            query = dict(p.split("=") for p in r.path.split("?", 1)[1].split("&"))
            start = date.fromisoformat(query["fromDate"])
            end = date.fromisoformat(query["toDate"])
            assert (end - start).days == 6
            assert date(2016, 1, 1) <= start and end < today
            assert query["limit"] == "20"


def test_a_put_body_is_the_activity_as_stored_with_the_given_updated_at(tmp_path: Path) -> None:
    requests = write_requests([USER], date(2026, 1, 1), tmp_path / "r.tsv", tmp_path / "m.lua")
    put = next(r for r in requests if r.kind == "put")
    body = put.body("2026-01-01T10:00:00.000003Z")
    assert body is not None
    sent = json.loads(body)
    assert sent.pop("updated_at") == "2026-01-01T10:00:00.000003Z"
    assert sent == {k: v for k, v in USER["activities"][0].items() if k != "id"}  # type: ignore[union-attr]
    assert next(r for r in requests if r.kind == "activity").body("x") is None


def test_a_tab_in_a_request_is_refused() -> None:
    with pytest.raises(ValueError, match="tab or newline"):
        Request("recent", "GET", "/v1/a\tb", "t").line()


def test_parse_wrk_reads_the_result_line() -> None:
    text = (
        "Running 5s test @ http://127.0.0.1:8000\n  1 threads and 16 connections\n"
        "RESULT requests=5000 duration_us=5000000 connect=0 read=0 write=0 status=3 timeout=1"
        " p50_us=4200 p99_us=15500\n"
    )
    result = parse_wrk(text)
    assert result.requests == 5000
    assert result.rps == pytest.approx(1000.0)
    assert result.p50_ms == pytest.approx(4.2)
    assert result.p99_ms == pytest.approx(15.5)
    assert result.errors == {"connect": 0, "read": 0, "write": 0, "status": 3, "timeout": 1}


def test_parse_wrk_without_a_result_line() -> None:
    with pytest.raises(ValueError, match="no RESULT"):
        parse_wrk("wrk: unable to connect\n")
