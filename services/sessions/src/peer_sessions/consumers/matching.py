"""The matching service's events: a match starts a pairing; a mentor's news pauses, resumes or ends
their pairings. Each handler translates the event into a use-case call (see `use_cases/`).
"""

from __future__ import annotations

from peer_events.envelope import CloudEvent
from peer_events.events.matching import MentorActivated, MentorLeft, MentorMatched, MentorPaused
from peer_sessions.domain.pairing import start_pairing
from peer_sessions.settings import SessionsSettings
from peer_sessions.use_cases import mentor_news
from peer_sessions.use_cases.matches import start_matched_pairing
from peer_shared.clock import to_london
from peer_shared.messaging.subscription import PermanentError
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Conflict


class MatchingEvents:
    """The handlers, configured with the programmes' planned lengths."""

    def __init__(self, settings: SessionsSettings) -> None:
        self._settings = settings

    async def on_mentor_matched(self, event: CloudEvent[MentorMatched], uow: UnitOfWork) -> None:
        """Start the match's pairing on the day it was made; a clash is parked for an operator."""
        data = event.data
        pairing = start_pairing(
            match_id=data.match_id,
            referral_id=data.referral_id,
            mentor_id=data.mentor_id,
            condition=event.condition,
            programme=event.programme,
            started_on=to_london(event.time).date(),
            weeks=self._settings.weeks_of(event.programme),
            correlation_id=event.correlationid,
        )
        try:
            await start_matched_pairing(uow, pairing, caused_by=event)
        except Conflict as refused:
            raise PermanentError(refused.message) from refused

    async def on_mentor_paused(self, event: CloudEvent[MentorPaused], uow: UnitOfWork) -> None:
        """Pause the mentor's active pairings."""
        data = event.data
        await mentor_news.mentor_paused(
            uow, data.mentor_id, at=event.time, on=data.paused_on, caused_by=event
        )

    async def on_mentor_activated(self, event: CloudEvent[MentorActivated], uow: UnitOfWork) -> None:
        """Resume the pairings that paused because the mentor did."""
        data = event.data
        await mentor_news.mentor_activated(
            uow, data.mentor_id, at=event.time, on=data.activated_on, caused_by=event
        )

    async def on_mentor_left(self, event: CloudEvent[MentorLeft], uow: UnitOfWork) -> None:
        """End the mentor's open pairings."""
        data = event.data
        await mentor_news.mentor_left(uow, data.mentor_id, at=event.time, on=data.left_on, caused_by=event)
