"""Fixtures of the matching service's tests: the service running in-process on the real NATS and
Postgres (peer_testkit's harness), with its own database and consumers limited to the test's condition."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nats.js import JetStreamContext

from peer_matching.service import SERVICE
from peer_matching.settings import ProgrammeMatching
from peer_shared.auth import Role
from peer_shared.clock import SystemClock
from peer_testkit.harness import ServiceHarness, start_service
from peer_testkit.matching import COORDINATOR
from peer_testkit.plugin import Infrastructure


@pytest.fixture
async def matching(
    infra: Infrastructure, js: JetStreamContext, condition: str, fresh_database_url: str
) -> AsyncIterator[ServiceHarness]:
    """The matching service for the test's condition (`<condition>-suggest` waits for a coordinator), its
    client holding a coordinator's token.

    It runs on the real clock, as the referral events the tests publish do: the waitlist is served in
    the order the mentees arrived.
    """
    async with start_service(
        SERVICE,
        infra,
        js,
        condition=condition,
        database_url=fresh_database_url,
        clock=SystemClock(),
        condition_programmes={condition: f"{condition}-one-to-one"},
        programmes={f"{condition}-suggest": ProgrammeMatching(mode="suggest")},
    ) as service:
        service.client.headers.update(service.auth(Role.COORDINATOR, COORDINATOR))
        yield service
