"""Scenario 5, the database away for a few seconds: the link between the instances and
PostgreSQL (a TCP forwarder) is cut and restored under a load of reads and writes, while two
devices sync. Meanwhile every answer that needs the database is 503 with Retry-After (from an
instance, or from the proxy once its health checks have both out), never a 500; afterwards the
syncs finish, and every write the server accepted is stored."""

import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from deploy.cluster import Cluster, availability
from tests.deploy.deploy_support import (
    CuttableLink,
    Load,
    add_users,
    device_rows,
    report,
    server_rows,
    wait_for,
)
from tests.deploy.test_deploy_rolling_restart import activity
from tests.sync.sync_support import Backend, Device, write_csv

CLIENTS = 4
OUTAGE_S = 3.0
"""How long the database stays away once the clients have seen it gone (the scenario's length,
not a guess at the machine's speed)."""


def through(database_url: str, port: int) -> str:
    """The same database URL, reached on 127.0.0.1:``port``."""
    parts = urlsplit(database_url)
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def test_the_database_away_answers_503_then_syncs_finish(
    make_cluster: Callable[..., Cluster],
    backend: Backend,
    tmp_path: Path,
    migrated_template: Path,
) -> None:
    target = urlsplit(backend.database_url)
    link = CuttableLink(target.hostname or "127.0.0.1", target.port or 5432).restore()
    try:
        cluster = make_cluster(FITTRACK_DATABASE_URL=through(backend.database_url, link.port))
        tokens = add_users(backend.database_url, CLIENTS + 2)
        devices = [
            Device(n, tmp_path / f"device-{n}", {"FITTRACK_SYNC_MAX_WAIT": "60"}, migrated_template)
            for n in "ab"
        ]
        for d, token in zip(devices, tokens[CLIENTS:], strict=True):
            write_csv(tmp_path / f"{d.name}.csv", 50)
            d.ok("import", str(tmp_path / f"{d.name}.csv"))
            d.ok("login", "--server", cluster.url, "--token", token)
        accepted: set[str] = set()

        def reads_and_writes(load: Load, client: httpx.Client, index: int, n: int) -> None:
            load.send(client, "GET", "/v1/activities", params={"limit": 20})
            activity_id = str(uuid.uuid4())
            put = load.send(client, "PUT", f"/v1/activities/{activity_id}", json=activity(n))
            if put.status < 300:
                accepted.add(activity_id)
                load.send(client, "GET", f"/v1/activities/{activity_id}")

        load = Load(cluster.url, tokens[:CLIENTS], reads_and_writes).start()
        syncs: list[subprocess.Popen[str]] = []
        try:
            flowing = load.count() + 30
            wait_for(lambda: load.count() >= flowing, "requests before the cut")
            link.cut()
            wait_for(lambda: any(o.status == 503 for o in load.outcomes), "a 503")
            syncs = [
                subprocess.Popen(
                    [sys.executable, "-m", "fittrack", "sync", "--json"],
                    env=d.env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for d in devices
            ]
            time.sleep(OUTAGE_S)
            link.restore()
            cluster.proxy.wait_up([i.name for i in cluster.instances])
            flowing = load.count() + 30
            wait_for(lambda: load.count() >= flowing, "requests after the database came back")
        finally:
            outcomes = load.stop()
            results = [(p, *p.communicate(timeout=120)) for p in syncs]
    finally:
        link.cut()

    statuses = {o.status for o in outcomes}
    assert statuses <= {200, 201, 503}, [o for o in outcomes if o.status not in (200, 201, 503)]
    unavailable = [o for o in outcomes if o.status == 503]
    assert all(o.headers.get("retry-after") for o in unavailable), unavailable[:3]
    assert outcomes[-1].status < 300
    for process, _out, err in results:
        assert process.returncode == 0, err
    on_server, stored = server_rows(backend.database_url)
    assert stored == len(on_server)
    assert accepted <= set(on_server), "a write the server accepted is not stored"
    for d in devices:
        held, _ = device_rows(d.db)
        assert len(held) == 50 and set(held) <= set(on_server), d.name
    answers = cluster.proxy.answers()
    assert all(a.answered for a in answers), [a for a in answers if not a.answered][:5]
    print(f"\n{len(unavailable)} of {len(outcomes)} load requests answered 503 meanwhile")
    report("the database away", availability(answers))
