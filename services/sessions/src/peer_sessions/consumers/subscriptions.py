"""What the sessions service consumes from other services' streams: one durable consumer per stream."""

from __future__ import annotations

from collections.abc import Sequence

from peer_events.events.matching import MentorActivated, MentorLeft, MentorMatched, MentorPaused
from peer_events.events.referrals import ReferralWithdrawn
from peer_sessions.consumers.matching import MatchingEvents
from peer_sessions.consumers.referrals import on_referral_withdrawn
from peer_sessions.settings import SessionsSettings
from peer_shared.messaging.subscription import Subscription, durable_name, retry_policy
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service, for the conditions this deployment serves."""
    # The operator CLI builds consumers from the shared settings; the handlers need the service's own.
    config = settings if isinstance(settings, SessionsSettings) else SessionsSettings(**settings.model_dump())
    matching = MatchingEvents(config)
    return (
        Subscription(
            name=durable_name(settings, "sessions-matching-v1"),
            stream="PEER_MATCHING",
            handlers={
                MentorMatched: matching.on_mentor_matched,
                MentorPaused: matching.on_mentor_paused,
                MentorActivated: matching.on_mentor_activated,
                MentorLeft: matching.on_mentor_left,
            },
            retry=retry_policy(settings),
            conditions=tuple(settings.conditions),
        ),
        Subscription(
            name=durable_name(settings, "sessions-referrals-v1"),
            stream="PEER_REFERRALS",
            handlers={ReferralWithdrawn: on_referral_withdrawn},
            retry=retry_policy(settings),
            conditions=tuple(settings.conditions),
        ),
    )
