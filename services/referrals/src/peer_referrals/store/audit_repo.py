"""The audit log of access to identifiable data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from peer_referrals.domain.access import AccessRecord
from peer_referrals.store.tables import audit_log


async def add(session: AsyncSession, record: AccessRecord) -> None:
    """Write an audit entry in the caller's transaction: no read is returned unless it is logged."""
    await session.execute(
        insert(audit_log).values(
            at=record.at,
            actor_role=record.actor_role,
            actor=record.actor,
            action=record.action.value,
            referral_id=record.referral_id,
            purpose=record.purpose,
            detail=record.detail,
        )
    )


async def entries(
    session: AsyncSession, *, referral_id: str | None, after_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """A page of audit entries, oldest first, optionally for one referral."""
    query = select(audit_log).order_by(audit_log.c.id).limit(limit)
    if referral_id is not None:
        query = query.where(audit_log.c.referral_id == referral_id)
    if after_id is not None:
        query = query.where(audit_log.c.id > after_id)
    return [dict(row._mapping) for row in await session.execute(query)]
