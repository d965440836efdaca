"""Reading the reporting projections into the facts the reports are computed from.

Sessions are many (a dozen or so per mentee), so they are summed per mentee in Postgres; everything else
is a handful of rows per mentee and is read as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ScalarSelect

from peer_outcomes.domain.facts import MenteeFacts, PairingFacts, PamFacts, SessionFacts
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.report import MentorFacts
from peer_outcomes.store.tables import (
    rpt_matches,
    rpt_mentors,
    rpt_pairings,
    rpt_pam,
    rpt_referrals,
    rpt_sessions,
)

MISSED = ("mentee-did-not-attend", "cancelled-by-mentee")


async def mentee_facts(
    session: AsyncSession, period: Period, *, conditions: Sequence[str], programme: str | None = None
) -> list[MenteeFacts]:
    """One record per referral of the given conditions (and programme, if given)."""
    r = rpt_referrals.c
    scope = (
        r.condition.in_(conditions)
        if programme is None
        else and_(r.condition.in_(conditions), r.programme == programme)
    )
    in_scope = select(r.referral_id).where(scope).scalar_subquery()
    referrals = (await session.execute(select(rpt_referrals).where(scope))).all()
    matches = await session.execute(
        select(rpt_matches.c.referral_id, func.min(rpt_matches.c.matched_on))
        .where(rpt_matches.c.referral_id.in_(in_scope))
        .group_by(rpt_matches.c.referral_id)
    )
    first_matches = {referral_id: matched_on for referral_id, matched_on in matches}
    sessions = await _sessions(session, period, in_scope)
    pairings: dict[str, list[PairingFacts]] = defaultdict(list)
    p = rpt_pairings.c
    for referral_id, started_on, completed_on, ended_on, end_reason in await session.execute(
        select(p.referral_id, p.started_on, p.completed_on, p.ended_on, p.end_reason).where(
            p.referral_id.in_(in_scope)
        )
    ):
        pairings[referral_id].append(PairingFacts(started_on, completed_on, ended_on, end_reason))
    pam: dict[str, list[PamFacts]] = defaultdict(list)
    q = rpt_pam.c
    for referral_id, *result in await session.execute(
        select(q.referral_id, q.timepoint, q.follow_up_number, q.assessed_on, q.score, q.level).where(
            q.referral_id.in_(in_scope)
        )
    ):
        pam[referral_id].append(PamFacts(*result))
    return [
        MenteeFacts(
            referral_id=row.referral_id,
            condition=row.condition,
            programme=row.programme,
            received_on=row.received_on,
            source=row.source,
            referrer_ods_code=row.referrer_ods_code,
            postcode_district=row.postcode_district,
            ethnic_category=row.ethnic_category,
            accepted_on=row.accepted_on,
            rejected_on=row.rejected_on,
            rejection_reason=row.rejection_reason,
            withdrawn_on=row.withdrawn_on,
            withdrawal_reason=row.withdrawal_reason,
            first_matched_on=first_matches.get(row.referral_id),
            sessions=sessions.get(row.referral_id, SessionFacts()),
            pairings=tuple(pairings.get(row.referral_id, ())),
            pam=tuple(pam.get(row.referral_id, ())),
        )
        for row in referrals
    ]


async def _sessions(
    session: AsyncSession, period: Period, in_scope: ScalarSelect[Any]
) -> dict[str, SessionFacts]:
    s = rpt_sessions.c
    in_period = s.session_date.between(period.start, period.end)
    attended = s.attendance == "attended"
    query = (
        select(
            s.referral_id,
            func.min(s.session_date).filter(attended),
            func.count().filter(attended, in_period),
            func.count().filter(s.attendance.in_(MISSED), in_period),
            func.array_agg(s.mentor_id.distinct()).filter(attended, in_period),
        )
        .where(s.referral_id.in_(in_scope))
        .group_by(s.referral_id)
    )
    return {
        referral_id: SessionFacts(first, attended_count, missed_count, frozenset(mentors or ()))
        for referral_id, first, attended_count, missed_count, mentors in await session.execute(query)
    }


async def mentor_facts(session: AsyncSession, *, conditions: Sequence[str]) -> list[MentorFacts]:
    """Every mentor's lifecycle per condition they support, for the given conditions."""
    m = rpt_mentors.c
    rows = await session.execute(
        select(m.mentor_id, m.condition, m.registered_on, m.activated_on, m.left_on).where(
            m.condition.in_(conditions)
        )
    )
    return [MentorFacts(*row) for row in rows]
