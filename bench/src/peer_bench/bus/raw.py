"""Phase `raw`: nats-py alone, the baseline the full path is compared with."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_events.envelope import CloudEvent
from peer_events.streams import public_stream
from peer_shared.messaging.outbox import headers_of

from .report import Row, progress
from .workload import accepted

WINDOWS = (256, 1024, 4000)
"""Futures in flight for the pipelined publishes."""
GATHERED = 500
"""Publishes awaited together, as the relay does."""


async def raw_phase(js: JetStreamContext, n: int, tag: str) -> list[Row]:
    """Pipelined publish with PubAcks, and pull-consume + ack, on a throwaway stream like the real ones."""
    stream = f"BENCH_RAW_{tag.upper()}"
    config = dataclasses.replace(
        public_stream("referrals").config(), name=stream, subjects=[f"bench.{tag}.>"]
    )
    await js.add_stream(config)
    sample: CloudEvent[Any] = accepted("raw")
    payload = sample.model_dump_json().encode()
    subject = f"bench.{tag}.referral-accepted"

    def headers() -> dict[str, str]:
        # A fresh Nats-Msg-Id per message: the server de-duplicates on it, as for the relay's publishes.
        return {**headers_of(sample), "Nats-Msg-Id": str(uuid.uuid4())}

    rows: list[Row] = []
    published = 0
    try:
        for window in WINDOWS:
            progress(f"raw: publish_async, windows of {window}")
            started = time.perf_counter()
            for first in range(0, n, window):
                futures = [
                    await js.publish_async(subject, payload, headers=headers())
                    for _ in range(min(window, n - first))
                ]
                await asyncio.wait_for(asyncio.gather(*futures), 30)
            rows.append(Row("raw", f"publish_async, windows of {window}", n, time.perf_counter() - started))
            published += n
        started = time.perf_counter()
        for first in range(0, n, GATHERED):
            await asyncio.gather(
                *(js.publish(subject, payload, headers=headers()) for _ in range(min(GATHERED, n - first)))
            )
        rows.append(Row("raw", f"gather(js.publish) x {GATHERED}", n, time.perf_counter() - started))
        published += n

        progress("raw: pull + ack")
        psub = await js.pull_subscribe(
            subject,
            durable="bench-raw",
            stream=stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL),
        )
        received = 0
        started = time.perf_counter()
        while received < published:
            for msg in await psub.fetch(256, timeout=5):
                await msg.ack()
                received += 1
        rows.append(Row("raw", "pull fetch(256) + ack each", received, time.perf_counter() - started))
        await psub.unsubscribe()
    finally:
        await js.delete_stream(stream)
    return rows
