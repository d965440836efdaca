"""The inbox: which events a consumer has already applied, recorded in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_shared.messaging.tables import inbox


async def claim(session: AsyncSession, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Record events as applied; returns the ids that are new (the rest were applied before).

    An insert on the primary key with `ON CONFLICT DO NOTHING`, never check-then-insert, so two
    replicas racing on a redelivered event cannot both apply it: the second waits on the first's row
    lock and then sees the conflict.
    """
    values = [{"consumer": consumer, "event_id": event_id} for event_id in dict.fromkeys(event_ids)]
    if not values:
        return set()
    result = await session.execute(
        pg_insert(inbox).values(values).on_conflict_do_nothing().returning(inbox.c.event_id)
    )
    return set(result.scalars().all())


async def release(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> None:
    """Forget a claim whose handler failed, so the redelivery is applied rather than skipped."""
    await session.execute(delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id))
