"""Scenario 2, a rolling restart: each instance in turn is given SIGTERM (as systemd stops it)
and started again, under a steady load of reads and writes through the proxy: no request fails.
And the graceful stop itself: an instance given SIGTERM closes its port at once, finishes the
request it had started, then exits, while the proxy sends new requests to the other."""

import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from deploy.cluster import CLEAN_STOP, Cluster, availability
from tests.deploy.deploy_support import Load, report, wait_for
from tests.sync.sync_support import Backend, add_user

CLIENTS = 4


def activity(n: int) -> dict[str, Any]:
    """The seed's minimal activity: a 5 km run on day ``n``."""
    day = 1 + n % 28
    return {
        "type": "run",
        "start": f"2026-02-{day:02d}T07:00:00+01:00",
        "end": f"2026-02-{day:02d}T07:30:00+01:00",
        "distance_m": 5000.0,
    }


def reads_and_writes(load: Load, client: httpx.Client, index: int, n: int) -> None:
    """A list, a write under the client's own id, and a read of what was written."""
    load.send(client, "GET", "/v1/activities", params={"limit": 20})
    activity_id = str(uuid.uuid4())
    load.send(client, "PUT", f"/v1/activities/{activity_id}", json=activity(n))
    load.send(client, "GET", f"/v1/activities/{activity_id}")


def test_a_rolling_restart_fails_no_request(
    make_cluster: Callable[..., Cluster], backend: Backend
) -> None:
    cluster = make_cluster()
    tokens = [add_user(backend.database_url, f"u{n}").token for n in range(CLIENTS)]
    load = Load(cluster.url, tokens, reads_and_writes).start()
    try:
        for instance in cluster.instances:
            flowing = load.count() + 30
            wait_for(lambda n=flowing: load.count() >= n, "requests before the restart")
            assert instance.terminate() in CLEAN_STOP, instance.log()
            instance.start()
            cluster.proxy.wait_up([instance.name])
        flowing = load.count() + 30
        wait_for(lambda: load.count() >= flowing, "requests after the restarts")
    finally:
        outcomes = load.stop()
    failed = [o for o in outcomes if not 200 <= o.status < 300]
    assert not failed, failed[:5]
    # Both instances served, each before and after its restart.
    for instance in cluster.instances:
        assert len(instance.runs) == 2
    answers = cluster.proxy.answers()
    assert all(a.answered for a in answers), [a for a in answers if not a.answered][:5]
    print(f"\n{load.resent} idempotent requests sent again after a close without an answer")
    report(f"a rolling restart ({len(outcomes)} requests)", availability(answers, load.resent))


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return data


def test_sigterm_finishes_the_started_request_and_takes_no_new_one(
    make_cluster: Callable[..., Cluster], backend: Backend, tmp_path: Path
) -> None:
    cluster = make_cluster()
    token = add_user(backend.database_url, "ana").token
    first = cluster.instances[0]
    body = httpx.Request("PUT", "http://x", json=activity(1)).read()
    activity_id = str(uuid.uuid4())
    with socket.create_connection(("127.0.0.1", first.port), timeout=30) as sock:
        # The request is under way once the app asks for its body: uvicorn then answers
        # "100 Continue" (the token has been checked, the rate limit counted).
        sock.sendall(
            f"PUT /v1/activities/{activity_id} HTTP/1.1\r\nHost: fittrack\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        assert _read_head(sock).startswith(b"HTTP/1.1 100 ")
        assert first.process is not None
        first.process.send_signal(15)  # SIGTERM

        def refused() -> bool:
            try:
                socket.create_connection(("127.0.0.1", first.port), timeout=1).close()
            except ConnectionRefusedError:
                return True
            return False

        wait_for(refused, "the instance to close its port")
        # New requests through the proxy go to the other instance meanwhile.
        with httpx.Client(base_url=cluster.url, timeout=30) as client:
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(5):
                assert client.get("/v1/me", headers=headers).status_code == 200
        # The started request is finished: its body is read, stored, answered.
        sock.sendall(body)
        head = _read_head(sock)
        assert head.startswith(b"HTTP/1.1 201 "), head
    started = time.monotonic()
    assert first.process.wait(timeout=30) in CLEAN_STOP, first.log()
    first.process = None
    print(f"\nexited {time.monotonic() - started:.2f} s after its last answer")
    with httpx.Client(base_url=cluster.url, timeout=30) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(f"/v1/activities/{activity_id}", headers=headers).status_code == 200
    answers = cluster.proxy.answers()
    served = [a.server for a in answers if a.request.startswith("GET /v1/me")]
    assert served == ["instances/instance2"] * 5
