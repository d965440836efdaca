"""What the groups service consumes from other services' streams: one durable consumer per stream."""

from __future__ import annotations

from collections.abc import Sequence

from peer_events.events.matching import (
    MentorActivated,
    MentorCredentialsChanged,
    MentorLeft,
    MentorPaused,
    MentorRegistered,
)
from peer_events.events.referrals import ReferralAccepted, ReferralWithdrawn
from peer_groups.consumers import matching
from peer_groups.consumers.referrals import ReferralEvents
from peer_groups.settings import GroupsSettings
from peer_shared.messaging.subscription import Subscription, durable_name, retry_policy
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service, for the conditions this deployment serves."""
    # The operator CLI builds consumers from the shared settings; the handlers need the service's own.
    config = settings if isinstance(settings, GroupsSettings) else GroupsSettings(**settings.model_dump())
    referrals = ReferralEvents(config)
    return (
        Subscription(
            name=durable_name(settings, "groups-referrals-v1"),
            stream="PEER_REFERRALS",
            handlers={
                ReferralAccepted: referrals.on_referral_accepted,
                ReferralWithdrawn: referrals.on_referral_withdrawn,
            },
            retry=retry_policy(settings),
            conditions=tuple(settings.conditions),
        ),
        Subscription(
            name=durable_name(settings, "groups-matching-v1"),
            stream="PEER_MATCHING",
            handlers={
                MentorRegistered: matching.on_mentor_registered,
                MentorActivated: matching.on_mentor_activated,
                MentorCredentialsChanged: matching.on_mentor_credentials_changed,
                MentorPaused: matching.on_mentor_paused,
                MentorLeft: matching.on_mentor_left,
            },
            retry=retry_policy(settings),
            conditions=tuple(settings.conditions),
        ),
    )
