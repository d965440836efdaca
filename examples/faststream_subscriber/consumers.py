"""One durable pull consumer per followed stream, created by FastStream with the regional identity.

FastStream's pull subscriber calls nats-py's `pull_subscribe(subject, durable=..., config=...)`: it asks
for the consumer's info and, if there is none, creates it with `name` = `durable` and the filter subject
set, which nats-py sends as `$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>` -- the one create request
the `regional` user may send (never the legacy `DURABLE.CREATE`). An existing consumer is bound as it is:
its deliver policy (replay from the start or from a date) was fixed when it was created.
"""

from __future__ import annotations

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from .settings import Settings


def consumer_config(settings: Settings) -> ConsumerConfig:
    """The consumer's settings (FastStream adds the name and the filter from the subscriber)."""
    return ConsumerConfig(
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.ack_wait_seconds,
        # Unlimited: the subscriber parks an event itself after `park_after` deliveries. A server-side limit
        # would silently stop delivering an event that was never acknowledged, nor parked.
        max_deliver=-1,
        # Replay from the start, or from a moment (a new consumer only).
        deliver_policy=DeliverPolicy.ALL if settings.replay_from is None else DeliverPolicy.BY_START_TIME,
        opt_start_time=settings.replay_from,
    )
