"""What coordinators and facilitators see of cohorts: summaries, a cohort's members with their
attendance, its schedule and whether its facilitators may run the next session, and who needs
following up. Reads only; a mentor sees only the cohorts they facilitate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from peer_groups.domain import attendance
from peer_groups.domain.attendance import MemberAttendance
from peer_groups.domain.cohort import Cohort, CohortStatus, Member
from peer_groups.domain.group_session import SessionStatus, StoredSession
from peer_groups.store import cohorts_repo, facilitators_repo, group_sessions_repo
from peer_groups.use_cases.cohort_access import COHORT_NOT_FOUND, facilitator_of, require_access
from peer_shared.auth import Principal
from peer_shared.refusals import NotFound

ScheduleStatus = Literal["planned", "held", "cancelled"]


@dataclass(frozen=True)
class CohortSummary:
    """A cohort with its counts and its next planned session (none once it is over or all recorded)."""

    cohort: Cohort
    members: int
    sessions_held: int
    next_session_on: date | None


@dataclass(frozen=True)
class MemberView:
    """A member's place (current or past) and their attendance over the sessions held."""

    member: Member
    attendance: MemberAttendance


@dataclass(frozen=True)
class ScheduledSession:
    """One planned session: its day, and what was recorded of it."""

    session_number: int
    planned_on: date
    status: ScheduleStatus
    session_id: str | None


@dataclass(frozen=True)
class FacilitatorCheck:
    """Whether a named facilitator may run the cohort's next session (false when none is planned)."""

    mentor_id: str
    valid_on_next_session: bool


@dataclass(frozen=True)
class CohortDetail:
    """Everything a coordinator sees of one cohort."""

    summary: CohortSummary
    members: list[MemberView]
    schedule: list[ScheduledSession]
    facilitator_checks: list[FacilitatorCheck]


@dataclass(frozen=True)
class FollowUp:
    """A current member flagged for absences in a row, with their cohort and attendance."""

    cohort_id: str
    cohort_name: str
    member: Member
    attendance: MemberAttendance


def next_session_on(cohort: Cohort, recorded: int) -> date | None:
    """Sessions are numbered in the order recorded, so the next one is the first not yet recorded."""
    if cohort.is_over or recorded >= cohort.planned_sessions:
        return None
    return cohort.planned_dates()[recorded]


def schedule_of(cohort: Cohort, sessions: Sequence[StoredSession]) -> list[ScheduledSession]:
    """The cohort's planned sessions, each with what was recorded of it."""
    by_number = {s.number: s for s in sessions}
    found: list[ScheduledSession] = []
    for number, day in enumerate(cohort.planned_dates(), start=1):
        stored = by_number.get(number)
        status: ScheduleStatus = "planned"
        if stored is not None:
            status = "held" if stored.record.status is SessionStatus.HELD else "cancelled"
        found.append(ScheduledSession(number, day, status, stored.id if stored else None))
    return found


async def cohort_page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme: str | None,
    status: CohortStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[CohortSummary], int]:
    """A page of cohorts, latest start first: all for a coordinator, a mentor's own for a mentor."""
    cohorts, total = await cohorts_repo.page(
        session,
        programme=programme,
        status=status,
        facilitator=facilitator_of(principal),
        limit=limit,
        offset=offset,
    )
    ids = [c.id for c in cohorts]
    members = await cohorts_repo.member_counts(session, ids)
    sessions = await group_sessions_repo.counts(session, ids)
    summaries = []
    for c in cohorts:
        held, recorded = sessions[c.id][SessionStatus.HELD], sum(sessions[c.id].values())
        summaries.append(CohortSummary(c, members[c.id], held, next_session_on(c, recorded)))
    return summaries, total


async def cohort_detail(session: AsyncSession, principal: Principal, cohort_id: str) -> CohortDetail:
    """One cohort in full (404 unknown, 403 for a mentor who does not facilitate it)."""
    cohort = await cohorts_repo.get(session, cohort_id)
    if cohort is None:
        raise NotFound(COHORT_NOT_FOUND, f"no cohort {cohort_id}")
    require_access(principal, cohort)
    sessions = await group_sessions_repo.of_cohort(session, cohort.id)
    held = attendance.held_in_order(sessions)
    members = await cohorts_repo.members(session, cohort.id)
    upcoming = next_session_on(cohort, len(sessions))
    known = await facilitators_repo.of(session, cohort.facilitators)
    checks = [
        FacilitatorCheck(m, upcoming is not None and m in known and known[m].valid_on(upcoming))
        for m in cohort.facilitators
    ]
    summary = CohortSummary(cohort, sum(1 for m in members if m.is_current), len(held), upcoming)
    return CohortDetail(
        summary=summary,
        members=[MemberView(m, attendance.attendance_of(m.referral_id, held)) for m in members],
        schedule=schedule_of(cohort, sessions),
        facilitator_checks=checks,
    )


async def follow_ups(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[FollowUp], int]:
    """Current members flagged for follow-up, by cohort, and how many there are."""
    flagged, total = await cohorts_repo.flagged(session, limit=limit, offset=offset)
    found: list[FollowUp] = []
    cohorts: dict[str, tuple[str, list[StoredSession]]] = {}
    for member in flagged:
        if member.cohort_id not in cohorts:
            cohort = await cohorts_repo.get(session, member.cohort_id)
            assert cohort is not None, "a member's cohort is never deleted"
            held = attendance.held_in_order(await group_sessions_repo.of_cohort(session, cohort.id))
            cohorts[cohort.id] = (cohort.name, held)
        name, held = cohorts[member.cohort_id]
        found.append(
            FollowUp(member.cohort_id, name, member, attendance.attendance_of(member.referral_id, held))
        )
    return found, total


async def sessions_of(session: AsyncSession, principal: Principal, cohort_id: str) -> list[StoredSession]:
    """The cohort's recorded sessions, in number order (404 unknown, 403 for another's cohort)."""
    cohort = await cohorts_repo.get(session, cohort_id)
    if cohort is None:
        raise NotFound(COHORT_NOT_FOUND, f"no cohort {cohort_id}")
    require_access(principal, cohort)
    return await group_sessions_repo.of_cohort(session, cohort.id)
