"""Fixtures of the matching service's tests: the service running in-process on the real NATS and
Postgres, with its own database and consumers limited to the test's own condition."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from matching_support import COORDINATOR, MatchingService

from peer_matching.app import create_app
from peer_matching.settings import MatchingSettings, ProgrammeMatching
from peer_shared.auth import Role
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import service_settings


@pytest.fixture
def matching_settings(infra: Infrastructure, fresh_database_url: str, condition: str) -> MatchingSettings:
    """Settings for a matching service that serves only the test's condition, in a fresh database."""
    values = service_settings(infra, "matching", database_url=fresh_database_url)
    return MatchingSettings(
        **values,
        conditions=[condition],
        consumer_name_prefix=f"{condition}-",
        condition_programmes={condition: f"{condition}-one-to-one"},
        programmes={f"{condition}-suggest": ProgrammeMatching(mode="suggest")},
        outbox_poll_seconds=0.1,
        consumer_backoff_seconds=[0.2, 0.5],
    )


@pytest.fixture
async def matching(
    matching_settings: MatchingSettings, nc: object, operator_token: Callable[..., str]
) -> AsyncIterator[MatchingService]:
    """The matching service running in-process, with an HTTP client holding a coordinator's token."""
    app = create_app(matching_settings)
    token = operator_token(Role.COORDINATOR, COORDINATOR)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        yield MatchingService(app, client, app.state.runtime, matching_settings)
