"""Session and goal routes: a mentor logs, corrects and reads their own; a coordinator any."""

from __future__ import annotations

from fastapi import APIRouter, status

from peer_sessions.api.bodies import NewSessionIn, SessionIn
from peer_sessions.api.views import REFUSALS, GoalOut, LoggedSessionOut, Page, RevisionOut, SessionOut
from peer_sessions.store import goals_repo, session_log_repo
from peer_sessions.use_cases.pairing_access import visible_pairing, visible_session
from peer_sessions.use_cases.session_logging import NewSession, correct_session, log_session
from peer_shared.http.dependencies import Limit, MentorOrCoordinator, Offset, Runtime

router = APIRouter(tags=["sessions"], responses=REFUSALS)


@router.post(
    "/pairings/{pairing_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    summary="Log a session, with the goals set and reviewed in it",
)
async def log(
    principal: MentorOrCoordinator, runtime: Runtime, pairing_id: str, body: NewSessionIn
) -> LoggedSessionOut:
    """Publishes `SessionLogged` (no notes), and `GoalSet` / `GoalReviewed` for each goal."""
    new = NewSession(
        record=body.record(),
        plans=[goal.plan(goal.confidence) for goal in body.new_goals],
        reviews=[review.review() for review in body.goal_reviews],
    )
    async with runtime.unit_of_work() as uow:
        stored, goal_ids = await log_session(uow, principal, pairing_id, new)
    return LoggedSessionOut(**SessionOut.of(stored).model_dump(), goal_ids=goal_ids)


@router.get("/pairings/{pairing_id}/sessions", summary="A pairing's sessions, in the order they happened")
async def list_sessions(
    principal: MentorOrCoordinator, runtime: Runtime, pairing_id: str, limit: Limit = 50, offset: Offset = 0
) -> Page[SessionOut]:
    """Each session at its latest revision."""
    async with runtime.unit_of_work() as uow:
        pairing = await visible_pairing(uow, principal, pairing_id)
        found, total = await session_log_repo.page_of_pairing(
            uow.session, pairing.id, limit=limit, offset=offset
        )
    return Page(items=[SessionOut.of(s) for s in found], total=total, limit=limit, offset=offset)


@router.get("/sessions/{session_id}", summary="One session at its latest revision")
async def get_session(principal: MentorOrCoordinator, runtime: Runtime, session_id: str) -> SessionOut:
    """The session as last corrected."""
    async with runtime.unit_of_work() as uow:
        return SessionOut.of(await visible_session(uow, principal, session_id))


@router.put("/sessions/{session_id}", summary="Correct a session (a new revision; earlier ones are kept)")
async def correct(
    principal: MentorOrCoordinator, runtime: Runtime, session_id: str, body: SessionIn
) -> SessionOut:
    """Publishes `SessionLogged` again with the next `revision`."""
    async with runtime.unit_of_work() as uow:
        corrected = await correct_session(uow, principal, session_id, body.record())
    return SessionOut.of(corrected)


@router.get("/sessions/{session_id}/revisions", summary="Every version of a session, oldest first")
async def list_revisions(
    principal: MentorOrCoordinator, runtime: Runtime, session_id: str
) -> list[RevisionOut]:
    """The session's history of corrections."""
    async with runtime.unit_of_work() as uow:
        found = await visible_session(uow, principal, session_id)
        return [RevisionOut.of(r) for r in await session_log_repo.revisions(uow.session, found.id)]


@router.get("/pairings/{pairing_id}/goals", summary="A pairing's goals, each with its history")
async def list_goals(principal: MentorOrCoordinator, runtime: Runtime, pairing_id: str) -> list[GoalOut]:
    """Goals oldest first; each history lists when it was set and every review."""
    async with runtime.unit_of_work() as uow:
        pairing = await visible_pairing(uow, principal, pairing_id)
        return [
            GoalOut.of(goal, steps) for goal, steps in await goals_repo.of_pairing(uow.session, pairing.id)
        ]
