"""Starting a pairing from a match: exactly one per match, unless the referral was withdrawn meanwhile.

A match may arrive more than once (under any event id) and out of order with the mentor's and the
referral's news: the referral and mentor locks, and what is remembered about both, make it safe either way.
"""

from __future__ import annotations

from peer_events.events.sessions import PairingEndReason, PairingPauseReason
from peer_sessions import events_out
from peer_sessions.domain.mentor_availability import MentorStatus
from peer_sessions.domain.pairing import Pairing
from peer_sessions.events_out import Cause
from peer_sessions.store import pairings_repo
from peer_sessions.store.locks_repo import lock_referral_and_mentor
from peer_sessions.store.match_context_repo import context_for_match
from peer_sessions.use_cases import pairing_lifecycle
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Conflict

log = get_logger(__name__)


async def start_matched_pairing(uow: UnitOfWork, pairing: Pairing, *, caused_by: Cause) -> None:
    """Store and publish the pairing a match starts (built by `domain.pairing.start_pairing`).

    Nothing happens for a withdrawn referral or a match already started. A referral that still has
    another open pairing is refused (`Conflict`): retrying cannot help, an operator must look.
    """
    session = uow.session
    await lock_referral_and_mentor(session, pairing.referral_id, pairing.mentor_id)
    known = await context_for_match(
        session, match_id=pairing.match_id, referral_id=pairing.referral_id, mentor_id=pairing.mentor_id
    )
    if known.withdrawn:
        log.info("match for a withdrawn referral: no pairing", match_id=pairing.match_id)
        return
    if known.already_started:
        return  # the same match published again under another event id
    if known.open_pairing_id is not None:
        raise Conflict(
            "referral-already-paired",
            f"referral {pairing.referral_id} already has open pairing {known.open_pairing_id}",
        )
    if not await pairings_repo.add(session, pairing, at=uow.clock.now()):
        return  # started meanwhile by another replica (the locks make this a backstop)
    await uow.emit(events_out.pairing_started(pairing, uow.clock, caused_by))
    log.info("pairing started", pairing_id=pairing.id, match_id=pairing.match_id)
    # The mentor's pause or departure may have been heard before this match.
    mentor = known.mentor.status if known.mentor else None
    started_on = pairing.started_on
    if mentor is MentorStatus.PAUSED:
        unavailable = PairingPauseReason.MENTOR_UNAVAILABLE
        await pairing_lifecycle.pause(
            uow, pairing, on=started_on, reason=unavailable, for_mentor=True, caused_by=caused_by
        )
    elif mentor is MentorStatus.LEFT:
        left = PairingEndReason.MENTOR_LEFT
        await pairing_lifecycle.end(uow, pairing, on=started_on, reason=left, caused_by=caused_by)
