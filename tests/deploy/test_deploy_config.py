"""deploy/ itself, without a running system: haproxy accepts haproxy.cfg, the proxy's own error
answers tell clients when to come back, and the proxy's log is read as the scenarios count it."""

import os
import subprocess
from pathlib import Path

import pytest
from deploy.cluster import CONFIG, ERRORS, Answer, availability, find_haproxy, parse_answer

DEPLOY = Path(CONFIG).parent


def test_haproxy_accepts_the_configuration() -> None:
    binary = find_haproxy()
    if binary is None:
        pytest.skip("haproxy is not installed (apt-get install -y haproxy; .ci/run does)")
    env = os.environ | {"FITTRACK_PROXY_ERRORS": str(ERRORS)}
    done = subprocess.run(
        [binary, "-c", "-f", str(CONFIG)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("status", [502, 503, 504])
def test_the_proxys_own_errors_say_when_to_come_back(status: int) -> None:
    raw = (ERRORS / f"{status}.http").read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} ")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Retry-After"] == "2"
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)
    assert body.startswith(b'{"detail": ')


def _line(server: str, status: int, retry_after: str, request: str) -> str:
    """A line of haproxy's log (option httplog, Retry-After captured)."""
    return (
        f"<6>127.0.0.1:5 [03/Dec/2026:16:10:16.690] fittrack {server} 0/0/3/17/20 {status} 139 "
        f'- - ---- 1/1/0/0/0 0/0 {{{retry_after}}} "{request} HTTP/1.1"'
    )


def _answer(server: str, status: int, retry_after: str, request: str) -> Answer:
    answer = parse_answer(_line(server, status, retry_after, request))
    assert answer is not None
    return answer


def test_the_log_is_read_as_availability_counts_it() -> None:
    ok = _answer("instances/instance1", 200, "", "GET /v1/me")
    limited = _answer("instances/instance2", 429, "5", "GET /v1/me")
    away = _answer("instances/<NOSRV>", 503, "", "PUT /v1/activities/x")
    bare = _answer("instances/instance1", 503, "", "GET /v1/me")
    cut = _answer("instances/instance1", 502, "", "POST /v1/batch")
    assert (ok.status, ok.server, ok.request) == (200, "instances/instance1", "GET /v1/me HTTP/1.1")
    assert limited.retry_after == "5"
    assert [a.answered for a in (ok, limited, away, bare, cut)] == [True, True, True, False, False]
    assert availability([ok, limited, away, bare, cut]) == "3 / 5 (60.000 %)"
    assert availability([ok, limited, away], unlogged_failures=1) == "3 / 4 (75.000 %)"
    stats = _line("admin/<STATS>", 200, "", "GET /stats;csv").replace(" fittrack ", " admin ")
    assert parse_answer(stats) is None
