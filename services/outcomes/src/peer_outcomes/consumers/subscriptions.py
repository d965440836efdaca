"""What the outcomes service consumes: one durable consumer per producing service's stream, all feeding
the reporting projections (its own `PamRecorded` included, so a rebuild from the streams restores it; the
groups service's public events included, as `outcomes-projections-groups-v1`)."""

from __future__ import annotations

from collections.abc import Sequence

from peer_events.streams import PRODUCERS, public_stream
from peer_outcomes.consumers.projections import APPLY_EVENTS, PROJECTED
from peer_shared.messaging.subscription import Subscription, durable_name, retry_policy
from peer_shared.settings import ServiceSettings


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service: one per stream it reports on."""
    return tuple(
        Subscription(
            name=durable_name(settings, f"outcomes-projections-{producer}-v1"),
            stream=public_stream(producer).name,
            handlers={t: APPLY_EVENTS for t in PROJECTED if t.producer == producer},
            retry=retry_policy(settings),
            conditions=tuple(settings.conditions),
        )
        for producer in PRODUCERS
    )
