"""What the service remembers from events that may arrive before the pairing they concern.

Mentor availability (a pause or departure may be heard before the match that pairs the mentor) and
withdrawn referrals (a withdrawal may be heard before the match), so a late `MentorMatched` is handled
as if it had arrived in order.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.referrals import WithdrawalReason
from peer_sessions.domain.mentor_availability import MentorState, MentorStatus
from peer_sessions.store.tables import mentor_state, withdrawn_referral


async def mentor(session: AsyncSession, mentor_id: str) -> MentorState | None:
    """A mentor's availability as last heard (callers hold the mentor lock)."""
    query = select(mentor_state.c.status, mentor_state.c.since).where(mentor_state.c.mentor_id == mentor_id)
    row = (await session.execute(query)).one_or_none()
    return MentorState(MentorStatus(row.status), row.since) if row else None


async def remember_mentor(session: AsyncSession, mentor_id: str, state: MentorState) -> None:
    """Record a mentor's availability."""
    values = {"status": state.status.value, "since": state.since}
    statement = pg_insert(mentor_state).values(mentor_id=mentor_id, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["mentor_id"], set_=values))


async def remember_withdrawal(
    session: AsyncSession, referral_id: str, *, on: date, reason: WithdrawalReason, at: datetime
) -> None:
    """Record a withdrawn referral; the first record of it is kept."""
    statement = pg_insert(withdrawn_referral).values(
        referral_id=referral_id, withdrawn_on=on, reason=reason.value, recorded_at=at
    )
    await session.execute(statement.on_conflict_do_nothing())
