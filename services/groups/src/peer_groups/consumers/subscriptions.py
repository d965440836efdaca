"""What the groups service consumes from other services' streams: one durable consumer per stream."""

from __future__ import annotations

from collections.abc import Sequence

from peer_shared.messaging.subscription import Subscription
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service, for the conditions this deployment serves."""
    return ()
