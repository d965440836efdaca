"""Running the referrals service in a test and looking at what it stored and published."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from bus_support import eventually
from fastapi import FastAPI
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import text

from peer_referrals.app import create_app
from peer_referrals.settings import ReferralsSettings
from peer_shared.auth import Role, issue_token, load_private_key
from peer_shared.clock import SystemClock
from peer_shared.contracts.subjects import subject_for
from peer_shared.db import SessionFactory
from peer_shared.messaging.outbox import headers_of
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER, service_settings

MLLP = {"mllp_allowed_facilities": ["B86001"], "max_request_bytes": 64 * 1024}
"""Settings for a service whose MLLP listener takes messages from practice B86001."""


@dataclass
class ReferralsHarness:
    """The service under test, an HTTP client for it, and ways to see its effects."""

    app: FastAPI
    settings: ReferralsSettings
    client: httpx.AsyncClient
    nc: Client
    condition: str
    issue_token: Callable[..., str]

    @property
    def sessions(self) -> SessionFactory:
        """The service's own database sessions."""
        return self.app.state.referrals.runtime.sessions  # type: ignore[no-any-return]

    def auth(self, role: Role, subject: str = "tester") -> dict[str, str]:
        """Headers carrying a bearer token for `role`."""
        return {"Authorization": f"Bearer {self.issue_token(role, subject)}"}

    async def published(self, subject: str = "referrals.>") -> list[dict[str, Any]]:
        """Every event this test's condition has on PEER_REFERRALS, oldest first (as JSON)."""
        return [json.loads(raw) for raw in await self.published_raw(subject)]

    async def published_raw(self, subject: str = "referrals.>") -> list[bytes]:
        """The raw bytes of those events, as they reached the stream."""
        js = self.nc.jetstream()
        psub = await js.pull_subscribe(
            f"peer.{self.condition}.{subject}",
            stream="PEER_REFERRALS",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        try:
            pending = (await psub.consumer_info()).num_pending
            messages: list[bytes] = []
            while len(messages) < pending:
                batch = await psub.fetch(min(pending - len(messages), 1000), timeout=5)
                messages += [m.data for m in batch]
            return messages
        finally:
            await psub.unsubscribe()

    async def wait_published(self, count: int, subject: str = "referrals.>") -> list[dict[str, Any]]:
        """Wait until at least `count` events reached the stream; return them."""

        async def enough() -> bool:
            return len(await self.published_raw(subject)) >= count

        await eventually(enough)
        return await self.published(subject)

    async def outbox_drained(self) -> None:
        """Wait until the relay has published every outbox row."""

        async def drained() -> bool:
            return await self.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0

        await eventually(drained)

    async def scalar(self, sql: str, **params: Any) -> Any:
        """One value from the service's database."""
        async with self.sessions() as session:
            return (await session.execute(text(sql), params)).scalar()

    async def count(self, table: str) -> int:
        """Rows in one of the service's tables."""
        return int(await self.scalar(f"SELECT count(*) FROM {table}"))

    async def state_counts(self) -> dict[str, int]:
        """How many rows each table holding referral state has (to prove nothing partial was stored)."""
        tables = ("referrals", "people", "outbox", "audit_log", "consents", "contact_attempts")
        return {table: await self.count(table) for table in tables}

    async def database_text(self) -> str:
        """Every row of every table of the service as text, and outbox payloads decoded: for PII scans."""
        async with self.sessions() as session:
            names = (
                await session.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                )
            ).scalars()
            parts = []
            for name in list(names):
                rows = await session.execute(text(f'SELECT t::text FROM "{name}" AS t'))
                parts += [row[0] for row in rows]
            payloads = await session.execute(text("SELECT convert_from(payload, 'UTF8') FROM outbox"))
            parts += [row[0] for row in payloads]
        return "\n".join(parts)


def token_issuer(infra: Infrastructure) -> Callable[..., str]:
    """Issue bearer tokens signed by the test session's operator key."""
    key = load_private_key(infra.issuer_private_key_path)

    def issue(role: Role, subject: str = "tester") -> str:
        return issue_token(
            key,
            issuer=OPERATOR_ISSUER,
            role=role,
            subject=subject,
            ttl=timedelta(hours=1),
            clock=SystemClock(),
        )

    return issue


def settings_for(
    infra: Infrastructure, condition: str, database_url: str, **overrides: Any
) -> ReferralsSettings:
    """Settings for a test's own service: its condition stands for `t2d`, its database is fresh."""
    values = service_settings(infra, "referrals", database_url=database_url)
    return ReferralsSettings(
        **values
        | {
            "conditions": [condition],
            "consumer_name_prefix": f"{condition}-",
            "condition_aliases": {"t2d": condition},
            "condition_programmes": {"t2d": "t2d-one-to-one"},
            "outbox_poll_seconds": 0.2,
        }
        | overrides
    )


@contextlib.asynccontextmanager
async def start_service(
    infra: Infrastructure,
    nc: Client,
    condition: str,
    database_url: str,
    issue_token: Callable[..., str],
    **overrides: Any,
) -> AsyncIterator[ReferralsHarness]:
    """Run the service in-process until the block ends."""
    settings = settings_for(infra, condition, database_url, **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield ReferralsHarness(app, settings, client, nc, condition, issue_token)


async def submit_fhir(
    harness: ReferralsHarness, document: dict[str, Any], subject: str = "ods-B86001"
) -> str:
    """Send a ServiceRequest as a referrer; return the new referral's id."""
    headers = {"Content-Type": "application/fhir+json"} | harness.auth(Role.REFERRER, subject)
    response = await harness.client.post("/fhir/ServiceRequest", json=document, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def publish_event(harness: ReferralsHarness, event: Any) -> None:
    """Publish another service's event on its stream, as its outbox relay would."""
    js = harness.nc.jetstream()
    await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers_of(event))


def free_port() -> int:
    """A TCP port nothing listens on right now (for the MLLP listener under test)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def mllp_exchange(port: int, *messages: bytes, ssl_context: Any = None) -> list[bytes]:
    """Send framed messages on one connection and return each acknowledgement (unframed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
    replies = []
    try:
        for message in messages:
            writer.write(b"\x0b" + message + b"\x1c\x0d")
            await writer.drain()
            replies.append(await read_frame(reader))
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return replies


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One MLLP frame's body (waits at most 10 s)."""
    raw = await asyncio.wait_for(reader.readuntil(b"\x1c\x0d"), 10)
    start = raw.index(b"\x0b")
    return raw[start + 1 : -2]


def segments_of(ack: bytes) -> dict[str, list[list[str]]]:
    """An acknowledgement's segments by name, each as its fields."""
    found: dict[str, list[list[str]]] = {}
    for segment in ack.decode().strip("\r").split("\r"):
        fields = segment.split("|")
        found.setdefault(fields[0], []).append(fields)
    return found
