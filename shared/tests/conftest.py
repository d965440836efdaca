"""Fixtures for the messaging tests: a fresh database per test and a unique condition per test.

Streams are created once per session and shared; a test isolates itself by publishing under its own
condition code (subjects carry the condition), by its own consumer names and its own database.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared.bus import ensure_streams
from peer_shared.contracts.streams import ALL_STREAMS
from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.messaging.tables import create_messaging_tables
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import Infrastructure

test_metadata = MetaData()
effects = Table(
    "effects",
    test_metadata,
    Column("referral_id", Text, primary_key=True),
    Column("times", Integer, nullable=False),
)
"""A stand-in for a service's state: how many times a handler's effect was applied per referral."""


@dataclass
class Database:
    """A test's own database with the messaging tables."""

    url: str
    engine: AsyncEngine
    sessions: SessionFactory


@pytest.fixture(scope="session")
async def nc(infra: Infrastructure) -> AsyncIterator[Client]:
    """An operator connection to the test session's NATS, with every stream declared once."""
    user, password = infra.nats_credentials.get("operator", (None, None))
    client = await nats.connect(infra.nats_url, user=user, password=password)
    await ensure_streams(client.jetstream(), ALL_STREAMS, ServiceSettings())
    yield client
    await client.drain()


@pytest.fixture
def js(nc: Client) -> JetStreamContext:
    """JetStream on the operator connection."""
    return nc.jetstream()


@pytest.fixture
async def database(infra: Infrastructure) -> AsyncIterator[Database]:
    """A fresh database for one test."""
    url = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    engine = make_engine(url, pool_size=4)
    async with engine.begin() as conn:
        await conn.run_sync(create_messaging_tables)
        await conn.run_sync(test_metadata.create_all)
    yield Database(url, engine, make_session_factory(engine))
    await engine.dispose()


@pytest.fixture
def condition() -> str:
    """A condition code no other test publishes under."""
    return f"t{uuid.uuid4().hex[:12]}"
