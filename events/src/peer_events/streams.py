"""JetStream streams: one per producing service, plus internal ones.

Streams keep every event (read models are rebuilt from the start), so they are limited by size, never by
age, and refuse new writes when full (`discard: new`): the outbox then holds the events, nothing is lost,
and the outbox-lag alert tells the operator to grow the stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from peer_events.subjects import INTERNAL_ROOT, PUBLIC_ROOT

PRODUCERS = ("referrals", "matching", "sessions", "outcomes", "groups")
"""The services that publish events, each to a public stream of its own: part of the published contract,
so a regional subscriber (or a consumer of every producer, like outcomes) knows them without installing
the services. Each service's descriptor lists its streams from here; a test checks the two agree."""
DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_DUPLICATE_WINDOW_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class StreamSpec:
    """What a stream holds and how it is kept."""

    name: str
    subjects: tuple[str, ...]
    description: str
    internal: bool = False

    def config(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        duplicate_window_seconds: float = DEFAULT_DUPLICATE_WINDOW_SECONDS,
        replicas: int = 1,
    ) -> StreamConfig:
        """The JetStream configuration for this stream."""
        return StreamConfig(
            name=self.name,
            description=self.description,
            subjects=list(self.subjects),
            storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy.NEW,
            max_bytes=max_bytes,
            max_age=0,
            max_msgs=-1,
            duplicate_window=duplicate_window_seconds,
            num_replicas=replicas,
        )


def public_stream(service: str) -> StreamSpec:
    """The public stream of a producing service, e.g. `PEER_REFERRALS` for `peer.*.referrals.>`."""
    return StreamSpec(
        name=f"PEER_{service.upper()}",
        subjects=(f"{PUBLIC_ROOT}.*.{service}.>",),
        description=f"Public events published by the {service} service",
    )


def internal_stream(service: str) -> StreamSpec:
    """The internal stream of a service (e.g. safeguarding concerns), never visible to subscribers."""
    return StreamSpec(
        name=f"INTERNAL_{service.upper()}",
        subjects=(f"{INTERNAL_ROOT}.*.{service}.>",),
        description=f"Internal events of the {service} service (not for regional subscribers)",
        internal=True,
    )


def streams_of(service: str) -> tuple[StreamSpec, ...]:
    """Every stream a service publishes to."""
    return (public_stream(service), internal_stream(service))


ALL_STREAMS: tuple[StreamSpec, ...] = tuple(s for svc in PRODUCERS for s in streams_of(svc))
