"""Fixtures for the sessions service's tests: the service running in-process on the session's real NATS
and Postgres, with its own database, its own condition (so it consumes only its test's events) and a
clock the test can move.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from nats.js import JetStreamContext

# Test modules are imported by path; `support/` on sys.path lets them import `sessions_support`. It is a
# folder of its own so that no other `conftest` can be found through it.
sys.path.insert(0, str(Path(__file__).parent / "support"))

from sessions_support import RunningService, sessions_settings

from peer_sessions.app import create_app
from peer_shared.clock import FixedClock, SystemClock
from peer_support_cli.embedded import Infrastructure


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Settings a test module changes for its service (override this fixture in the module)."""
    return {}


@pytest.fixture
async def service(
    infra: Infrastructure,
    js: JetStreamContext,
    condition: str,
    fresh_database_url: str,
    operator_token: Callable[..., str],
    settings_overrides: dict[str, object],
) -> AsyncIterator[RunningService]:
    """The sessions service with a fixed clock set to the real time (the tokens are real-time tokens)."""
    settings = sessions_settings(infra, fresh_database_url, condition, **settings_overrides)
    clock = FixedClock(SystemClock().now())
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield RunningService(client, clock, settings, app.state.runtime, condition, js, operator_token)
