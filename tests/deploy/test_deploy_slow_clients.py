"""Scenario 3, slow and oversized clients through the proxy: 500 connections sending their
request heads a byte at a time, and one request with 1 MB of headers. Ordinary requests keep
answering meanwhile (their p99 is printed), the proxy cuts the slow ones at its request timeout
(408) without an instance ever seeing them, and refuses the oversized one (400 or 431)."""

import contextlib
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from deploy.cluster import Cluster, availability
from tests.deploy.deploy_support import report
from tests.deploy.test_deploy_rolling_restart import activity
from tests.sync.sync_support import Backend, add_user

SLOW = 500
ORDINARY = 300
HEADER_TIMEOUT_S = 5.0
"""haproxy.cfg's ``timeout http-request``: what a slow client gets to send its whole head."""


def oversized(port: int) -> str:
    """The status the proxy answers a request carrying 1 MB of headers ("" for none)."""
    head = b"GET /v1/activities HTTP/1.1\r\nHost: fittrack\r\n"
    head += b"".join(b"X-Padding-%d: %s\r\n" % (n, b"p" * 1000) for n in range(1024)) + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head)  # the proxy answers and closes long before the end
        try:
            answer = sock.recv(200)
        except ConnectionResetError:
            return ""
    return answer.decode("latin-1").split(" ", 2)[1] if answer else ""


def test_slow_and_oversized_clients_are_stopped_at_the_proxy(
    make_cluster: Callable[..., Cluster], backend: Backend
) -> None:
    cluster = make_cluster()
    token = add_user(backend.database_url, "ana").token
    headers = {"Authorization": f"Bearer {token}"}
    helper = Path(__file__).with_name("slow_clients.py")
    with httpx.Client(base_url=cluster.url, headers=headers, timeout=30) as client:
        for n in range(20):  # something to list
            assert client.put(f"/v1/activities/{uuid.uuid4()}", json=activity(n)).is_success
        with subprocess.Popen(
            [sys.executable, str(helper), str(cluster.proxy.port), str(SLOW), "0.5", "30"],
            stdout=subprocess.PIPE,
            text=True,
        ) as slow:
            assert slow.stdout is not None
            assert slow.stdout.readline().strip() == "connected"
            # While the slow clients hold their connections (until the proxy cuts them).
            latencies = []
            statuses = []
            while slow.poll() is None and len(latencies) < ORDINARY:
                started = time.perf_counter()
                statuses.append(client.get("/v1/activities", params={"limit": 20}).status_code)
                latencies.append(time.perf_counter() - started)
            big = oversized(cluster.proxy.port)
            cut = json.loads(slow.stdout.readline())
            slow.wait(timeout=30)
    assert statuses and set(statuses) == {200}
    # Not one ordinary request waited for a slow client to be cut.
    assert max(latencies) < HEADER_TIMEOUT_S
    assert cut == {"408": SLOW}, cut
    assert big in ("400", "431"), big
    for instance in cluster.instances:  # the slow and oversized heads never reached one
        assert "GET /v1/activities 408" not in instance.log()
    latencies.sort()
    p99 = latencies[max(0, round(0.99 * len(latencies)) - 1)]
    print(
        f"\n{len(latencies)} ordinary requests beside {SLOW} slow clients: "
        f"p50 {1000 * latencies[len(latencies) // 2]:.1f} ms, p99 {1000 * p99:.1f} ms"
    )
    ordinary = [a for a in cluster.proxy.answers() if a.request.startswith("GET /v1/")]
    report("slow and oversized clients (ordinary requests)", availability(ordinary))
