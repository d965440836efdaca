"""Raising a safeguarding concern (mentor or coordinator) and acknowledging one (coordinator).

What was observed stays in this service; the internal events carry only codes. A concern may be raised
whatever the pairing's state: safeguarding is never blocked by paperwork.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_sessions import events_out
from peer_sessions.domain.access import staff_id_of
from peer_sessions.domain.safeguarding import Concern, check_details
from peer_sessions.store import concerns_repo, pairings_repo, session_log_repo
from peer_sessions.use_cases.pairing_access import visible_pairing
from peer_shared.auth import Principal, Role
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Invalid, NotFound

log = get_logger(__name__)


@dataclass(frozen=True)
class NewConcern:
    """What someone in a pairing raises: the kind of concern, how urgent, and what was observed."""

    category: SafeguardingCategory
    urgency: Urgency
    session_id: str | None = None
    details: str | None = None


async def raise_concern(uow: UnitOfWork, principal: Principal, pairing_id: str, new: NewConcern) -> Concern:
    """Record a concern about a pairing the caller may see and publish it at once (urgent lane)."""
    check_details(new.details)
    pairing = await visible_pairing(uow, principal, pairing_id)
    if new.session_id is not None:
        found = await session_log_repo.get(uow.session, new.session_id)
        if found is None or found.pairing_id != pairing.id:
            raise Invalid(
                "session-not-in-pairing", f"session {new.session_id} is not in pairing {pairing.id}"
            )
    raised_by = RaisedBy.MENTOR if principal.role is Role.MENTOR else RaisedBy.COORDINATOR
    concern = Concern(
        id=f"sgc_{uuid.uuid4().hex}",
        pairing_id=pairing.id,
        session_id=new.session_id,
        category=new.category,
        urgency=new.urgency,
        raised_at=uow.clock.now(),
        raised_by=raised_by,
    )
    await concerns_repo.add(uow.session, concern, details=new.details, raised_by_subject=principal.subject)
    await uow.emit(events_out.concern_raised(pairing, concern, uow.clock))
    log.warning("safeguarding concern raised", concern_id=concern.id, urgency=concern.urgency.value)
    return concern


async def acknowledge_concern(
    uow: UnitOfWork, principal: Principal, concern_id: str, action: SafeguardingAction
) -> tuple[Concern, str | None]:
    """Take responsibility for a concern, which stops its escalation; returns it and its details."""
    staff_id = staff_id_of(principal)
    concern = await concerns_repo.get(uow.session, concern_id, for_update=True)
    if concern is None:
        raise NotFound("concern-not-found", f"no concern {concern_id}")
    concern.acknowledge(uow.clock.now(), action)
    await concerns_repo.save_acknowledgement(uow.session, concern, acknowledged_by=staff_id)
    pairing = await pairings_repo.get(uow.session, concern.pairing_id)
    assert pairing is not None
    await uow.emit(events_out.concern_acknowledged(pairing, concern, staff_id, uow.clock))
    details = await concerns_repo.details_of(uow.session, concern_id)
    log.info("safeguarding concern acknowledged", concern_id=concern_id, action=action.value)
    return concern, details
