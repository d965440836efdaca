"""Reading the group programmes' projections into the facts their report sections are computed from.

Registers are the many rows (a dozen members per session), so they are counted per session in Postgres,
at each session's current revision only (a correction may have dropped a member from the register).
Everything else is a handful of rows per cohort or member and is read as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, Table, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.groups import Presence
from peer_outcomes.domain.group_facts import (
    CohortFacts,
    GroupFacts,
    MeasureFacts,
    PlaceFacts,
    RegisterFacts,
)
from peer_outcomes.store.tables import (
    SCALE_COLUMNS,
    rpt_cohort_members,
    rpt_cohorts,
    rpt_group_attendance,
    rpt_group_cancellations,
    rpt_group_sessions,
    rpt_measures,
)


@dataclass
class _Collected:
    cohorts: list[CohortFacts] = field(default_factory=list)
    places: list[PlaceFacts] = field(default_factory=list)
    sessions: list[RegisterFacts] = field(default_factory=list)
    cancelled_on: list[date] = field(default_factory=list)
    first_attended: dict[str, date] = field(default_factory=dict)
    measures: list[MeasureFacts] = field(default_factory=list)

    def facts(self) -> GroupFacts:
        return GroupFacts(
            tuple(self.cohorts),
            tuple(self.places),
            tuple(self.sessions),
            tuple(self.cancelled_on),
            self.first_attended,
            tuple(self.measures),
        )


def _scoped(table: Table, conditions: Sequence[str], programme: str | None) -> Any:
    in_conditions = table.c.condition.in_(conditions)
    return in_conditions if programme is None else and_(in_conditions, table.c.programme == programme)


def _registers(conditions: Sequence[str], programme: str | None) -> Select[Any]:
    s, a = rpt_group_sessions.c, rpt_group_attendance.c
    presence = {p: func.count(a.referral_id).filter(a.presence == p.value) for p in Presence}
    return (
        select(
            s.programme,
            s.session_id,
            s.held_on,
            presence[Presence.ATTENDED],
            presence[Presence.APOLOGIES],
            presence[Presence.ABSENT],
        )
        .select_from(
            rpt_group_sessions.outerjoin(
                rpt_group_attendance, and_(a.session_id == s.session_id, a.revision == s.revision)
            )
        )
        .where(_scoped(rpt_group_sessions, conditions, programme))
        .group_by(s.programme, s.session_id, s.held_on)
    )


def _first_attended(conditions: Sequence[str], programme: str | None) -> Select[Any]:
    s, a = rpt_group_sessions.c, rpt_group_attendance.c
    return (
        select(s.programme, a.referral_id, func.min(s.held_on))
        .select_from(
            rpt_group_sessions.join(
                rpt_group_attendance, and_(a.session_id == s.session_id, a.revision == s.revision)
            )
        )
        .where(_scoped(rpt_group_sessions, conditions, programme), a.presence == Presence.ATTENDED.value)
        .group_by(s.programme, a.referral_id)
    )


async def group_facts(
    session: AsyncSession, *, conditions: Sequence[str], programme: str | None = None
) -> dict[str, GroupFacts]:
    """The facts of every group programme of the given conditions (or only `programme`) that has any
    group event, by programme code."""
    collected: dict[str, _Collected] = defaultdict(_Collected)
    c = rpt_cohorts.c
    for code, *cohort in await session.execute(
        select(c.programme, c.cohort_id, c.started_on, c.finished_on).where(
            _scoped(rpt_cohorts, conditions, programme)
        )
    ):
        collected[code].cohorts.append(CohortFacts(*cohort))
    m = rpt_cohort_members.c
    for code, *place in await session.execute(
        select(
            m.programme, m.cohort_id, m.referral_id, m.enrolled_on, m.waitlisted_on, m.left_on, m.leave_reason
        ).where(_scoped(rpt_cohort_members, conditions, programme))
    ):
        collected[code].places.append(PlaceFacts(*place))
    for code, *register in await session.execute(_registers(conditions, programme)):
        collected[code].sessions.append(RegisterFacts(*register))
    for code, referral_id, first in await session.execute(_first_attended(conditions, programme)):
        collected[code].first_attended[referral_id] = first
    x = rpt_group_cancellations.c
    # A session recorded as cancelled and later as held (a correction) counts as held.
    never_held = x.session_id.not_in(select(rpt_group_sessions.c.session_id))
    for code, planned_on in await session.execute(
        select(x.programme, x.planned_on).where(
            _scoped(rpt_group_cancellations, conditions, programme), never_held
        )
    ):
        collected[code].cancelled_on.append(planned_on)
    q = rpt_measures.c
    scale_columns = [q[column] for column in SCALE_COLUMNS.values()]
    for row in await session.execute(
        select(q.programme, q.referral_id, q.instrument, q.timepoint, q.assessed_on, *scale_columns).where(
            _scoped(rpt_measures, conditions, programme)
        )
    ):
        code, referral_id, instrument, timepoint, assessed_on, *scores = row
        scored = {
            scale: score for scale, score in zip(SCALE_COLUMNS, scores, strict=True) if score is not None
        }
        collected[code].measures.append(MeasureFacts(referral_id, instrument, timepoint, assessed_on, scored))
    return {code: found.facts() for code, found in collected.items() if code is not None}
