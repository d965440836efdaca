"""The inbox: which events a consumer has already applied, recorded in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Text, Uuid, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_shared.messaging.tables import inbox

# One statement whatever the batch size: the ids travel as a single uuid[] parameter, so SQLAlchemy
# compiles it once and asyncpg prepares it once, rather than a new multi-row VALUES list per batch size.
_CLAIM = (
    pg_insert(inbox)
    .from_select(
        ["consumer", "event_id"],
        select(
            bindparam("consumer", type_=Text),
            func.unnest(bindparam("event_ids", type_=ARRAY(Uuid))).column_valued("event_id"),
        ),
    )
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)


async def claim(session: AsyncSession, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Record events as applied; returns the ids that are new (the rest were applied before).

    An insert on the primary key with `ON CONFLICT DO NOTHING`, never check-then-insert, so two
    replicas racing on a redelivered event cannot both apply it: the second waits on the first's row
    lock and then sees the conflict.
    """
    # Sorted, so two transactions claiming overlapping sets take the row locks in the same order and
    # cannot deadlock (a redelivery racing the original on another replica).
    ids = sorted(set(event_ids))
    if not ids:
        return set()
    result = await session.execute(_CLAIM, {"consumer": consumer, "event_ids": ids})
    return set(result.scalars().all())


async def release(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> None:
    """Forget a claim whose handler failed, so the redelivery is applied rather than skipped."""
    await session.execute(delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id))
