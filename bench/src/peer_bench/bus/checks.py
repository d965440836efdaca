"""Waiting for the path to settle, and checking that nothing was lost and nothing happened twice."""

from __future__ import annotations

import asyncio
import contextlib
import time

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared.messaging.subscription import Subscription
from peer_shared.messaging.tables import dead_letter, inbox, outbox

from .databases import count, unpublished
from .workload import waitlist


async def until_consumer_exists(js: JetStreamContext, subscription: Subscription) -> None:
    """Wait (up to ten seconds) until the consumer has created its durable on the server."""
    for _ in range(500):
        with contextlib.suppress(NotFoundError):
            await js.consumer_info(subscription.stream, subscription.name)
            return
        await asyncio.sleep(0.02)


async def until_acked(js: JetStreamContext, subscription: Subscription, timeout: float = 10.0) -> None:
    """Wait until the durable has nothing pending and nothing awaiting its ack."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        info = await js.consumer_info(subscription.stream, subscription.name)
        if not info.num_ack_pending and not info.num_pending:
            return
        await asyncio.sleep(0.01)


async def until_published(engine: AsyncEngine, started: float) -> float:
    """Wait until the relay has published every outbox row; seconds since `started` (perf_counter)."""
    while await unpublished(engine):
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def verify(
    js: JetStreamContext, producer: AsyncEngine, consumer: AsyncEngine, subscription: Subscription, n: int
) -> str:
    """Nothing lost, nothing twice: every row published, every event applied once, nothing parked."""
    problems = []
    if (left := await unpublished(producer)) != 0:
        problems.append(f"{left} outbox rows unpublished")
    claimed = await count(
        consumer, select(func.count()).select_from(inbox).where(inbox.c.consumer == subscription.name)
    )
    state = await count(consumer, select(func.count()).select_from(waitlist))
    emitted = await count(consumer, select(func.count()).select_from(outbox))
    parked = await count(consumer, select(func.count()).select_from(dead_letter))
    if not claimed == state == emitted == n:
        problems.append(f"inbox {claimed}, state {state}, consumer outbox {emitted}, expected {n}")
    if parked:
        problems.append(f"{parked} dead letters")
    info = await js.consumer_info(subscription.stream, subscription.name)
    if info.num_pending or info.num_ack_pending:
        problems.append(f"consumer pending {info.num_pending}, ack pending {info.num_ack_pending}")
    if info.num_redelivered:
        problems.append(f"{info.num_redelivered} redelivered")
    return "ok" if not problems else "; ".join(problems)
