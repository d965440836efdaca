"""The referrals service's events: a withdrawn referral ends its pairing and its notes go."""

from __future__ import annotations

from peer_events.envelope import CloudEvent
from peer_events.events.referrals import ReferralWithdrawn
from peer_sessions.use_cases.withdrawal import withdraw_referral
from peer_shared.messaging.unit_of_work import UnitOfWork


async def on_referral_withdrawn(event: CloudEvent[ReferralWithdrawn], uow: UnitOfWork) -> None:
    """Apply the withdrawal (see `use_cases.withdrawal`)."""
    data = event.data
    await withdraw_referral(uow, data.referral_id, on=data.withdrawn_on, reason=data.reason, caused_by=event)
