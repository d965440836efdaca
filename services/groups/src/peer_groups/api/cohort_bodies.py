"""Answers of the cohort, member and follow-up routes, and a cohort plan from its request body."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from peer_events.events.groups import GroupSetting, LeaveReason
from peer_groups.api.bodies import CohortIn
from peer_groups.domain.cohort import CohortPlan, CohortStatus, MemberStatus
from peer_groups.settings import GroupsSettings
from peer_groups.use_cases.cohort_views import (
    CohortDetail,
    CohortSummary,
    FollowUp,
    MemberView,
    ScheduleStatus,
)
from peer_shared.refusals import FieldProblem, Invalid


def plan_of(body: CohortIn, settings: GroupsSettings) -> CohortPlan:
    """The coordinator's plan with the programme's defaults filled in (422 for a programme not run
    here, or a minimum size above the maximum)."""
    condition = settings.condition_of(body.programme)
    if condition is None:
        problem = FieldProblem("body.programme", f"{body.programme} is not run by this service")
        raise Invalid("unknown-programme", "name a group programme run here", fields=[problem])
    rules = settings.rules_of(body.programme)
    max_size = body.max_size or rules.max_size
    min_size = body.min_size or min(rules.min_size, max_size)
    if min_size > max_size:
        problem = FieldProblem("body.min_size", f"more than the maximum size {max_size}")
        raise Invalid("sizes-out-of-order", "the minimum size is at most the maximum", fields=[problem])
    return CohortPlan(
        programme=body.programme,
        condition=condition,
        name=body.name,
        starts_on=body.starts_on,
        setting=body.setting,
        venue=body.venue,
        online_link=str(body.online_link) if body.online_link is not None else None,
        facilitators=tuple(body.facilitators),
        max_size=max_size,
        min_size=min_size,
        planned_sessions=body.planned_sessions or rules.planned_sessions,
        cadence_days=body.cadence_days or rules.cadence_days,
    )


class CohortOut(BaseModel):
    """A cohort as the list shows it (`members`: how many hold a place now)."""

    cohort_id: str
    programme: str
    condition: str
    name: str
    status: CohortStatus
    starts_on: date
    setting: GroupSetting
    max_size: int
    min_size: int
    members: int
    planned_sessions: int
    cadence_days: int
    sessions_held: int
    facilitators: list[str]
    next_session_on: date | None

    @classmethod
    def of(cls, s: CohortSummary) -> CohortOut:
        """From the summary read model."""
        c = s.cohort
        return cls(
            cohort_id=c.id,
            programme=c.programme,
            condition=c.condition,
            name=c.name,
            status=c.status,
            starts_on=c.starts_on,
            setting=c.setting,
            max_size=c.max_size,
            min_size=c.min_size,
            members=s.members,
            planned_sessions=c.planned_sessions,
            cadence_days=c.cadence_days,
            sessions_held=s.sessions_held,
            facilitators=list(c.facilitators),
            next_session_on=s.next_session_on,
        )


class CohortPage(BaseModel):
    """One page of cohorts."""

    items: list[CohortOut]
    total: int
    limit: int
    offset: int


class MemberOut(BaseModel):
    """A place in the cohort (current or past) and the member's attendance over the sessions held."""

    referral_id: str
    enrolled_on: date
    status: MemberStatus
    left_reason: LeaveReason | None
    attended: int
    apologies: int
    absent: int
    consecutive_absences: int
    follow_up: bool

    @classmethod
    def of(cls, view: MemberView) -> MemberOut:
        """From the member read model."""
        m, a = view.member, view.attendance
        return cls(
            referral_id=m.referral_id,
            enrolled_on=m.enrolled_on,
            status=m.status,
            left_reason=m.left_reason,
            attended=a.attended,
            apologies=a.apologies,
            absent=a.absent,
            consecutive_absences=a.consecutive_absences,
            follow_up=m.follow_up,
        )


class ScheduledOut(BaseModel):
    """One planned session and what was recorded of it."""

    session_number: int
    planned_on: date
    status: ScheduleStatus
    session_id: str | None


class FacilitatorCheckOut(BaseModel):
    """Whether a facilitator may run the next session (active, trained for groups, checks in date)."""

    mentor_id: str
    valid_on_next_session: bool


class CohortDetailOut(BaseModel):
    """A cohort in full: the summary's fields (`members` here lists the places), where it meets, its
    schedule and its facilitators' checks."""

    cohort_id: str
    programme: str
    condition: str
    name: str
    status: CohortStatus
    starts_on: date
    setting: GroupSetting
    venue: str | None
    online_link: str | None
    max_size: int
    min_size: int
    members: list[MemberOut]
    planned_sessions: int
    cadence_days: int
    sessions_held: int
    facilitators: list[str]
    next_session_on: date | None
    schedule: list[ScheduledOut]
    facilitator_checks: list[FacilitatorCheckOut]

    @classmethod
    def of(cls, d: CohortDetail) -> CohortDetailOut:
        """From the detail read model."""
        summary = CohortOut.of(d.summary).model_dump(exclude={"members"})
        return cls(
            **summary,
            venue=d.summary.cohort.venue,
            online_link=d.summary.cohort.online_link,
            members=[MemberOut.of(m) for m in d.members],
            schedule=[ScheduledOut(**vars(s)) for s in d.schedule],
            facilitator_checks=[FacilitatorCheckOut(**vars(f)) for f in d.facilitator_checks],
        )


class FollowUpOut(BaseModel):
    """A member to follow up: absent too many sessions in a row."""

    cohort_id: str
    cohort_name: str
    referral_id: str
    enrolled_on: date
    attended: int
    apologies: int
    absent: int
    consecutive_absences: int

    @classmethod
    def of(cls, f: FollowUp) -> FollowUpOut:
        """From the follow-up read model."""
        a = f.attendance
        return cls(
            cohort_id=f.cohort_id,
            cohort_name=f.cohort_name,
            referral_id=f.member.referral_id,
            enrolled_on=f.member.enrolled_on,
            attended=a.attended,
            apologies=a.apologies,
            absent=a.absent,
            consecutive_absences=a.consecutive_absences,
        )


class FollowUpPage(BaseModel):
    """One page of members to follow up."""

    items: list[FollowUpOut]
    total: int
    limit: int
    offset: int
