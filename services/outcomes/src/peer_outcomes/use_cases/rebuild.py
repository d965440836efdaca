"""Rebuilding the reporting projections from the start of the streams (replay).

The projection tables are emptied, then every stream the service consumes is read from its first
message by a throw-away consumer (no acks, no inbox), applying events in batches of thousands per write.
Writes are order-independent upserts (see `store/projection_batch.py`), so the live consumers may keep
running meanwhile: an event applied by both is applied once in effect. A report asked for during a
rebuild sees the projections part-built.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import text

from peer_events.envelope import CloudEvent, EventData, envelope_for
from peer_events.registry import EVENT_TYPES, MalformedEvent, UnknownEventType, parse_event
from peer_outcomes.store.projection_batch import ProjectionBatch
from peer_outcomes.store.tables import PROJECTION_TABLES
from peer_outcomes.use_cases.projection import project
from peer_shared.db import SessionFactory
from peer_shared.logging import get_logger
from peer_shared.messaging.subscription import Subscription

log = get_logger(__name__)
FETCH_SIZE = 1000
FETCH_TIMEOUT_SECONDS = 5.0


@dataclass
class RebuildResult:
    """What a rebuild read and how long it took."""

    events: int = 0
    skipped: int = 0
    seconds: float = 0.0
    per_stream: dict[str, int] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        """Throughput over the whole rebuild."""
        return self.events / self.seconds if self.seconds else 0.0


async def rebuild_projections(
    js: JetStreamContext,
    sessions: SessionFactory,
    subscriptions: Sequence[Subscription],
    *,
    batch_size: int = 5000,
    consumer_prefix: str = "",
) -> RebuildResult:
    """Drop the projections and re-apply every event on the subscribed streams from the start."""
    started = time.perf_counter()
    result = RebuildResult()
    async with sessions() as session, session.begin():
        await session.execute(text(f"TRUNCATE {', '.join(t.name for t in PROJECTION_TABLES)}"))
    for subscription in subscriptions:
        read = await _replay(js, sessions, subscription, result, batch_size, consumer_prefix)
        result.per_stream[subscription.stream] = read
    result.seconds = time.perf_counter() - started
    log.info(
        "projections rebuilt", events=result.events, skipped=result.skipped, seconds=round(result.seconds, 2)
    )
    return result


async def _replay(
    js: JetStreamContext,
    sessions: SessionFactory,
    subscription: Subscription,
    result: RebuildResult,
    batch_size: int,
    consumer_prefix: str,
) -> int:
    name = f"{consumer_prefix}outcomes-rebuild-{uuid.uuid4().hex[:12]}"
    config = ConsumerConfig(
        name=name,
        description="outcomes projections rebuild (ephemeral)",
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.NONE,
        filter_subjects=subscription.filter_subjects(),
        inactive_threshold=60.0,
        mem_storage=True,
    )
    info = await js.add_consumer(subscription.stream, config)
    # Everything on the stream when the rebuild started; later events reach the live consumers anyway.
    total = info.num_pending or 0
    psub = await js.pull_subscribe_bind(consumer=name, stream=subscription.stream)
    read = 0
    batch = ProjectionBatch()
    writing: asyncio.Task[None] | None = None
    try:
        while read < total:
            msgs = await psub.fetch(min(FETCH_SIZE, total - read), timeout=FETCH_TIMEOUT_SECONDS)
            read += len(msgs)
            for msg in msgs:
                event = _decode(msg)
                if event is None:
                    result.skipped += 1
                    continue
                project(event, batch)
                result.events += 1
            if batch.size >= batch_size or read >= total:
                # Write one batch while the next is fetched and decoded.
                if writing is not None:
                    await writing
                writing = asyncio.create_task(_write(sessions, batch))
                batch = ProjectionBatch()
        if writing is not None:
            await writing
    finally:
        # Not deleted: the service's NATS user may not delete consumers (deploy/nats/peer.conf);
        # the server removes this one after `inactive_threshold` without a fetch.
        await psub.unsubscribe()
    return read


async def _write(sessions: SessionFactory, batch: ProjectionBatch) -> None:
    async with sessions() as session, session.begin():
        await batch.flush(session)


def _decode(msg: Msg) -> CloudEvent[EventData] | None:
    # The type travels in a header too: parse straight into the right model without a first JSON pass.
    data_type = EVENT_TYPES.get((msg.headers or {}).get("ce-type", ""))
    try:
        if data_type is not None:
            event: CloudEvent[EventData] = envelope_for(data_type).model_validate_json(msg.data)
            return event
        return parse_event(msg.data)
    except (MalformedEvent, UnknownEventType, ValueError) as exc:
        log.warning("event skipped in rebuild", subject=msg.subject, error=str(exc)[:200])
        return None
