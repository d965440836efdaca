"""Subscriber to the referrals service's events: a withdrawn referral ends its pairing and its notes go."""

from __future__ import annotations

from peer_sessions.domain.pairing import end_reason_for_withdrawal
from peer_sessions.store import early_arrivals, goals, pairings, session_log
from peer_sessions.store.locks_repo import lock_referral
from peer_sessions.use_cases import pairing_lifecycle
from peer_shared.contracts.envelope import CloudEvent
from peer_shared.contracts.events.referrals import ReferralWithdrawn
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def on_referral_withdrawn(event: CloudEvent[ReferralWithdrawn], uow: UnitOfWork) -> None:
    """End the referral's open pairing and erase the free text written about the person.

    The withdrawal is remembered first, so a match that arrives later starts no pairing. Session notes
    and goal wording go from every revision; codes, dates and counts stay for reporting. Safeguarding
    details are kept: safeguarding records must be retained whatever the person asks.
    """
    data, session = event.data, uow.session
    await lock_referral(session, data.referral_id)
    await early_arrivals.remember_withdrawal(
        session, data.referral_id, on=data.withdrawn_on, reason=data.reason, at=uow.clock.now()
    )
    referral_pairings = await pairings.of_referral(session, data.referral_id, for_update=True)
    reason = end_reason_for_withdrawal(data.reason)
    for pairing in referral_pairings:
        if pairing.is_open:
            await pairing_lifecycle.end(uow, pairing, on=data.withdrawn_on, reason=reason, caused_by=event)
    ids = [p.id for p in referral_pairings]
    erased = await session_log.erase_notes(session, ids)
    await goals.erase_wording(session, ids)
    log.info("referral withdrawn", referral_id=data.referral_id, pairings=len(ids), sessions_erased=erased)
