"""What a service consumes: a durable consumer on one stream and the handler for each event type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_events.envelope import CloudEvent, EventData
from peer_events.subjects import filter_for
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.settings import ServiceSettings

Handler = Callable[[CloudEvent[Any], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class BatchHandler:
    """A handler that applies the events of a fetched batch with one call.

    For high-volume events whose state change can be written set-wise (one statement over arrays
    instead of one round trip per event). The consumer calls `apply` once per batch with the fresh
    events it handles (of every type mapped to it), in delivery order, after the batch's per-event
    handlers; if it raises, the batch is re-run in isolation and `apply` gets one event at a time inside
    its own savepoint, so a bad event still fails alone. It must not rely on the order of events.
    """

    apply: Callable[[Sequence[CloudEvent[Any]], UnitOfWork], Awaitable[None]]


async def call_handler(
    handler: Handler | BatchHandler, events: Sequence[CloudEvent[Any]], uow: UnitOfWork
) -> None:
    """Apply events of one type: a batch handler takes them all, a per-event handler the only one."""
    if isinstance(handler, BatchHandler):
        await handler.apply(events, uow)
        return
    (event,) = events
    await handler(event, uow)


class PermanentError(Exception):
    """A handler's way to say that retrying cannot help: the message is dead-lettered at once."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded redelivery with back-off, then the dead-letter table."""

    max_deliver: int = 5
    backoff: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    ack_wait: timedelta = timedelta(seconds=30)

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait before delivering again after failed attempt number `attempt` (1-based)."""
        if not self.backoff:
            return 0.0
        return self.backoff[min(attempt, len(self.backoff)) - 1]


@dataclass(frozen=True)
class Subscription:
    """A durable pull consumer. Its name is versioned: JetStream refuses a changed config under an old
    name, so a change of filters or policy ships as `...-v2`."""

    name: str
    stream: str
    handlers: Mapping[type[EventData], Handler | BatchHandler]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    conditions: tuple[str, ...] = ("*",)

    def filter_subjects(self) -> list[str]:
        """The subjects this consumer asks the stream for."""
        return sorted(filter_for(t, c) for t in self.handlers for c in self.conditions)

    def consumer_config(self) -> ConsumerConfig:
        """The durable consumer's JetStream config.

        JetStream's own `max_deliver` is unlimited on purpose: the consumer counts deliveries itself and
        parks a message in the dead-letter table on its last attempt, so nothing is silently dropped.
        """
        return ConsumerConfig(
            durable_name=self.name,
            description=f"{self.name} on {self.stream}",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.retry.ack_wait.total_seconds(),
            max_deliver=-1,
            max_ack_pending=10_000,
            filter_subjects=self.filter_subjects(),
        )


def durable_name(settings: ServiceSettings, name: str) -> str:
    """The durable consumer name for this deployment (the configured prefix, then the versioned name)."""
    return f"{settings.consumer_name_prefix}{name}"


def retry_policy(settings: ServiceSettings) -> RetryPolicy:
    """The redelivery policy configured for this service."""
    return RetryPolicy(
        max_deliver=settings.consumer_max_deliver,
        backoff=tuple(settings.consumer_backoff_seconds),
        ack_wait=timedelta(seconds=settings.consumer_ack_wait_seconds),
    )
