"""Safeguarding routes: raising a concern (mentor or coordinator), and the coordinator's open list and
acknowledgement. What was observed stays here; the internal events carry only codes.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from peer_sessions.api.bodies import AcknowledgementIn, ConcernIn
from peer_sessions.api.views import REFUSALS, ConcernOut, Page
from peer_sessions.store import concerns_repo
from peer_sessions.use_cases import safeguarding as concerns
from peer_shared.http.dependencies import Coordinator, Limit, MentorOrCoordinator, Offset, Runtime

router = APIRouter(tags=["safeguarding"], responses=REFUSALS)


@router.post(
    "/pairings/{pairing_id}/safeguarding-concerns",
    status_code=status.HTTP_201_CREATED,
    summary="Raise a safeguarding concern (published at once on the internal stream)",
)
async def raise_concern(
    principal: MentorOrCoordinator, runtime: Runtime, pairing_id: str, body: ConcernIn
) -> ConcernOut:
    """Allowed whatever the pairing's state: safeguarding is never blocked by paperwork."""
    async with runtime.unit_of_work() as uow:
        concern = await concerns.raise_concern(uow, principal, pairing_id, body.concern())
    return ConcernOut.of(concern, body.details)


@router.get("/safeguarding/concerns", summary="Safeguarding concerns, most escalated and oldest first")
async def list_concerns(
    _: Coordinator, runtime: Runtime, open_only: bool = True, limit: Limit = 50, offset: Offset = 0
) -> Page[ConcernOut]:
    """Unacknowledged concerns stay on this list (and keep escalating) until acknowledged."""
    async with runtime.unit_of_work() as uow:
        rows, total = await concerns_repo.page(uow.session, open_only=open_only, limit=limit, offset=offset)
    return Page(items=[ConcernOut.of(c, d) for c, d in rows], total=total, limit=limit, offset=offset)


@router.post("/safeguarding/concerns/{concern_id}/acknowledge", summary="Acknowledge a concern")
async def acknowledge_concern(
    principal: Coordinator, runtime: Runtime, concern_id: str, body: AcknowledgementIn
) -> ConcernOut:
    """Takes responsibility for the concern and stops its escalation."""
    async with runtime.unit_of_work() as uow:
        concern, details = await concerns.acknowledge_concern(uow, principal, concern_id, body.action)
    return ConcernOut.of(concern, details)
