"""A withdrawn referral: its open pairing ends and what was written about the person is erased."""

from __future__ import annotations

from datetime import date

from peer_events.events.referrals import WithdrawalReason
from peer_sessions.domain.pairing import end_reason_for_withdrawal
from peer_sessions.events_out import Cause
from peer_sessions.store import early_arrivals_repo, goals_repo, pairings_repo, session_log_repo
from peer_sessions.store.locks_repo import lock_referral
from peer_sessions.use_cases import pairing_lifecycle
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def withdraw_referral(
    uow: UnitOfWork, referral_id: str, *, on: date, reason: WithdrawalReason, caused_by: Cause
) -> None:
    """End the referral's open pairing and erase the free text written about the person.

    The withdrawal is remembered first, so a match that arrives later starts no pairing. Session notes
    and goal wording go from every revision; codes, dates and counts stay for reporting. Safeguarding
    details are kept: safeguarding records must be retained whatever the person asks.
    """
    session = uow.session
    await lock_referral(session, referral_id)
    await early_arrivals_repo.remember_withdrawal(
        session, referral_id, on=on, reason=reason, at=uow.clock.now()
    )
    referral_pairings = await pairings_repo.of_referral(session, referral_id, for_update=True)
    end_reason = end_reason_for_withdrawal(reason)
    for pairing in referral_pairings:
        if pairing.is_open:
            await pairing_lifecycle.end(uow, pairing, on=on, reason=end_reason, caused_by=caused_by)
    ids = [p.id for p in referral_pairings]
    erased = await session_log_repo.erase_notes(session, ids)
    await goals_repo.erase_wording(session, ids)
    log.info("referral withdrawn", referral_id=referral_id, pairings=len(ids), sessions_erased=erased)
