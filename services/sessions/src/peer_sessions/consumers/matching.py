"""Subscribers to the matching service's events: matches start pairings; mentor news pauses, resumes or
ends them. Events may arrive in any order and more than once; each handler is safe either way.
"""

from __future__ import annotations

from peer_sessions import events_out as published
from peer_sessions.domain.mentor_availability import MentorState, MentorStatus, supersedes
from peer_sessions.domain.pairing import PairingStatus, start_pairing
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import early_arrivals, pairings
from peer_sessions.store.locks_repo import lock_mentor, lock_referral_and_mentor
from peer_sessions.store.match_context_repo import context_for_match
from peer_sessions.use_cases import pairing_lifecycle
from peer_shared.clock import to_london
from peer_shared.contracts.envelope import CloudEvent
from peer_shared.contracts.events.matching import MentorActivated, MentorLeft, MentorMatched, MentorPaused
from peer_shared.contracts.events.sessions import PairingEndReason, PairingPauseReason
from peer_shared.logging import get_logger
from peer_shared.messaging.subscription import PermanentError
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


class MatchingEvents:
    """The handlers, configured with the programmes' planned lengths."""

    def __init__(self, settings: SessionsSettings) -> None:
        self._settings = settings

    async def on_mentor_matched(self, event: CloudEvent[MentorMatched], uow: UnitOfWork) -> None:
        """Start exactly one pairing per match, unless the referral was withdrawn meanwhile."""
        data, session = event.data, uow.session
        await lock_referral_and_mentor(session, data.referral_id, data.mentor_id)
        known = await context_for_match(
            session, match_id=data.match_id, referral_id=data.referral_id, mentor_id=data.mentor_id
        )
        if known.withdrawn:
            log.info("match for a withdrawn referral: no pairing", match_id=data.match_id)
            return
        if known.already_started:
            return  # the same match published again under another event id
        if known.open_pairing_id is not None:
            raise PermanentError(
                f"referral {data.referral_id} already has open pairing {known.open_pairing_id}"
            )
        started_on = to_london(event.time).date()
        pairing = start_pairing(
            match_id=data.match_id,
            referral_id=data.referral_id,
            mentor_id=data.mentor_id,
            condition=event.condition,
            programme=event.programme,
            started_on=started_on,
            weeks=self._settings.weeks_of(event.programme),
            correlation_id=event.correlationid,
        )
        if not await pairings.add(session, pairing, at=uow.clock.now()):
            return  # started meanwhile by another replica (the locks make this a backstop)
        await uow.emit(published.pairing_started(pairing, uow.clock, event))
        log.info("pairing started", pairing_id=pairing.id, match_id=data.match_id)
        # The mentor's pause or departure may have been heard before this match.
        mentor = known.mentor.status if known.mentor else None
        if mentor is MentorStatus.PAUSED:
            unavailable = PairingPauseReason.MENTOR_UNAVAILABLE
            await pairing_lifecycle.pause(
                uow, pairing, on=started_on, reason=unavailable, for_mentor=True, caused_by=event
            )
        elif mentor is MentorStatus.LEFT:
            left = PairingEndReason.MENTOR_LEFT
            await pairing_lifecycle.end(uow, pairing, on=started_on, reason=left, caused_by=event)

    async def on_mentor_paused(self, event: CloudEvent[MentorPaused], uow: UnitOfWork) -> None:
        """Pause the mentor's active pairings."""
        if not await _heard(uow, event.data.mentor_id, MentorState(MentorStatus.PAUSED, event.time)):
            return
        for pairing in await pairings.of_mentor(
            uow.session, event.data.mentor_id, {PairingStatus.ACTIVE}, for_update=True
        ):
            reason = PairingPauseReason.MENTOR_UNAVAILABLE
            await pairing_lifecycle.pause(
                uow, pairing, on=event.data.paused_on, reason=reason, for_mentor=True, caused_by=event
            )

    async def on_mentor_activated(self, event: CloudEvent[MentorActivated], uow: UnitOfWork) -> None:
        """Resume the pairings that paused because the mentor did (not those a coordinator paused)."""
        if not await _heard(uow, event.data.mentor_id, MentorState(MentorStatus.ACTIVE, event.time)):
            return
        for pairing in await pairings.of_mentor(
            uow.session, event.data.mentor_id, {PairingStatus.PAUSED}, for_update=True
        ):
            if pairing.paused_for_mentor:
                await pairing_lifecycle.resume(uow, pairing, on=event.data.activated_on, caused_by=event)

    async def on_mentor_left(self, event: CloudEvent[MentorLeft], uow: UnitOfWork) -> None:
        """End the mentor's open pairings, so their mentees can be matched again."""
        if not await _heard(uow, event.data.mentor_id, MentorState(MentorStatus.LEFT, event.time)):
            return
        for pairing in await pairings.of_mentor(
            uow.session, event.data.mentor_id, {PairingStatus.ACTIVE, PairingStatus.PAUSED}, for_update=True
        ):
            reason = PairingEndReason.MENTOR_LEFT
            await pairing_lifecycle.end(uow, pairing, on=event.data.left_on, reason=reason, caused_by=event)


async def _heard(uow: UnitOfWork, mentor_id: str, news: MentorState) -> bool:
    """Remember the mentor's news if it supersedes what is known; say whether it did."""
    await lock_mentor(uow.session, mentor_id)
    if not supersedes(news, await early_arrivals.mentor(uow.session, mentor_id)):
        log.info("stale or repeated mentor news ignored", mentor_id=mentor_id, status=news.status.value)
        return False
    await early_arrivals.remember_mentor(uow.session, mentor_id, news)
    return True
