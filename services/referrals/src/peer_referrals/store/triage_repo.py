"""Triage records: consent and contact attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from peer_referrals.domain.triage import ConsentRecord
from peer_referrals.store.tables import consents, contact_attempts


async def latest_consent(session: AsyncSession, referral_id: str) -> ConsentRecord | None:
    """The consent that counts now: the latest recorded."""
    query = (
        select(consents)
        .where(consents.c.referral_id == referral_id)
        .order_by(consents.c.recorded_at.desc(), consents.c.id.desc())
        .limit(1)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    return ConsentRecord(
        peer_support=row.peer_support,
        share_outcomes_with_referrer=row.share_outcomes_with_referrer,
        contact_for_evaluation=row.contact_for_evaluation,
        given_on=row.given_on,
        recorded_by=row.recorded_by,
    )


async def add_consent(
    session: AsyncSession, referral_id: str, consent: ConsentRecord, recorded_at: datetime
) -> None:
    """Record consent (records are never changed: a new one replaces the last)."""
    await session.execute(
        insert(consents).values(
            referral_id=referral_id,
            peer_support=consent.peer_support,
            share_outcomes_with_referrer=consent.share_outcomes_with_referrer,
            contact_for_evaluation=consent.contact_for_evaluation,
            given_on=consent.given_on,
            recorded_by=consent.recorded_by,
            recorded_at=recorded_at,
        )
    )


async def add_contact_attempt(session: AsyncSession, referral_id: str, **values: Any) -> int:
    """Log an attempt to contact the person; returns its id."""
    result = await session.execute(
        insert(contact_attempts).values(referral_id=referral_id, **values).returning(contact_attempts.c.id)
    )
    return int(result.scalar_one())


async def contact_log(session: AsyncSession, referral_id: str) -> list[dict[str, Any]]:
    """Every contact attempt for a referral, oldest first."""
    query = (
        select(contact_attempts)
        .where(contact_attempts.c.referral_id == referral_id)
        .order_by(contact_attempts.c.attempted_at, contact_attempts.c.id)
    )
    return [dict(row._mapping) for row in await session.execute(query)]


async def consent_history(session: AsyncSession, referral_id: str) -> list[dict[str, Any]]:
    """Every consent record for a referral, oldest first."""
    query = select(consents).where(consents.c.referral_id == referral_id).order_by(consents.c.id)
    return [dict(row._mapping) for row in await session.execute(query)]
