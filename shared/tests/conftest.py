"""Fixtures for the messaging tests: a fresh database with the messaging tables per test.

Streams are created once per session and shared; a test isolates itself by publishing under its own
condition code (subjects carry the condition), by its own consumer names and its own database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.messaging.tables import create_messaging_tables


@pytest.fixture
async def engine(fresh_database_url: str, nc: object) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's own database (`fresh_database_url`), holding the messaging tables;
    the streams are declared (via `nc`)."""
    engine = make_engine(fresh_database_url, pool_size=4)
    async with engine.begin() as conn:
        await conn.run_sync(create_messaging_tables)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    """Sessions on the test's messaging database."""
    return make_session_factory(engine)
