"""Support progress facts from matching and sessions, and the referral's projected stage."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_referrals.domain.support import SupportFact, SupportStage, current_fact, current_mentor
from peer_referrals.store.referrals_repo import lock_keys
from peer_referrals.store.tables import referrals, support_facts


async def add_fact(
    session: AsyncSession,
    event_id: uuid.UUID,
    referral_id: str,
    stage: SupportStage,
    happened_at: datetime,
    mentor_id: str,
) -> None:
    """Record a fact (once per event) and bring the referral's stage and current mentor up to date.

    Matching's and sessions' consumers run concurrently: without the per-referral lock, each transaction
    would read only its own new fact and the last to commit would win, whatever the facts' order.
    """
    await lock_referral(session, referral_id)
    await session.execute(
        pg_insert(support_facts)
        .values(
            event_id=event_id,
            referral_id=referral_id,
            stage=stage.value,
            happened_at=happened_at,
            mentor_id=mentor_id,
        )
        .on_conflict_do_nothing()
    )
    facts = await facts_of(session, referral_id)
    latest = current_fact(facts)
    await session.execute(
        update(referrals)
        .where(referrals.c.id == referral_id)
        .values(
            support_stage=latest.stage.value if latest else None,
            support_mentor_id=current_mentor(facts),
        )
    )


async def lock_referral(session: AsyncSession, referral_id: str) -> None:
    """Serialise updates of one referral's support progress until this transaction ends."""
    await lock_keys(session, [f"support:{referral_id}"])


async def facts_of(session: AsyncSession, referral_id: str) -> list[SupportFact]:
    """Every support fact recorded for a referral."""
    query = select(support_facts).where(support_facts.c.referral_id == referral_id)
    return [
        SupportFact(SupportStage(row.stage), row.happened_at, row.mentor_id)
        for row in await session.execute(query)
    ]
