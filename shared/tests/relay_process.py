"""A relay in its own process, so a test can kill it with SIGKILL part-way through a batch."""

from __future__ import annotations

import asyncio
import os

import nats

from peer_shared.clock import SystemClock
from peer_shared.db import make_engine, make_session_factory
from peer_shared.messaging.relay import OutboxRelay


async def main() -> None:
    engine = make_engine(os.environ["RELAY_DB"], pool_size=2)
    nc = await nats.connect(
        os.environ["RELAY_NATS"],
        user=os.environ.get("RELAY_USER") or None,
        password=os.environ.get("RELAY_PASSWORD") or None,
    )
    relay = OutboxRelay(
        service="test",
        engine=engine,
        sessions=make_session_factory(engine),
        js=nc.jetstream(),
        clock=SystemClock(),
        batch_size=100,
        poll_seconds=0.2,
    )
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main())
