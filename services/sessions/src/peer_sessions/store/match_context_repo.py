"""Everything a new match must be checked against, read in one round trip.

Whether the referral was withdrawn, whether this match already started a pairing, whether the referral
has another open pairing, and the mentor's availability as last heard.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from peer_sessions.domain.mentor_availability import MentorState, MentorStatus
from peer_sessions.domain.pairing import OPEN_STATUSES
from peer_sessions.store.tables import mentor_state, pairing, withdrawn_referral


@dataclass(frozen=True)
class MatchContext:
    """What is already known about a match's referral and mentor."""

    withdrawn: bool
    already_started: bool
    open_pairing_id: str | None
    mentor: MentorState | None


async def context_for_match(
    session: AsyncSession, *, match_id: str, referral_id: str, mentor_id: str
) -> MatchContext:
    """Read the context (callers hold the referral and mentor locks)."""
    mentor = select(mentor_state.c.status, mentor_state.c.since).where(mentor_state.c.mentor_id == mentor_id)
    query = select(
        exists().where(withdrawn_referral.c.referral_id == referral_id).label("withdrawn"),
        exists().where(pairing.c.match_id == match_id).label("started"),
        select(pairing.c.id)
        .where(pairing.c.referral_id == referral_id, pairing.c.status.in_([s.value for s in OPEN_STATUSES]))
        .limit(1)
        .scalar_subquery()
        .label("open_pairing_id"),
        mentor.with_only_columns(mentor_state.c.status).scalar_subquery().label("mentor_status"),
        mentor.with_only_columns(mentor_state.c.since).scalar_subquery().label("mentor_since"),
    )
    row = (await session.execute(query)).one()
    known = MentorState(MentorStatus(row.mentor_status), row.mentor_since) if row.mentor_status else None
    return MatchContext(row.withdrawn, row.started, row.open_pairing_id, known)
