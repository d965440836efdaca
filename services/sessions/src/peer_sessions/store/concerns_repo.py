"""Reading and writing safeguarding concerns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_sessions.domain.safeguarding import Concern
from peer_sessions.store.tables import concern


async def add(session: AsyncSession, raised: Concern, *, details: str | None, raised_by_subject: str) -> None:
    """Store a new concern with what was observed (which stays in this service)."""
    await session.execute(
        insert(concern).values(
            id=raised.id,
            pairing_id=raised.pairing_id,
            session_id=raised.session_id,
            category=raised.category.value,
            urgency=raised.urgency.value,
            details=details,
            raised_at=raised.raised_at,
            raised_by=raised.raised_by.value,
            raised_by_subject=raised_by_subject,
        )
    )


async def get(session: AsyncSession, concern_id: str, *, for_update: bool = False) -> Concern | None:
    """One concern, locked for the rest of the transaction when `for_update`."""
    query = select(concern).where(concern.c.id == concern_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return _concern(row._mapping) if row else None


async def details_of(session: AsyncSession, concern_id: str) -> str | None:
    """What was observed, as the person raising the concern wrote it."""
    query = select(concern.c.details).where(concern.c.id == concern_id)
    return (await session.execute(query)).scalar_one_or_none()


async def save_acknowledgement(session: AsyncSession, done: Concern, *, acknowledged_by: str) -> None:
    """Record who acknowledged a concern, when, and the first action."""
    await session.execute(
        update(concern)
        .where(concern.c.id == done.id)
        .values(
            acknowledged_at=done.acknowledged_at,
            acknowledged_by=acknowledged_by,
            action=done.action.value if done.action else None,
        )
    )


async def unacknowledged_for_escalation(session: AsyncSession, *, limit: int) -> list[Concern]:
    """Open concerns, oldest first, locked; rows another replica is escalating right now are skipped."""
    query = (
        select(concern)
        .where(concern.c.acknowledged_at.is_(None))
        .order_by(concern.c.raised_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_concern(row._mapping) for row in (await session.execute(query)).all()]


async def save_escalation(session: AsyncSession, escalated: Concern) -> None:
    """Record a concern's new escalation level."""
    await session.execute(
        update(concern)
        .where(concern.c.id == escalated.id)
        .values(escalation_level=escalated.escalation_level)
    )


async def page(
    session: AsyncSession, *, open_only: bool, limit: int, offset: int
) -> tuple[list[tuple[Concern, str | None]], int]:
    """A page of concerns (most escalated, then oldest first) with their details, and the total."""
    conditions = [concern.c.acknowledged_at.is_(None)] if open_only else []
    total = (await session.execute(select(func.count()).select_from(concern).where(*conditions))).scalar_one()
    query = (
        select(concern)
        .where(*conditions)
        .order_by(concern.c.escalation_level.desc(), concern.c.raised_at, concern.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).all()
    return [(_concern(row._mapping), row.details) for row in rows], int(total)


def _concern(row: Any) -> Concern:
    return Concern(
        id=row["id"],
        pairing_id=row["pairing_id"],
        session_id=row["session_id"],
        category=SafeguardingCategory(row["category"]),
        urgency=Urgency(row["urgency"]),
        raised_at=row["raised_at"],
        raised_by=RaisedBy(row["raised_by"]),
        escalation_level=row["escalation_level"],
        acknowledged_at=row["acknowledged_at"],
        action=SafeguardingAction(row["action"]) if row["action"] else None,
    )
