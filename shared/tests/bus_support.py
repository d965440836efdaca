"""Helpers for the messaging tests: make events, read what reached a stream, await a condition."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_shared.clock import SystemClock
from peer_shared.contracts.envelope import CloudEvent, new_event
from peer_shared.contracts.events.referrals import ReferralRejected, RejectionReason
from peer_shared.contracts.subjects import subject_of

CLOCK = SystemClock()


def rejection(condition: str) -> CloudEvent[ReferralRejected]:
    """A small, valid event under the test's own condition."""
    data = ReferralRejected(
        referral_id=f"ref_{uuid.uuid4().hex}",
        rejected_on=date(2026, 11, 2),
        reason=RejectionReason.NOT_ELIGIBLE,
    )
    return new(data, condition)


def new(data: ReferralRejected, condition: str) -> CloudEvent[ReferralRejected]:
    """Wrap a payload for the test's condition."""
    return new_event(data, clock=CLOCK, condition=condition, programme="t2d-one-to-one")


async def stream_messages(js: JetStreamContext, condition: str) -> list[Msg]:
    """Every message on PEER_REFERRALS under the test's condition (read with an ephemeral consumer)."""
    subject = subject_of(ReferralRejected, condition)
    psub = await js.pull_subscribe(
        subject,
        stream="PEER_REFERRALS",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
    )
    try:
        pending = (await psub.consumer_info()).num_pending
        messages: list[Msg] = []
        while len(messages) < pending:
            messages += await psub.fetch(min(pending - len(messages), 1000), timeout=5)
        return messages
    finally:
        await psub.unsubscribe()


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 20.0) -> None:
    """Wait until `check()` holds, failing after `timeout` seconds (a deadline, not a fixed sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)
