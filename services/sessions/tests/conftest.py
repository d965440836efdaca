"""Fixtures for the sessions service's tests: the service running in-process on the session's real NATS
and Postgres, with its own database, its own condition (so it consumes only its test's events) and a
fixed clock at the real time that the test can move.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nats.js import JetStreamContext

from peer_testkit.harness import ServiceHarness
from peer_testkit.plugin import Infrastructure
from peer_testkit.sessions import start_sessions


@pytest.fixture
async def service(
    infra: Infrastructure, js: JetStreamContext, condition: str, fresh_database_url: str
) -> AsyncIterator[ServiceHarness]:
    """The sessions service under test."""
    async with start_sessions(infra, js, condition=condition, database_url=fresh_database_url) as running:
        yield running
