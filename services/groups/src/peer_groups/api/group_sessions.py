"""Group session routes: a coordinator or the cohort's facilitator records a session, held (with the
register) or cancelled, and corrects it (a new revision)."""

from __future__ import annotations

from fastapi import APIRouter, status

from peer_events.codes import CohortId, GroupSessionId
from peer_groups.api.bodies import SessionIn
from peer_groups.api.dependencies import Settings
from peer_groups.api.session_bodies import SessionOut
from peer_groups.use_cases import cohort_views
from peer_groups.use_cases.group_sessions import correct_session, record_session
from peer_shared.http.dependencies import MentorOrCoordinator, Runtime
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    403,
    404,
    409,
    422,
    s403="Not a facilitator of the cohort (`code`: not-your-cohort)",
    s404="Unknown cohort or session (`code`: cohort-not-found, session-not-found)",
    s409="Not possible now (`code`: cohort-not-running, no-valid-facilitator)",
    s422="The record breaks a rule (`code`: invalid-session with a field problem per register line "
    "(not-a-member, member-missing), session-in-future, unknown-facilitator), or the body is malformed",
)
router = APIRouter(tags=["group sessions"], responses=ERRORS)


@router.post("/cohorts/{cohort_id}/sessions", status_code=status.HTTP_201_CREATED, summary="Record a session")
async def record(
    principal: MentorOrCoordinator, runtime: Runtime, settings: Settings, cohort_id: CohortId, body: SessionIn
) -> SessionOut:
    """The register names every current member once; publishes `GroupSessionHeld` or
    `GroupSessionCancelled`, flags members absent too often in a row, and finishes the cohort after
    its last planned session."""
    async with runtime.unit_of_work() as uow:
        stored = await record_session(uow, principal, cohort_id, body.record(), settings.rules_of)
    return SessionOut.of(stored)


@router.put("/cohorts/{cohort_id}/sessions/{session_id}", summary="Correct a session (a new revision)")
async def correct(
    principal: MentorOrCoordinator,
    runtime: Runtime,
    settings: Settings,
    cohort_id: CohortId,
    session_id: GroupSessionId,
    body: SessionIn,
) -> SessionOut:
    """Replaces the record; the event is published again with the next revision."""
    async with runtime.unit_of_work() as uow:
        stored = await correct_session(
            uow, principal, cohort_id, session_id, body.record(), settings.rules_of
        )
    return SessionOut.of(stored)


@router.get("/cohorts/{cohort_id}/sessions", summary="A cohort's recorded sessions, in number order")
async def list_sessions(
    principal: MentorOrCoordinator, runtime: Runtime, cohort_id: CohortId
) -> list[SessionOut]:
    """At most the cohort's planned sessions, so not paged."""
    async with runtime.sessions() as session:
        found = await cohort_views.sessions_of(session, principal, cohort_id)
    return [SessionOut.of(s) for s in found]
