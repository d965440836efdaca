"""Any service running in the test's event loop, and ways to see its effects.

async with start_service(SERVICE, infra, js, condition=condition, database_url=url) as service:
    response = await service.client.post("/mentors", json=body, headers=service.auth(Role.COORDINATOR))
    await service.outbox_drained()
    events = await service.published()
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from nats.js import JetStreamContext
from sqlalchemy import text

from peer_events.envelope import CloudEvent
from peer_shared.auth.tokens import Role
from peer_shared.clock import Clock, FixedClock, SystemClock, uk_today
from peer_shared.db import SessionFactory
from peer_shared.runtime import DatabaseRuntime
from peer_shared.service import ServiceDescriptor
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import Infrastructure
from peer_testkit.settings import test_settings
from peer_testkit.streams import BusMessage, publish_events, read_stream
from peer_testkit.tokens import TokenIssuer
from peer_testkit.waiting import eventually


@dataclass
class ServiceHarness:
    """The service under test, an HTTP client for it, its clock, tokens on that clock, and its effects."""

    service: ServiceDescriptor
    app: FastAPI
    client: httpx.AsyncClient
    settings: Any
    clock: Clock
    js: JetStreamContext
    condition: str
    tokens: TokenIssuer

    @property
    def runtime(self) -> Any:
        """The service's runtime (settings, clock, database sessions, bus)."""
        found: DatabaseRuntime = self.app.state.runtime
        return found

    @property
    def sessions(self) -> SessionFactory:
        """Sessions on the service's own database."""
        found: SessionFactory = self.runtime.sessions
        return found

    def today(self) -> Any:
        """Today's date in the UK on the service's clock."""
        return uk_today(self.clock)

    def auth(self, role: Role, subject: str = "tester") -> dict[str, str]:
        """Headers with a bearer token for `role`, issued on the service's clock."""
        return self.tokens.headers(role, subject)

    async def call(
        self,
        method: str,
        path: str,
        *,
        role: Role = Role.COORDINATOR,
        subject: str = "tester",
        expect: int = 200,
        **kwargs: Any,
    ) -> Any:
        """Make a request as `role`, check its status, and return the JSON answer."""
        headers = self.auth(role, subject) | kwargs.pop("headers", {})
        response = await self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def scalar(self, sql: str, **params: Any) -> Any:
        """One value from the service's database."""
        async with self.sessions() as session:
            return (await session.execute(text(sql), params)).scalar()

    async def count(self, table: str) -> int:
        """Rows in one of the service's tables."""
        return int(await self.scalar(f'SELECT count(*) FROM "{table}"'))

    async def outbox_drained(self) -> None:
        """Wait until the relay has published every outbox row."""

        async def drained() -> bool:
            return bool(await self.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0)

        await eventually(drained)

    async def published_messages(
        self, subject: str | None = None, *, internal: bool = False
    ) -> list[BusMessage]:
        """What this service published under the test's condition (`subject` after the condition)."""
        root = "internal" if internal else "peer"
        stream = f"{'INTERNAL' if internal else 'PEER'}_{self.service.name.upper()}"
        pattern = f"{root}.{self.condition}.{subject or self.service.name + '.>'}"
        return await read_stream(self.js, stream, pattern)

    async def published(self, subject: str | None = None, *, internal: bool = False) -> list[dict[str, Any]]:
        """Those events as JSON documents, oldest first."""
        return [json.loads(m.data) for m in await self.published_messages(subject, internal=internal)]

    async def wait_published(
        self, count: int, subject: str | None = None, *, internal: bool = False
    ) -> list[dict[str, Any]]:
        """Wait until at least `count` such events reached the stream; return them."""

        async def enough() -> bool:
            return len(await self.published_messages(subject, internal=internal)) >= count

        await eventually(enough)
        return await self.published(subject, internal=internal)

    async def publish(self, *events: CloudEvent[Any], msg_id_suffix: str = "") -> None:
        """Publish other services' events for this one to consume."""
        await publish_events(self.js, *events, msg_id_suffix=msg_id_suffix)

    async def dead_letters(self) -> int:
        """Messages this service parked as failed."""
        return int(await self.scalar("SELECT count(*) FROM dead_letter"))


@contextlib.asynccontextmanager
async def start_service(
    service: ServiceDescriptor,
    infra: Infrastructure,
    js: JetStreamContext,
    *,
    condition: str,
    database_url: str,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[ServiceHarness]:
    """Run `service` on a database of the test's own, consuming only `condition`, until the block ends.

    `clock` defaults to a fixed clock at the real time, which the test can move; tokens are issued on it.
    `overrides` are settings values (field name -> value).
    """
    the_clock = clock or FixedClock(SystemClock().now())
    values = test_settings(infra, service.name, database_url=database_url, condition=condition)
    settings: ServiceSettings = service.settings(**(values | overrides))
    app = service.create_app(settings, clock=the_clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield ServiceHarness(
            service, app, client, settings, the_clock, js, condition, TokenIssuer(infra, the_clock)
        )
