"""Fixtures for the groups service's tests: the service running in-process on the session's real NATS
and Postgres, with its own database, its own condition (so it consumes only its test's events) and a
fixed clock at the real time that the test can move.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nats.js import JetStreamContext

from peer_testkit.groups import start_groups
from peer_testkit.harness import ServiceHarness
from peer_testkit.plugin import Infrastructure


@pytest.fixture
def programme() -> dict[str, object]:
    """The group programme's settings beyond the defaults (a test module overrides it)."""
    return {}


@pytest.fixture
async def service(
    infra: Infrastructure,
    js: JetStreamContext,
    condition: str,
    fresh_database_url: str,
    programme: dict[str, object],
) -> AsyncIterator[ServiceHarness]:
    """The groups service under test."""
    async with start_groups(
        infra, js, condition=condition, database_url=fresh_database_url, programme=programme
    ) as running:
        yield running
