"""Cohort routes: a coordinator plans a cohort and moves it through its lifecycle; coordinators see
every cohort, a mentor the ones they facilitate."""

from __future__ import annotations

from fastapi import APIRouter, status

from peer_events.codes import CohortId
from peer_groups.api.bodies import CohortIn
from peer_groups.api.cohort_bodies import CohortDetailOut, CohortOut, CohortPage, plan_of
from peer_groups.api.dependencies import Settings
from peer_groups.domain.cohort import CohortStatus
from peer_groups.use_cases import cohort_views
from peer_groups.use_cases.cohort_commands import CohortAction, move_cohort
from peer_groups.use_cases.cohort_lifecycle import create_cohort
from peer_shared.http.dependencies import Coordinator, Limit, MentorOrCoordinator, Offset, Runtime, Today
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    403,
    404,
    409,
    422,
    s403="Not a facilitator of the cohort (`code`: not-your-cohort)",
    s404="Unknown cohort (`code`: cohort-not-found)",
    s409="The cohort's state does not allow it (`code`: cohort-not-planned, cohort-not-open, "
    "cohort-not-running, cohort-already-started)",
    s422="A value is wrong (`code`: unknown-programme, unknown-facilitator, sizes-out-of-order), "
    "or the body is malformed",
)
router = APIRouter(tags=["cohorts"], responses=ERRORS)


@router.post("/cohorts", status_code=status.HTTP_201_CREATED, summary="Plan a cohort")
async def plan_cohort(
    principal: Coordinator, runtime: Runtime, settings: Settings, body: CohortIn
) -> CohortDetailOut:
    """Sizes and rhythm default to the programme's; facilitators must be known mentors (ones whose
    checks are not yet valid are allowed, and shown in `facilitator_checks`)."""
    async with runtime.unit_of_work() as uow:
        cohort = await create_cohort(uow, plan_of(body, settings))
        detail = await cohort_views.cohort_detail(uow.session, principal, cohort.id)
    return CohortDetailOut.of(detail)


@router.get("/cohorts", summary="Cohorts, latest start first")
async def list_cohorts(
    principal: MentorOrCoordinator,
    runtime: Runtime,
    programme: str | None = None,
    status: CohortStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CohortPage:
    """A coordinator sees every cohort; a mentor the ones they facilitate."""
    async with runtime.sessions() as session:
        found, total = await cohort_views.cohort_page(
            session, principal, programme=programme, status=status, limit=limit, offset=offset
        )
    return CohortPage(items=[CohortOut.of(s) for s in found], total=total, limit=limit, offset=offset)


@router.get("/cohorts/{cohort_id}", summary="A cohort with its members, schedule and facilitators' checks")
async def get_cohort(
    principal: MentorOrCoordinator, runtime: Runtime, cohort_id: CohortId
) -> CohortDetailOut:
    """Members include those who left (with their reason)."""
    async with runtime.sessions() as session:
        detail = await cohort_views.cohort_detail(session, principal, cohort_id)
    return CohortDetailOut.of(detail)


async def _move(
    principal: Coordinator,
    runtime: Runtime,
    settings: Settings,
    today: Today,
    cohort_id: str,
    action: CohortAction,
) -> CohortDetailOut:
    async with runtime.unit_of_work() as uow:
        await move_cohort(uow, cohort_id, action, settings.rules_of, on=today)
        detail = await cohort_views.cohort_detail(uow.session, principal, cohort_id)
    return CohortDetailOut.of(detail)


@router.post("/cohorts/{cohort_id}/open", summary="Open a planned cohort and fill it from the waitlist")
async def open_cohort(
    principal: Coordinator, runtime: Runtime, settings: Settings, today: Today, cohort_id: CohortId
) -> CohortDetailOut:
    """Publishes `CohortOpened`, then `MemberEnrolled` for each person taken, in waitlist order."""
    return await _move(principal, runtime, settings, today, cohort_id, CohortAction.OPEN)


@router.post("/cohorts/{cohort_id}/start", summary="Start an open cohort now")
async def start_cohort(
    principal: Coordinator, runtime: Runtime, settings: Settings, today: Today, cohort_id: CohortId
) -> CohortDetailOut:
    """Cohorts also start by themselves on their start date; publishes `CohortStarted`."""
    return await _move(principal, runtime, settings, today, cohort_id, CohortAction.START)


@router.post("/cohorts/{cohort_id}/finish", summary="Close a running cohort (early)")
async def finish_cohort(
    principal: Coordinator, runtime: Runtime, settings: Settings, today: Today, cohort_id: CohortId
) -> CohortDetailOut:
    """Every remaining member leaves, completed or not-completed; then `CohortFinished`."""
    return await _move(principal, runtime, settings, today, cohort_id, CohortAction.FINISH)


@router.post("/cohorts/{cohort_id}/cancel", summary="Call off a cohort that has not started")
async def cancel_cohort(
    principal: Coordinator, runtime: Runtime, settings: Settings, today: Today, cohort_id: CohortId
) -> CohortDetailOut:
    """Its members leave (coordinator-decision) and go back to their places on the waitlist."""
    return await _move(principal, runtime, settings, today, cohort_id, CohortAction.CANCEL)
