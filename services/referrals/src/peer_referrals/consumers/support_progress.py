"""Matches and the pairing lifecycle, from matching and sessions: they keep a referral's status current.

Matching and sessions publish on different streams, so their events may arrive in any order; each is kept
as a fact with the time it happened and the referral's stage is the latest fact (`domain/support.py`).
"""

from __future__ import annotations

from typing import Any

from peer_events.envelope import CloudEvent
from peer_events.events.matching import MentorMatched
from peer_events.events.sessions import (
    PairingCompleted,
    PairingEnded,
    PairingPaused,
    PairingResumed,
    PairingStarted,
)
from peer_referrals.domain.support import SupportStage
from peer_referrals.store import support_repo
from peer_shared.messaging.unit_of_work import UnitOfWork

STAGES: dict[type[Any], SupportStage] = {
    MentorMatched: SupportStage.MATCHED,
    PairingStarted: SupportStage.STARTED,
    PairingPaused: SupportStage.PAUSED,
    PairingResumed: SupportStage.STARTED,
    PairingCompleted: SupportStage.COMPLETED,
    PairingEnded: SupportStage.ENDED,
}
PAIRING_EVENTS = (PairingStarted, PairingPaused, PairingResumed, PairingCompleted, PairingEnded)


async def record_support_progress(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A match or pairing event: record it and update the referral's stage and current mentor."""
    data = event.data
    await support_repo.add_fact(
        uow.session,
        event.id,
        data.referral_id,
        STAGES[type(data)],
        event.time,
        data.mentor_id,
    )
