"""What the matching service consumes from other services' streams."""

from __future__ import annotations

from collections.abc import Sequence

from peer_shared.messaging.subscription import Subscription
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service (none yet)."""
    return ()
