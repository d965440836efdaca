"""The outbox and its relay on real NATS and Postgres: every event reaches its stream exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_events.events.referrals import ReferralRejected
from peer_events.subjects import subject_of
from peer_shared.clock import SystemClock
from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.messaging.outbox import put_in_outbox
from peer_shared.messaging.relay import OutboxRelay
from peer_shared.messaging.tables import outbox
from peer_shared.messaging.unit_of_work import unit_of_work
from peer_testkit.journeys import rejection
from peer_testkit.plugin import Infrastructure
from peer_testkit.streams import BusMessage, read_stream
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration
RELAY_SCRIPT = Path(__file__).with_name("relay_process.py")
CLOCK = SystemClock()


def relay(engine: AsyncEngine, js: JetStreamContext, *, batch_size: int = 100) -> OutboxRelay:
    """A relay with a short poll, so a stand-by notices a dead leader quickly."""
    return OutboxRelay(
        service="test",
        engine=engine,
        sessions=make_session_factory(engine),
        js=js,
        clock=CLOCK,
        batch_size=batch_size,
        poll_seconds=0.2,
    )


async def unpublished(sessions: SessionFactory) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


async def seed(sessions: SessionFactory, condition: str, n: int) -> set[str]:
    events = [rejection(condition) for _ in range(n)]
    async with sessions() as session, session.begin():
        await put_in_outbox(session, events)
    return {str(e.id) for e in events}


async def stream_messages(js: JetStreamContext, condition: str) -> list[BusMessage]:
    """Every rejection on PEER_REFERRALS under the test's condition."""
    return await read_stream(js, "PEER_REFERRALS", subject_of(ReferralRejected, condition))


def ids_on_stream(messages: list[BusMessage]) -> Counter[str]:
    return Counter(m.headers["Nats-Msg-Id"] for m in messages)


async def test_event_written_with_state_change_is_published_once(
    engine: AsyncEngine, sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    event = rejection(condition)
    async with unit_of_work(sessions, CLOCK) as uow:
        await uow.emit(event)
    task = asyncio.create_task(relay(engine, js).run())
    try:
        await eventually(lambda: _is(unpublished(sessions), 0))
    finally:
        task.cancel()
    messages = await stream_messages(js, condition)
    assert ids_on_stream(messages) == Counter({str(event.id): 1})
    assert messages[0].data == event.model_dump_json().encode()


async def test_rolled_back_transaction_publishes_nothing(
    sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    with contextlib.suppress(RuntimeError):
        async with unit_of_work(sessions, CLOCK) as uow:
            await uow.emit(rejection(condition))
            raise RuntimeError("the state change failed")
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(outbox))).scalar_one() == 0


async def test_crash_after_puback_before_marking_does_not_duplicate(
    engine: AsyncEngine, sessions: SessionFactory, js: JetStreamContext, condition: str
) -> None:
    ids = await seed(sessions, condition, 50)
    await relay(engine, js).publish_pending()
    # The state a crash leaves between the PubAck and the UPDATE: published, but not marked.
    async with sessions() as session, session.begin():
        await session.execute(update(outbox).values(published_at=None))
    assert await relay(engine, js).publish_pending() == 50
    assert ids_on_stream(await stream_messages(js, condition)) == Counter(dict.fromkeys(ids, 1))


async def test_relay_process_killed_mid_batch_then_restarted(
    infra: Infrastructure,
    fresh_database_url: str,
    sessions: SessionFactory,
    js: JetStreamContext,
    condition: str,
) -> None:
    ids = await seed(sessions, condition, 3000)
    user, password = infra.nats_credentials.get("operator", ("", ""))
    env = {**os.environ, "RELAY_DB": fresh_database_url, "RELAY_NATS": infra.nats_url}
    env |= {"RELAY_USER": user, "RELAY_PASSWORD": password}
    first = await asyncio.create_subprocess_exec(sys.executable, str(RELAY_SCRIPT), env=env)
    try:
        # Kill it while it is part-way through: some rows on the stream, not all.
        await eventually(lambda: _between(stream_messages(js, condition), 1, 2999), timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert await unpublished(sessions) > 0
    second = await asyncio.create_subprocess_exec(sys.executable, str(RELAY_SCRIPT), env=env)
    try:
        await eventually(lambda: _is(unpublished(sessions), 0), timeout=60)
    finally:
        second.terminate()
        await second.wait()
    assert ids_on_stream(await stream_messages(js, condition)) == Counter(dict.fromkeys(ids, 1))


async def test_two_relays_publish_every_row_exactly_once(
    fresh_database_url: str,
    engine: AsyncEngine,
    sessions: SessionFactory,
    js: JetStreamContext,
    condition: str,
) -> None:
    ids = await seed(sessions, condition, 2000)
    other_engine = make_engine(fresh_database_url, pool_size=4)
    first = relay(engine, js, batch_size=50)
    second = OutboxRelay(
        service="test",
        engine=other_engine,
        sessions=make_session_factory(other_engine),
        js=js,
        clock=CLOCK,
        batch_size=50,
        poll_seconds=0.2,
    )
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        await eventually(lambda: _true(first.is_leader or second.is_leader))
        leader, standby = (first, second) if first.is_leader else (second, first)
        leader_task = tasks[0] if leader is first else tasks[1]
        assert not standby.is_leader
        await eventually(lambda: _below(unpublished(sessions), 2000))
        leader_task.cancel()  # the leader dies mid-way; the stand-by must take over
        await eventually(lambda: _true(standby.is_leader))
        await eventually(lambda: _is(unpublished(sessions), 0), timeout=60)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await other_engine.dispose()
    assert ids_on_stream(await stream_messages(js, condition)) == Counter(dict.fromkeys(ids, 1))


async def _is(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]


async def _below(value: object, limit: int) -> bool:
    return await value < limit  # type: ignore[misc]


async def _between(messages: object, low: int, high: int) -> bool:
    return low <= len(await messages) <= high  # type: ignore[misc]


async def _true(value: bool) -> bool:
    return value
