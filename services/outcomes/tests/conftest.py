"""Fixtures of the outcomes service's tests: the service running in-process on the session's NATS and a
fresh Postgres database, at a fixed date, consuming only its own test's condition."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext

from peer_outcomes.app import create_app
from peer_outcomes.settings import OutcomesSettings
from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import FixedClock
from peer_shared.contracts.envelope import CloudEvent
from peer_shared.contracts.subjects import subject_for
from peer_shared.messaging.outbox import headers_of
from peer_shared.runtime import ServiceRuntime
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER, service_settings

TODAY = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
TOKEN_TTL = timedelta(hours=1)
LOCALITIES = {"central": ["M1", "M2", "M3"], "north": ["M8", "M9"], "south": ["M14", "M20"]}


@dataclass
class OutcomesService:
    """The running service, an HTTP client for it, and bearer tokens per role."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: OutcomesSettings
    clock: FixedClock
    token: Callable[[Role, str], str]

    @property
    def runtime(self) -> ServiceRuntime:
        """The service's runtime (database sessions, clock)."""
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    def auth(self, role: Role) -> dict[str, str]:
        """Headers for a request made with `role`."""
        return {"Authorization": f"Bearer {self.token(role, f'usr_{role.value}')}"}


StartOutcomes = Callable[[str, str], AbstractAsyncContextManager[OutcomesService]]


@pytest.fixture(scope="session")
def start_outcomes(infra: Infrastructure) -> StartOutcomes:
    """Start the service on a database for a condition: `async with start_outcomes(url, condition)`."""
    key = load_private_key(infra.issuer_private_key_path)

    @asynccontextmanager
    async def start(database_url: str, condition: str) -> AsyncIterator[OutcomesService]:
        settings = OutcomesSettings(
            **service_settings(infra, "outcomes", database_url=database_url),
            conditions=[condition],
            consumer_name_prefix=f"{condition}-",
            locality_groups=LOCALITIES,
            outbox_poll_seconds=0.2,
        )
        clock = FixedClock(TODAY)

        def token(role: Role, subject: str) -> str:
            # Issued on the service's clock: a token from the real clock would not be valid yet at TODAY.
            return issue_token(
                key, issuer=OPERATOR_ISSUER, role=role, subject=subject, ttl=TOKEN_TTL, clock=clock
            )

        app = create_app(settings, clock=clock)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
        ):
            yield OutcomesService(app, client, settings, clock, token)

    return start


@pytest.fixture
async def outcomes(
    start_outcomes: StartOutcomes, fresh_database_url: str, condition: str
) -> AsyncIterator[OutcomesService]:
    """The outcomes service for this test, started in-process with a fixed clock."""
    async with start_outcomes(fresh_database_url, condition) as service:
        yield service


async def publish_events(js: JetStreamContext, *events: CloudEvent[Any], msg_id_suffix: str = "") -> None:
    """Publish events to their streams as their producers' relays would (event id as Nats-Msg-Id)."""
    for event in events:
        headers = headers_of(event)
        headers["Nats-Msg-Id"] += msg_id_suffix
        await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers)


@pytest.fixture
def publish(js: JetStreamContext) -> Callable[..., Any]:
    """`await publish(*events)`: publish events to their streams."""

    async def send(*events: CloudEvent[Any], msg_id_suffix: str = "") -> None:
        await publish_events(js, *events, msg_id_suffix=msg_id_suffix)

    return send


@pytest.fixture(scope="session")
def publisher() -> Callable[..., Any]:
    """`publish_events` for fixtures wider than one test."""
    return publish_events
