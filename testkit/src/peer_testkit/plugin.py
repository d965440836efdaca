"""The test session's infrastructure, and the rule that only `integration` tests may touch it.

One real NATS and one real Postgres serve every integration test. By default the embedded launcher starts
them in a temporary folder. Alternatives:
- PEER_TEST_NATS_URL + PEER_TEST_DATABASE_URL (a superuser URL): servers already running; the service
  roles and databases are created there by the deploy SQL (optional: PEER_NATS_<USER>_PASSWORD,
  PEER_DB_<SERVICE>_PASSWORD, PEER_TEST_NATS_MONITOR_URL).
- PEER_TEST_INFRA=docker: the official images via testcontainers.

Tiers: an unmarked test is a fast test and must reach no server; a test that uses the infrastructure
(directly or through any fixture) without `@pytest.mark.integration` fails at set-up, and so does one
that starts an embedded infrastructure of its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from peer_events.streams import ALL_STREAMS
from peer_shared.bus import ensure_streams
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure
from peer_support_cli.embedded.external import docker_infrastructure, from_urls
from peer_testkit.tokens import TokenIssuer

# Tests type their `infra` fixture with the launcher's protocol, imported from here.
__all__ = ["INTEGRATION", "Infrastructure"]

INTEGRATION = "integration"
_INFRASTRUCTURE_FIXTURE = "infra"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the tiers' markers."""
    config.addinivalue_line(
        "markers", f"{INTEGRATION}: needs the real NATS and Postgres from the embedded launcher"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a test that would start or use the infrastructure without the `integration` marker."""
    if item.get_closest_marker(INTEGRATION) is not None:
        return
    if _INFRASTRUCTURE_FIXTURE in getattr(item, "fixturenames", ()):
        pytest.fail(
            f"{item.nodeid} uses the real NATS and Postgres (fixture '{_INFRASTRUCTURE_FIXTURE}') but is "
            f"not marked `@pytest.mark.{INTEGRATION}`",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _embedded_launch_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unmarked test that starts an embedded infrastructure itself fails instead of starting it."""
    if request.node.get_closest_marker(INTEGRATION) is not None:
        return
    nodeid = request.node.nodeid

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        pytest.fail(f"{nodeid} starts NATS and Postgres but is not marked `@pytest.mark.{INTEGRATION}`")

    monkeypatch.setattr(EmbeddedInfrastructure, "__enter__", refuse)


@contextmanager
def infra_data_dir() -> Iterator[Path]:
    """A temporary data folder outside pytest's basetemp.

    Every pytest run resets /tmp/pytest-of-<user> to mode 0700; when the tests run as root, Postgres runs
    as another account and would lose its way to its data the moment a concurrent pytest session starts.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="peer-support-test-"))
    try:
        yield data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    """NATS and Postgres for the whole test session."""
    nats_url = os.environ.get("PEER_TEST_NATS_URL")
    database_url = os.environ.get("PEER_TEST_DATABASE_URL")
    with infra_data_dir() as data_dir:
        if nats_url and database_url:
            monitor_url = os.environ.get("PEER_TEST_NATS_MONITOR_URL")
            yield from_urls(data_dir, nats_url, database_url, nats_monitor_url=monitor_url)
        elif os.environ.get("PEER_TEST_INFRA") == "docker":
            with docker_infrastructure(data_dir) as infrastructure:
                yield infrastructure
        else:
            # Any free ports: other test sessions may be running on this machine.
            ports = {"nats_port": 0, "postgres_port": 0, "nats_monitor_port": 0}
            with EmbeddedInfrastructure(data_dir, **ports) as infrastructure:
                yield infrastructure


@pytest.fixture(scope="session")
async def nc(infra: Infrastructure) -> AsyncIterator[Client]:
    """An operator connection to the session's NATS, with every stream declared once per session."""
    user, password = infra.nats_credentials.get("operator", (None, None))
    client = await nats.connect(infra.nats_url, user=user, password=password)
    await ensure_streams(client.jetstream(), ALL_STREAMS, ServiceSettings())
    yield client
    await client.drain()


@pytest.fixture
def js(nc: Client) -> JetStreamContext:
    """JetStream on the operator connection."""
    return nc.jetstream()


@pytest.fixture
def condition() -> str:
    """A condition code no other test publishes under: subjects carry it, so streams can be shared."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def fresh_database_url(infra: Infrastructure) -> str:
    """An empty database of the test's own."""
    return infra.create_database(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def operator_token(infra: Infrastructure) -> Callable[..., str]:
    """Issue bearer tokens signed by the session's operator key, on the real clock:
    `operator_token(Role.X, "subject")`."""
    return TokenIssuer(infra).issue
