"""Pooled connections on a real Postgres: an idle one is checked before use, a busy one is not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared import db
from peer_shared.db import make_engine

pytestmark = pytest.mark.integration


@pytest.fixture
async def engines(fresh_database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """A one-connection pool under test, and a second engine to end its server process with."""
    engine, killer = make_engine(fresh_database_url, pool_size=1), make_engine(fresh_database_url)
    try:
        yield engine, killer
    finally:
        await engine.dispose()
        await killer.dispose()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(engine: AsyncEngine, pid: int) -> None:
    """End a server process from another connection, as a database restart would, and wait until it
    has gone (without the timeout argument Postgres only sends the signal)."""
    async with engine.connect() as other:
        ended = await other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        assert ended.scalar_one()


async def test_an_idle_connection_that_died_is_replaced_before_use(
    engines: tuple[AsyncEngine, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, killer = engines
    dead = await _backend_pid(engine)
    await _terminate(killer, dead)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has now been idle "long enough"

    assert await _backend_pid(engine) != dead


async def test_a_busy_connection_is_not_pinged_and_the_pool_recovers_after_one_failure(
    engines: tuple[AsyncEngine, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine, killer = engines
    dead = await _backend_pid(engine)
    await _terminate(killer, dead)

    # No round trip before use: the dead connection is handed out, and its first statement fails...
    with pytest.raises(DBAPIError) as failure:
        await _backend_pid(engine)
    assert failure.value.connection_invalidated
    # ...which invalidates the pool, so the next use has a fresh connection.
    assert await _backend_pid(engine) != dead
