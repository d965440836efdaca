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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure
from peer_support_cli.embedded.external import docker_infrastructure, from_urls


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
