"""The durable consumers of the matching service: referral events (who needs a mentor) and the end of
pairings (places freed). Each handler changes only the database, through its unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peer_events.events.referrals import (
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
)
from peer_events.events.sessions import PairingCompleted, PairingEnded
from peer_matching.consumers.pairings import PairingHandlers
from peer_matching.consumers.referrals import ReferralHandlers
from peer_matching.settings import MatchingSettings
from peer_shared.messaging.subscription import Subscription, durable_name, retry_policy
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service: referrals, and the pairings the sessions service ends."""
    config = settings if isinstance(settings, MatchingSettings) else MatchingSettings(**settings.model_dump())
    referrals, pairings = ReferralHandlers(config), PairingHandlers(config)
    common: dict[str, Any] = {"retry": retry_policy(config), "conditions": tuple(config.conditions)}
    return (
        Subscription(
            name=durable_name(config, "matching-referrals-v1"),
            stream="PEER_REFERRALS",
            handlers={
                ReferralReceived: referrals.received,
                ReferralAccepted: referrals.accepted,
                ReferralRejected: referrals.rejected,
                ReferralWithdrawn: referrals.withdrawn,
            },
            **common,
        ),
        Subscription(
            name=durable_name(config, "matching-pairings-v1"),
            stream="PEER_SESSIONS",
            handlers={PairingEnded: pairings.ended, PairingCompleted: pairings.completed},
            **common,
        ),
    )
