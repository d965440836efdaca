"""Durable consumers on real NATS and Postgres: inbox de-duplication, back-off, dead letters, replay."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import Column, Integer, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_events.envelope import CloudEvent
from peer_events.events.referrals import ReferralRejected
from peer_events.subjects import subject_for
from peer_shared.clock import SystemClock
from peer_shared.db import SessionFactory, make_session_factory
from peer_shared.messaging.consumer import EventConsumer
from peer_shared.messaging.dead_letters import list_dead_letters
from peer_shared.messaging.outbox import headers_of
from peer_shared.messaging.replay import replay_dead_letters
from peer_shared.messaging.subscription import BatchHandler, RetryPolicy, Subscription
from peer_shared.messaging.tables import inbox
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_testkit.journeys import rejection
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration
CLOCK = SystemClock()

effects = Table(
    "effects",
    MetaData(),
    Column("referral_id", Text, primary_key=True),
    Column("times", Integer, nullable=False),
)
"""A stand-in for a service's state: how many times a handler's effect was applied per referral."""


@pytest.fixture
async def sessions(engine: AsyncEngine) -> SessionFactory:
    """Sessions on the test's messaging database, with the effects table added."""
    async with engine.begin() as conn:
        await conn.run_sync(effects.metadata.create_all)
    return make_session_factory(engine)


async def record_effect(event: CloudEvent[ReferralRejected], uow: UnitOfWork) -> None:
    """A handler whose effect shows how many times it was applied (upsert, +1 each time)."""
    statement = pg_insert(effects).values(referral_id=event.data.referral_id, times=1)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[effects.c.referral_id], set_={"times": effects.c.times + 1}
        )
    )


def subscription(condition: str, handler: Any, retry: RetryPolicy | None = None) -> Subscription:
    return Subscription(
        name=f"test-{uuid.uuid4().hex[:10]}-v1",
        stream="PEER_REFERRALS",
        handlers={ReferralRejected: handler},
        retry=retry or RetryPolicy(),
        conditions=(condition,),
    )


def consumer(sessions: SessionFactory, js: JetStreamContext, sub: Subscription) -> EventConsumer:
    return EventConsumer(
        service="test", subscription=sub, js=js, sessions=sessions, clock=CLOCK, fetch_timeout=0.2
    )


async def publish(
    js: JetStreamContext, event: CloudEvent[ReferralRejected], *, msg_id: str | None = None
) -> None:
    headers = headers_of(event)
    headers["Nats-Msg-Id"] = msg_id or headers["Nats-Msg-Id"]
    await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers)


async def times_applied(sessions: SessionFactory, referral_id: str) -> int:
    async with sessions() as session:
        query = select(effects.c.times).where(effects.c.referral_id == referral_id)
        return int((await session.execute(query)).scalar_one_or_none() or 0)


async def test_duplicate_delivery_of_the_same_event_changes_nothing(
    sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    sub = subscription(condition, record_effect)
    event = rejection(condition)
    # Two copies on the stream under different message ids: JetStream's de-duplication cannot help,
    # as with a re-publish after the duplicate window; only the inbox stands between them.
    await publish(js, event, msg_id=f"{event.id}-a")
    await publish(js, event, msg_id=f"{event.id}-b")
    task = asyncio.create_task(consumer(sessions, js, sub).run())
    try:
        await eventually(lambda: _consumer_done(js, sub, 2))
    finally:
        task.cancel()
    assert await times_applied(sessions, event.data.referral_id) == 1
    async with sessions() as session:
        claims = select(func.count()).select_from(inbox).where(inbox.c.consumer == sub.name)
        assert (await session.execute(claims)).scalar_one() == 1


async def test_failing_handler_backs_off_then_dead_letters_and_replay_applies_once(
    sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    attempts: list[float] = []
    fixed = False
    bad, good = rejection(condition), rejection(condition)

    async def flaky(event: CloudEvent[ReferralRejected], uow: UnitOfWork) -> None:
        if event.id == bad.id and not fixed:
            attempts.append(time.monotonic())
            raise RuntimeError("mentor registry unavailable")
        await record_effect(event, uow)

    retry = RetryPolicy(max_deliver=3, backoff=(0.3, 0.6))
    sub = subscription(condition, flaky, retry)
    await publish(js, bad)
    await publish(js, good)
    task = asyncio.create_task(consumer(sessions, js, sub).run())
    try:
        # The good event is applied while the bad one is still being retried: nothing is blocked.
        await eventually(lambda: _applied(sessions, good.data.referral_id))
        assert len(attempts) < 3
        await eventually(lambda: _dead_letter_count(sessions, 1))
    finally:
        task.cancel()
    fixed = True

    # A failing batch is rolled back and re-run message by message, so one delivery can call the
    # handler twice within milliseconds; deliveries are the calls separated by a real pause.
    deliveries = [
        t
        for t, previous in zip(attempts, [None, *attempts], strict=False)
        if previous is None or t - previous > 0.1
    ]
    assert len(deliveries) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(deliveries)]
    assert gaps[0] >= 0.3 * 0.9 and gaps[1] >= 0.6 * 0.9, f"no back-off between attempts: {gaps}"
    async with sessions() as session:
        [letter] = await list_dead_letters(session, consumer=sub.name)
    assert letter.event_id == bad.id
    assert letter.attempts == 3
    assert "RuntimeError: mentor registry unavailable" in letter.error
    assert letter.payload == bad.model_dump_json().encode()
    assert letter.headers["Nats-Msg-Id"] == str(bad.id)
    assert await times_applied(sessions, bad.data.referral_id) == 0

    # The cause is fixed: replaying applies the event once, and replaying again changes nothing.
    [result] = await replay_dead_letters(sessions, [sub], CLOCK)
    assert result.applied and result.error is None
    assert await replay_dead_letters(sessions, [sub], CLOCK) == []
    assert await times_applied(sessions, bad.data.referral_id) == 1
    async with sessions() as session:
        assert await list_dead_letters(session, consumer=sub.name) == []


async def test_a_replay_that_fails_again_keeps_the_letter_waiting(
    sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    async def broken(event: CloudEvent[ReferralRejected], uow: UnitOfWork) -> None:
        raise ValueError("still broken")

    sub = subscription(condition, broken, RetryPolicy(max_deliver=1, backoff=()))
    event = rejection(condition)
    await publish(js, event)
    task = asyncio.create_task(consumer(sessions, js, sub).run())
    try:
        await eventually(lambda: _dead_letter_count(sessions, 1))
    finally:
        task.cancel()
    [result] = await replay_dead_letters(sessions, [sub], CLOCK)
    assert not result.applied and "still broken" in (result.error or "")
    async with sessions() as session:
        [letter] = await list_dead_letters(session, consumer=sub.name)
    assert letter.replay_error == "ValueError: still broken"


async def test_undecodable_message_is_dead_lettered_without_blocking_others(
    sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    sub = subscription(condition, record_effect)
    event = rejection(condition)
    await js.publish(subject_for(event), b'{"not": "an event"}', headers={"Nats-Msg-Id": str(uuid.uuid4())})
    await publish(js, event)
    task = asyncio.create_task(consumer(sessions, js, sub).run())
    try:
        await eventually(lambda: _applied(sessions, event.data.referral_id))
        await eventually(lambda: _dead_letter_count(sessions, 1))
    finally:
        task.cancel()
    async with sessions() as session:
        [letter] = await list_dead_letters(session)
    assert "CloudEvents 'type'" in letter.error and letter.attempts == 1


async def test_batch_handler_applies_a_fetched_batch_in_one_call_and_a_bad_event_fails_alone(
    sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    calls: list[int] = []
    fixed = False
    events = [rejection(condition) for _ in range(20)]
    bad = events[7]

    async def record_all(batch: Sequence[CloudEvent[ReferralRejected]], uow: UnitOfWork) -> None:
        calls.append(len(batch))
        for event in batch:
            if event.id == bad.id and not fixed:
                raise RuntimeError("mentor registry unavailable")
            await record_effect(event, uow)

    sub = subscription(condition, BatchHandler(record_all), RetryPolicy(max_deliver=2, backoff=(0.2,)))
    for event in events:
        await publish(js, event)
    await publish(js, events[3], msg_id=f"{events[3].id}-again")  # a duplicate in the same batch
    task = asyncio.create_task(consumer(sessions, js, sub).run())
    try:
        await eventually(lambda: _dead_letter_count(sessions, 1))
        await eventually(lambda: _consumer_done(js, sub, 21 + 1))
    finally:
        task.cancel()
    # The first call had the whole batch (less the duplicate); it failed, so the batch was re-run one
    # event per call, and the bad event failed alone, twice, before it was parked.
    assert calls[0] == 20
    assert all(size == 1 for size in calls[1:])
    for event in events:
        assert await times_applied(sessions, event.data.referral_id) == (0 if event is bad else 1)
    async with sessions() as session:
        [letter] = await list_dead_letters(session, consumer=sub.name)
    assert letter.event_id == bad.id and letter.attempts == 2

    fixed = True
    [result] = await replay_dead_letters(sessions, [sub], CLOCK)
    assert result.applied
    assert await times_applied(sessions, bad.data.referral_id) == 1


async def _consumer_done(js: JetStreamContext, sub: Subscription, delivered: int) -> bool:
    try:
        info = await js.consumer_info(sub.stream, sub.name)
    except NotFoundError:
        return False  # not created yet
    return info.delivered.consumer_seq >= delivered and info.num_pending == 0 and info.num_ack_pending == 0


async def _dead_letter_count(sessions: SessionFactory, n: int) -> bool:
    async with sessions() as session:
        return len(await list_dead_letters(session)) == n


async def _applied(sessions: SessionFactory, referral_id: str) -> bool:
    return await times_applied(sessions, referral_id) == 1
