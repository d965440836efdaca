"""Member routes: a coordinator enrols a waiting person, ends a place, or records a follow-up."""

from __future__ import annotations

from fastapi import APIRouter, status

from peer_events.codes import CohortId, ReferralId
from peer_groups.api.bodies import FollowUpIn, FollowUpOutcome, LeaveIn, MemberIn
from peer_groups.api.cohort_bodies import CohortDetailOut, FollowUpOut, FollowUpPage
from peer_groups.api.dependencies import Settings
from peer_groups.use_cases import cohort_commands, cohort_views
from peer_shared.http.dependencies import Coordinator, Limit, Offset, Runtime, Today
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    404,
    409,
    422,
    s404="Unknown cohort, member or waitlist entry (`code`: cohort-not-found, member-not-found, "
    "not-on-waitlist)",
    s409="Not possible now (`code`: cohort-not-open, cohort-full, not-waiting, left-this-cohort, "
    "member-not-enrolled, cohort-over, no-follow-up-due)",
    s422="The body is malformed",
)
router = APIRouter(tags=["members"], responses=ERRORS)


@router.post(
    "/cohorts/{cohort_id}/members",
    status_code=status.HTTP_201_CREATED,
    summary="Enrol a waiting person in an open or running cohort",
)
async def enrol(
    principal: Coordinator,
    runtime: Runtime,
    settings: Settings,
    today: Today,
    cohort_id: CohortId,
    body: MemberIn,
) -> CohortDetailOut:
    """Publishes `MemberEnrolled`; answers the cohort."""
    async with runtime.unit_of_work() as uow:
        await cohort_commands.enrol_member(uow, cohort_id, body.referral_id, settings.rules_of, on=today)
        detail = await cohort_views.cohort_detail(uow.session, principal, cohort_id)
    return CohortDetailOut.of(detail)


@router.post("/cohorts/{cohort_id}/members/{referral_id}/leave", summary="End a member's place")
async def leave(
    principal: Coordinator,
    runtime: Runtime,
    today: Today,
    cohort_id: CohortId,
    referral_id: ReferralId,
    body: LeaveIn,
) -> CohortDetailOut:
    """coordinator-decision puts them back on the waitlist at their place; stopped-attending does not.
    Publishes `MemberLeft`."""
    async with runtime.unit_of_work() as uow:
        await cohort_commands.end_place(uow, cohort_id, referral_id, body.reason, on=today)
        detail = await cohort_views.cohort_detail(uow.session, principal, cohort_id)
    return CohortDetailOut.of(detail)


@router.post(
    "/cohorts/{cohort_id}/members/{referral_id}/follow-up",
    summary="Record the follow-up of a member flagged for absences",
)
async def follow_up(
    principal: Coordinator,
    runtime: Runtime,
    today: Today,
    cohort_id: CohortId,
    referral_id: ReferralId,
    body: FollowUpIn,
) -> CohortDetailOut:
    """back: the flag clears and absences count again from today; stopped: `MemberLeft`
    stopped-attending."""
    back = body.outcome is FollowUpOutcome.BACK
    async with runtime.unit_of_work() as uow:
        await cohort_commands.follow_up(uow, cohort_id, referral_id, back=back, on=today)
        detail = await cohort_views.cohort_detail(uow.session, principal, cohort_id)
    return CohortDetailOut.of(detail)


@router.get("/follow-ups", summary="Members flagged for follow-up after absences in a row")
async def list_follow_ups(
    _: Coordinator, runtime: Runtime, limit: Limit = 50, offset: Offset = 0
) -> FollowUpPage:
    """Current members only, by cohort."""
    async with runtime.sessions() as session:
        found, total = await cohort_views.follow_ups(session, limit=limit, offset=offset)
    return FollowUpPage(items=[FollowUpOut.of(f) for f in found], total=total, limit=limit, offset=offset)
