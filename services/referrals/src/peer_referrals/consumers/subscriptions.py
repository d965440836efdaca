"""The durable consumers of the referrals service: matches from matching, pairings from sessions."""

from __future__ import annotations

from collections.abc import Sequence

from peer_events.events.matching import MentorMatched
from peer_referrals.consumers.support_progress import PAIRING_EVENTS, record_support_progress
from peer_shared.messaging.subscription import Subscription, durable_name, retry_policy
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service: matches from matching, pairings from sessions."""
    conditions = tuple(settings.conditions)
    retry = retry_policy(settings)
    return (
        Subscription(
            name=durable_name(settings, "referrals-matches-v1"),
            stream="PEER_MATCHING",
            handlers={MentorMatched: record_support_progress},
            retry=retry,
            conditions=conditions,
        ),
        Subscription(
            name=durable_name(settings, "referrals-pairings-v1"),
            stream="PEER_SESSIONS",
            handlers=dict.fromkeys(PAIRING_EVENTS, record_support_progress),
            retry=retry,
            conditions=conditions,
        ),
    )
