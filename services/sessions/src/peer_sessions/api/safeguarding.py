"""Safeguarding routes: raising a concern (mentor or coordinator), and the coordinator's open list and
acknowledgement. What was observed stays here; the internal events carry only codes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from peer_sessions import events_out as published
from peer_sessions.api.errors import ERROR_RESPONSES
from peer_sessions.api.views import Page
from peer_sessions.domain.access import staff_id_of
from peer_sessions.domain.errors import Invalid, NotFound
from peer_sessions.domain.safeguarding import Concern, check_details
from peer_sessions.store import concerns, pairings, session_log
from peer_sessions.use_cases.pairing_access import visible_pairing
from peer_shared.auth import Role
from peer_shared.clock import to_london
from peer_shared.contracts.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_shared.http.dependencies import Coordinator, Limit, MentorOrCoordinator, Offset, Runtime
from peer_shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["safeguarding"], responses=ERROR_RESPONSES)


class ConcernIn(BaseModel):
    """A safeguarding concern about someone in a pairing."""

    model_config = ConfigDict(extra="forbid")

    category: SafeguardingCategory
    urgency: Urgency
    session_id: str | None = Field(None, description="The session in which it came up, if any")
    details: str | None = Field(None, description="What was observed (free text; stays in this service)")


class AcknowledgementIn(BaseModel):
    """The first action the safeguarding lead took."""

    model_config = ConfigDict(extra="forbid")

    action: SafeguardingAction


class ConcernOut(BaseModel):
    """A concern and where it stands."""

    id: str
    pairing_id: str
    session_id: str | None
    category: SafeguardingCategory
    urgency: Urgency
    raised_at: datetime
    raised_by: RaisedBy
    escalation_level: int
    acknowledged_at: datetime | None
    action: SafeguardingAction | None
    details: str | None

    @classmethod
    def of(cls, c: Concern, details: str | None) -> ConcernOut:
        """From the domain's concern and the stored details."""
        return cls(
            id=c.id,
            pairing_id=c.pairing_id,
            session_id=c.session_id,
            category=c.category,
            urgency=c.urgency,
            raised_at=to_london(c.raised_at),
            raised_by=c.raised_by,
            escalation_level=c.escalation_level,
            acknowledged_at=to_london(c.acknowledged_at) if c.acknowledged_at else None,
            action=c.action,
            details=details,
        )


@router.post(
    "/pairings/{pairing_id}/safeguarding-concerns",
    status_code=status.HTTP_201_CREATED,
    summary="Raise a safeguarding concern (published at once on the internal stream)",
)
async def raise_concern(
    principal: MentorOrCoordinator, runtime: Runtime, pairing_id: str, body: ConcernIn
) -> ConcernOut:
    """Allowed whatever the pairing's state: safeguarding is never blocked by paperwork."""
    check_details(body.details)
    async with runtime.unit_of_work() as uow:
        pairing = await visible_pairing(uow, principal, pairing_id)
        if body.session_id is not None:
            found = await session_log.get(uow.session, body.session_id)
            if found is None or found.pairing_id != pairing.id:
                raise Invalid(
                    "session-not-in-pairing", f"session {body.session_id} is not in pairing {pairing.id}"
                )
        raised_by = RaisedBy.MENTOR if principal.role is Role.MENTOR else RaisedBy.COORDINATOR
        concern = Concern(
            id=f"sgc_{uuid.uuid4().hex}",
            pairing_id=pairing.id,
            session_id=body.session_id,
            category=body.category,
            urgency=body.urgency,
            raised_at=uow.clock.now(),
            raised_by=raised_by,
        )
        await concerns.add(uow.session, concern, details=body.details, raised_by_subject=principal.subject)
        await uow.emit(published.concern_raised(pairing, concern, uow.clock))
    log.warning("safeguarding concern raised", concern_id=concern.id, urgency=concern.urgency.value)
    return ConcernOut.of(concern, body.details)


@router.get("/safeguarding/concerns", summary="Safeguarding concerns, most escalated and oldest first")
async def list_concerns(
    _: Coordinator, runtime: Runtime, open_only: bool = True, limit: Limit = 50, offset: Offset = 0
) -> Page[ConcernOut]:
    """Unacknowledged concerns stay on this list (and keep escalating) until acknowledged."""
    async with runtime.unit_of_work() as uow:
        rows, total = await concerns.page(uow.session, open_only=open_only, limit=limit, offset=offset)
    return Page(items=[ConcernOut.of(c, d) for c, d in rows], total=total, limit=limit, offset=offset)


@router.post("/safeguarding/concerns/{concern_id}/acknowledge", summary="Acknowledge a concern")
async def acknowledge_concern(
    principal: Coordinator, runtime: Runtime, concern_id: str, body: AcknowledgementIn
) -> ConcernOut:
    """Takes responsibility for the concern and stops its escalation."""
    staff_id = staff_id_of(principal)
    async with runtime.unit_of_work() as uow:
        concern = await concerns.get(uow.session, concern_id, for_update=True)
        if concern is None:
            raise NotFound("concern-not-found", f"no concern {concern_id}")
        concern.acknowledge(uow.clock.now(), body.action)
        await concerns.save_acknowledgement(uow.session, concern, acknowledged_by=staff_id)
        pairing = await pairings.get(uow.session, concern.pairing_id)
        assert pairing is not None
        await uow.emit(published.concern_acknowledged(pairing, concern, staff_id, uow.clock))
        details = await concerns.details_of(uow.session, concern_id)
    log.info("safeguarding concern acknowledged", concern_id=concern_id, action=body.action.value)
    return ConcernOut.of(concern, details)
