"""The test session's infrastructure: one real NATS and one real Postgres for every test.

By default the embedded launcher starts them in a temporary folder. Alternatives:
- PEER_TEST_NATS_URL + PEER_TEST_DATABASE_URL (a superuser URL): servers already
  running; the service roles and databases are created there by the deploy SQL
  (optional: PEER_NATS_<USER>_PASSWORD, PEER_DB_<SERVICE>_PASSWORD,
  PEER_TEST_NATS_MONITOR_URL).
- PEER_TEST_INFRA=docker: the official images via testcontainers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.bus import ensure_streams
from peer_shared.clock import SystemClock
from peer_shared.contracts.streams import ALL_STREAMS
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure
from peer_support_cli.embedded.external import docker_infrastructure, from_urls
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER


@contextmanager
def infra_data_dir() -> Iterator[Path]:
    """A temporary data folder outside pytest's basetemp.

    Every pytest run resets /tmp/pytest-of-<user> to mode 0700; when the tests run
    as root, Postgres runs as another account and would lose its way to its data
    the moment a concurrent pytest session starts.
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


TOKEN_TTL = timedelta(hours=1)


@pytest.fixture
def operator_token(infra: Infrastructure) -> Callable[..., str]:
    """Issue bearer tokens signed by the session's operator key: `operator_token(Role.X, "subject")`."""
    key = load_private_key(infra.issuer_private_key_path)

    def issue(role: Role, subject: str = "tester", ttl: timedelta = TOKEN_TTL) -> str:
        return issue_token(
            key, issuer=OPERATOR_ISSUER, role=role, subject=subject, ttl=ttl, clock=SystemClock()
        )

    return issue
