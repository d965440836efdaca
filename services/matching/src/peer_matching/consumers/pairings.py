"""Pairing events from the sessions service: a pairing that ended early or was completed frees a place."""

from __future__ import annotations

from peer_events.envelope import CloudEvent
from peer_events.events.sessions import PairingCompleted, PairingEnded
from peer_matching.settings import MatchingSettings
from peer_matching.use_cases import pairings
from peer_shared.messaging.unit_of_work import UnitOfWork


class PairingHandlers:
    """The handlers of pairing events, bound to the service's settings."""

    def __init__(self, settings: MatchingSettings) -> None:
        self.settings = settings

    async def ended(self, event: CloudEvent[PairingEnded], uow: UnitOfWork) -> None:
        """A pairing ended early."""
        data = event.data
        await pairings.pairing_ended(uow, self.settings, data.referral_id, data.mentor_id, data.reason, event)

    async def completed(self, event: CloudEvent[PairingCompleted], uow: UnitOfWork) -> None:
        """Support finished as planned."""
        data = event.data
        await pairings.pairing_completed(uow, self.settings, data.referral_id, data.mentor_id, event)
