"""The dead-letter table: messages a consumer gave up on, kept with their error for an operator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_shared.messaging.tables import dead_letter


@dataclass(frozen=True)
class DeadLetter:
    """A parked message, as an operator sees it."""

    id: int
    consumer: str
    stream: str
    stream_sequence: int
    subject: str
    event_id: uuid.UUID | None
    payload: bytes
    headers: dict[str, str]
    error: str
    attempts: int
    dead_lettered_at: datetime
    replayed_at: datetime | None
    replay_error: str | None


async def park(
    session: AsyncSession,
    *,
    consumer: str,
    stream: str,
    stream_sequence: int,
    subject: str,
    event_id: uuid.UUID | None,
    payload: bytes,
    headers: dict[str, str],
    error: str,
    attempts: int,
    at: datetime,
) -> None:
    """Keep a failed message; parking the same stream message twice keeps the first."""
    await session.execute(
        pg_insert(dead_letter)
        .values(
            consumer=consumer,
            stream=stream,
            stream_sequence=stream_sequence,
            subject=subject,
            event_id=event_id,
            payload=payload,
            headers=headers,
            error=error,
            attempts=attempts,
            dead_lettered_at=at,
        )
        .on_conflict_do_nothing(constraint="dead_letter_once")
    )


async def list_dead_letters(
    session: AsyncSession, *, consumer: str | None = None, include_replayed: bool = False
) -> list[DeadLetter]:
    """Dead letters, oldest first."""
    query = select(dead_letter).order_by(dead_letter.c.id)
    if consumer is not None:
        query = query.where(dead_letter.c.consumer == consumer)
    if not include_replayed:
        query = query.where(dead_letter.c.replayed_at.is_(None))
    return [DeadLetter(**row._mapping) for row in (await session.execute(query)).all()]


async def waiting_count(session: AsyncSession) -> int:
    """How many dead letters wait for an operator."""
    query = select(func.count()).select_from(dead_letter).where(dead_letter.c.replayed_at.is_(None))
    return int((await session.execute(query)).scalar_one())


async def mark_replayed(session: AsyncSession, letter_id: int, *, at: datetime, error: str | None) -> None:
    """Record a replay attempt: done (no error) or failed again (the letter stays waiting)."""
    values: dict[str, object] = {"replay_error": error}
    if error is None:
        values["replayed_at"] = at
    await session.execute(update(dead_letter).where(dead_letter.c.id == letter_id).values(**values))
