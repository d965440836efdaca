"""The benchmark's Postgres side: fresh databases, outbox rows seeded in bulk, and what they hold."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_events.envelope import CloudEvent
from peer_events.subjects import subject_for
from peer_shared.db import make_engine
from peer_shared.messaging.outbox import headers_of, lane_of
from peer_shared.messaging.tables import create_messaging_tables, outbox

from .workload import state_metadata

OutboxRecord = tuple[uuid.UUID, str, str, bytes, str]


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The same database's URL as asyncpg itself takes it."""
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def new_database(create: Callable[[str], str], role: str, *, state: bool) -> str:
    """A fresh database with the messaging tables (and the consumer's state table)."""
    url = await asyncio.to_thread(create, f"bench_{role}_{uuid.uuid4().hex[:10]}")
    engine = make_engine(url, pool_size=1)
    async with engine.begin() as conn:
        await conn.run_sync(create_messaging_tables)
        if state:
            await conn.run_sync(state_metadata.create_all)
    await engine.dispose()
    return url


def outbox_records(events: list[CloudEvent[Any]]) -> list[OutboxRecord]:
    """The outbox rows `put_in_outbox` would write for these events, ready for COPY."""
    return [
        (e.id, lane_of(e), subject_for(e), e.model_dump_json().encode(), json.dumps(headers_of(e)))
        for e in events
    ]


async def seed_outbox(url: str, records: list[OutboxRecord]) -> float:
    """COPY rows into the outbox in one transaction (so the producer is not what is measured).

    Returns the wall-clock time of the commit.
    """
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "outbox", records=records, columns=["event_id", "lane", "subject", "payload", "headers"]
            )
            await conn.execute("SELECT pg_notify('peer_outbox', 'default')")
        return time.time()
    finally:
        await conn.close()


async def count(engine: AsyncEngine, query: Any) -> int:
    """The single number a counting query returns."""
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def unpublished(engine: AsyncEngine) -> int:
    """Outbox rows the relay has not marked published yet."""
    return await count(
        engine, select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    )


async def published_times(engine: AsyncEngine) -> dict[uuid.UUID, float]:
    """When the relay marked each event published (wall-clock seconds)."""
    async with engine.connect() as conn:
        result = await conn.execute(select(outbox.c.event_id, outbox.c.published_at))
        return {event_id: at.timestamp() for event_id, at in result if at is not None}
