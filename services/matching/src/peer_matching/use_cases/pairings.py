"""The end of a pairing (reported by the sessions service): the mentor's place is free again, and the
mentee is rematched first unless they are done or left."""

from __future__ import annotations

from typing import Any

from peer_events.envelope import CloudEvent
from peer_events.events.sessions import PairingEndReason
from peer_matching.domain.match import MatchStatus
from peer_matching.domain.mentee import MENTEE_LEFT, MenteeState
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches_repo, mentees_repo
from peer_matching.use_cases.rounds import run_round
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def pairing_ended(
    uow: UnitOfWork,
    settings: MatchingSettings,
    referral_id: str,
    mentor_id: str,
    reason: PairingEndReason,
    cause: CloudEvent[Any],
) -> None:
    """A pairing ended early: free the place; the mentee is rematched first unless they left."""
    await matches_repo.lock_condition(uow.session, cause.condition)
    now = uow.clock.now()
    if await _finish(uow, referral_id, mentor_id, MatchStatus.ENDED, reason.value):
        left = reason in MENTEE_LEFT
        state = MenteeState.CLOSED if left else MenteeState.WAITING
        await mentees_repo.set_state(uow.session, referral_id, state, now, rematch=not left)
    await run_round(uow, settings, cause.condition, caused_by=cause)


async def pairing_completed(
    uow: UnitOfWork, settings: MatchingSettings, referral_id: str, mentor_id: str, cause: CloudEvent[Any]
) -> None:
    """Support finished as planned: the mentor's place is free again."""
    await matches_repo.lock_condition(uow.session, cause.condition)
    if await _finish(uow, referral_id, mentor_id, MatchStatus.COMPLETED, "completed"):
        await mentees_repo.set_state(uow.session, referral_id, MenteeState.CLOSED, uow.clock.now())
    await run_round(uow, settings, cause.condition, caused_by=cause)


async def _finish(
    uow: UnitOfWork, referral_id: str, mentor_id: str, status: MatchStatus, reason: str
) -> bool:
    """Close the referral's open match with this mentor; False if there is none (already closed)."""
    open_match = await matches_repo.open_for_referral(uow.session, referral_id)
    if open_match is None or open_match.mentor_id != mentor_id:
        log.info("no open match for the pairing", referral_id=referral_id, mentor_id=mentor_id)
        return False
    await matches_repo.finish(uow.session, open_match.match_id, status, uow.clock.now(), reason)
    return True
