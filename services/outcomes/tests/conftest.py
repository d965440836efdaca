"""Fixtures of the outcomes service's tests: the service running in-process on the session's NATS and a
fresh Postgres database, at a fixed date, consuming only its own test's condition."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nats.js import JetStreamContext

from peer_testkit.harness import ServiceHarness
from peer_testkit.outcomes import start_outcomes
from peer_testkit.plugin import Infrastructure


@pytest.fixture
async def outcomes(
    infra: Infrastructure, js: JetStreamContext, fresh_database_url: str, condition: str
) -> AsyncIterator[ServiceHarness]:
    """The outcomes service for this test, started in-process with a fixed clock."""
    async with start_outcomes(infra, js, condition=condition, database_url=fresh_database_url) as service:
        yield service
