"""The deployment's scenarios: HAProxy (deploy/haproxy.cfg) in front of two `fittrack serve`
instances (deploy/cluster.py), on the machine's PostgreSQL and Redis, all real processes on
loopback. Skipped, saying why, without FITTRACK_TEST_DATABASE_URL, FITTRACK_TEST_REDIS_URL or
haproxy (.ci/run installs it).

Each test gets a fresh PostgreSQL schema and Redis prefix (tests.sync.sync_support.backend_for),
and a cluster of its own, stopped after it.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from deploy.cluster import Cluster, find_haproxy, free_port
from tests.sync.sync_support import PG_ENV, REDIS_ENV, Backend, backend_for


@pytest.fixture(autouse=True)
def plain_http_clients(sync_tls_env: None) -> None:
    """The servers here are plain HTTP on loopback: no client needs certifi's whole bundle
    (tests/conftest.py ``one_ca_file``)."""


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    """A fresh PostgreSQL schema, migrated, with a Redis prefix of its own."""
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set: the deployment scenarios need PostgreSQL")
    if not os.environ.get(REDIS_ENV):
        pytest.skip(f"{REDIS_ENV} is not set: the deployment scenarios need Redis")
    if find_haproxy() is None:
        pytest.skip("haproxy is not installed (apt-get install -y haproxy; .ci/run does)")
    with backend_for("postgresql", tmp_path) as made:
        yield made


@pytest.fixture
def make_cluster(
    backend: Backend, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Cluster]]:
    """``make_cluster(FITTRACK_RATE_LIMIT=…, FITTRACK_DATABASE_URL=…)``: the proxy and two
    instances on the backend (these settings over its own), started; stopped after the test,
    and their logs shown when it failed."""
    made: list[Cluster] = []
    request.node.fittrack_clusters = made  # for the report of a failure

    def make(**settings: str) -> Cluster:
        env = backend.env | {
            "FITTRACK_RATE_LIMIT": "1000000/minute",
            "FITTRACK_ANONYMOUS_RATE_LIMIT": "1000000/minute",
            "FITTRACK_TOKEN_CACHE_SECONDS": "5",
        }
        cluster = Cluster(env | settings, tmp_path / f"cluster-{len(made)}", free_port())
        made.append(cluster)
        return cluster.start()

    yield make
    for cluster in made:
        cluster.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing scenario's report ends with every process's log (the proxy's included)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for cluster in getattr(item, "fittrack_clusters", []):
        report.sections.append(("cluster logs", cluster.logs()[-20000:]))
