"""The outcomes service as its tests run it: on the session's servers, at a fixed date, with localities."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from nats.js import JetStreamContext

from peer_outcomes.service import SERVICE
from peer_shared.clock import FixedClock
from peer_support_cli.embedded import Infrastructure
from peer_testkit.harness import ServiceHarness, start_service

TODAY = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
"""When the outcomes tests run: PAM results and reports are dated against it."""
LOCALITIES = {"central": ["M1", "M2", "M3"], "north": ["M8", "M9"], "south": ["M14", "M20"]}
"""The reporting localities (postcode districts) the tests configure."""


@asynccontextmanager
async def start_outcomes(
    infra: Infrastructure, js: JetStreamContext, *, condition: str, database_url: str
) -> AsyncIterator[ServiceHarness]:
    """Run the outcomes service on its own database, consuming `condition`, on a clock fixed at TODAY."""
    async with start_service(
        SERVICE,
        infra,
        js,
        condition=condition,
        database_url=database_url,
        clock=FixedClock(TODAY),
        locality_groups=LOCALITIES,
    ) as service:
        yield service
