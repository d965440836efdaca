"""A mentor's availability carried through to their pairings: a pause pauses them, a return resumes
those the mentor's pause caused (not those a coordinator paused), a departure ends them.

News may arrive in any order and more than once: only news newer than what is remembered about the
mentor is applied (leaving is final), and it is remembered for matches heard later.
"""

from __future__ import annotations

from datetime import date, datetime

from peer_events.events.sessions import PairingEndReason, PairingPauseReason
from peer_sessions.domain.mentor_availability import MentorState, MentorStatus, supersedes
from peer_sessions.domain.pairing import PairingStatus
from peer_sessions.events_out import Cause
from peer_sessions.store import early_arrivals_repo, pairings_repo
from peer_sessions.store.locks_repo import lock_mentor
from peer_sessions.use_cases import pairing_lifecycle
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def mentor_paused(uow: UnitOfWork, mentor_id: str, *, at: datetime, on: date, caused_by: Cause) -> None:
    """Pause the mentor's active pairings (the news is from `at`; the pause starts `on`)."""
    if not await _heard(uow, mentor_id, MentorState(MentorStatus.PAUSED, at)):
        return
    for pairing in await pairings_repo.of_mentor(
        uow.session, mentor_id, {PairingStatus.ACTIVE}, for_update=True
    ):
        reason = PairingPauseReason.MENTOR_UNAVAILABLE
        await pairing_lifecycle.pause(
            uow, pairing, on=on, reason=reason, for_mentor=True, caused_by=caused_by
        )


async def mentor_activated(
    uow: UnitOfWork, mentor_id: str, *, at: datetime, on: date, caused_by: Cause
) -> None:
    """Resume the pairings that paused because the mentor did."""
    if not await _heard(uow, mentor_id, MentorState(MentorStatus.ACTIVE, at)):
        return
    for pairing in await pairings_repo.of_mentor(
        uow.session, mentor_id, {PairingStatus.PAUSED}, for_update=True
    ):
        if pairing.paused_for_mentor:
            await pairing_lifecycle.resume(uow, pairing, on=on, caused_by=caused_by)


async def mentor_left(uow: UnitOfWork, mentor_id: str, *, at: datetime, on: date, caused_by: Cause) -> None:
    """End the mentor's open pairings, so their mentees can be matched again."""
    if not await _heard(uow, mentor_id, MentorState(MentorStatus.LEFT, at)):
        return
    for pairing in await pairings_repo.of_mentor(
        uow.session, mentor_id, {PairingStatus.ACTIVE, PairingStatus.PAUSED}, for_update=True
    ):
        reason = PairingEndReason.MENTOR_LEFT
        await pairing_lifecycle.end(uow, pairing, on=on, reason=reason, caused_by=caused_by)


async def _heard(uow: UnitOfWork, mentor_id: str, news: MentorState) -> bool:
    """Remember the mentor's news if it supersedes what is known; say whether it did."""
    await lock_mentor(uow.session, mentor_id)
    if not supersedes(news, await early_arrivals_repo.mentor(uow.session, mentor_id)):
        log.info("stale or repeated mentor news ignored", mentor_id=mentor_id, status=news.status.value)
        return False
    await early_arrivals_repo.remember_mentor(uow.session, mentor_id, news)
    return True
