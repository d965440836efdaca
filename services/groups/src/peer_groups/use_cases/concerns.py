"""Raising a safeguarding concern about a group member (a facilitator of the cohort or a coordinator),
acknowledging one (a coordinator), and erasing what was written when the person asks.

What was observed stays in this service; the internal events carry only codes. A concern may be raised
whatever the cohort's or the member's state: safeguarding is never blocked by paperwork.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from peer_events.events.safeguarding import SafeguardingAction, SafeguardingCategory, Urgency
from peer_groups import events_out
from peer_groups.domain.concerns import Concern, ConcernProblem, check_details, raised_by_role
from peer_groups.domain.measures import MemberPlace
from peer_groups.store import concerns_repo, measures_repo
from peer_groups.use_cases.measures import COHORT_NOT_FOUND, not_a_member, require_facilitator
from peer_shared.auth import Principal, Role
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import NotFound

log = get_logger(__name__)
_STAFF_ID = re.compile(r"^usr_[0-9a-f]{32}$")


@dataclass(frozen=True)
class NewConcern:
    """What a facilitator or coordinator raises: about whom, the kind, how urgent, what was observed."""

    referral_id: str
    category: SafeguardingCategory
    urgency: Urgency
    details: str | None = None


def staff_id_of(principal: Principal) -> str:
    """The staff account id (`usr_...`) recorded on an acknowledgement.

    A subject that is already a staff id is used as is; any other (an operator's login name) becomes a
    stable pseudonym, so the event never carries a name. The same rule as the sessions service.
    """
    if _STAFF_ID.fullmatch(principal.subject):
        return principal.subject
    digest = hashlib.sha256(f"peer-support-staff:{principal.subject}".encode()).hexdigest()
    return f"usr_{digest[:32]}"


async def place_of(uow: UnitOfWork, concern: Concern) -> MemberPlace:
    """The member's place in the concern's cohort (places are never deleted)."""
    [place] = await measures_repo.places_of(uow.session, concern.referral_id, cohort_id=concern.cohort_id)
    return place


async def raise_concern(uow: UnitOfWork, principal: Principal, cohort_id: str, new: NewConcern) -> Concern:
    """Record a concern about a current or former member and publish it at once (urgent lane)."""
    check_details(new.details)
    facilitators = await measures_repo.facilitators_of(uow.session, cohort_id)
    if facilitators is None:
        raise NotFound(COHORT_NOT_FOUND, f"no cohort {cohort_id}")
    require_facilitator(principal, cohort_id, facilitators)
    places = await measures_repo.places_of(uow.session, new.referral_id, cohort_id=cohort_id)
    if not places:
        raise not_a_member(new.referral_id, cohort_id)
    concern = Concern(
        id=f"sgc_{uuid.uuid4().hex}",
        cohort_id=cohort_id,
        referral_id=new.referral_id,
        category=new.category,
        urgency=new.urgency,
        raised_at=uow.clock.now(),
        raised_by=raised_by_role(principal.role is Role.MENTOR),
    )
    await concerns_repo.add(uow.session, concern, details=new.details, raised_by_subject=principal.subject)
    await uow.emit(events_out.group_concern_raised(concern, places[0], uow.clock))
    log.warning("group safeguarding concern raised", concern_id=concern.id, urgency=concern.urgency.value)
    return concern


async def acknowledge_concern(
    uow: UnitOfWork, principal: Principal, concern_id: str, action: SafeguardingAction
) -> tuple[Concern, str | None]:
    """Take responsibility for a concern, which stops its escalation; returns it and its details."""
    staff_id = staff_id_of(principal)
    concern = await concerns_repo.get(uow.session, concern_id, for_update=True)
    if concern is None:
        raise NotFound(ConcernProblem.CONCERN_NOT_FOUND, f"no concern {concern_id}")
    concern.acknowledge(uow.clock.now(), action)
    await concerns_repo.save_acknowledgement(uow.session, concern, acknowledged_by=staff_id)
    place = await place_of(uow, concern)
    await uow.emit(events_out.group_concern_acknowledged(concern, place, staff_id, uow.clock))
    log.info("group safeguarding concern acknowledged", concern_id=concern_id, action=action.value)
    return concern, await concerns_repo.details_of(uow.session, concern_id)


async def erase_member_details(uow: UnitOfWork, referral_id: str) -> int:
    """Delete what was written about a member in safeguarding concerns (the person asked for erasure).

    Called by the withdrawal handler when `ReferralWithdrawn.erase_personal_data` is set. The concern's
    codes (category, urgency, dates, acknowledgement) stay; returns how many concerns lost their details.
    """
    erased = await concerns_repo.erase_details_of_referral(uow.session, referral_id, at=uow.clock.now())
    log.info("group concern details erased", referral_id=referral_id, concerns=erased)
    return erased
