"""Fixtures for the messaging tests: a fresh database per test and a unique condition per test.

Streams are created once per session and shared; a test isolates itself by publishing under its own
condition code (subjects carry the condition), by its own consumer names and its own database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.messaging.tables import create_messaging_tables

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


@pytest.fixture
async def database(fresh_database_url: str, nc: object) -> AsyncIterator[Database]:
    """A fresh database with the messaging tables, for one test (streams declared via `nc`)."""
    url = fresh_database_url
    engine = make_engine(url, pool_size=4)
    async with engine.begin() as conn:
        await conn.run_sync(create_messaging_tables)
        await conn.run_sync(test_metadata.create_all)
    yield Database(url, engine, make_session_factory(engine))
    await engine.dispose()
