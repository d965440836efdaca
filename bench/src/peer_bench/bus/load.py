"""The steady phase's load generator: the producing service's HTTP handlers, committing at a fixed rate."""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import TYPE_CHECKING, Any

from peer_events.envelope import CloudEvent
from peer_events.events.referrals import ReferralAccepted
from peer_shared.db import SessionFactory
from peer_shared.messaging.unit_of_work import unit_of_work

from .measure import CommitTimes
from .workload import CLOCK, COMMITTED_KEY, accepted

if TYPE_CHECKING:
    from .processes import ProducerSide


async def run_load(side: ProducerSide) -> dict[str, Any]:
    """Commit `rate` x `duration` events, then wait for `stop`; when each event committed."""
    config = side.config
    # The whole pool connected before the clock starts, as in a service that has been running:
    # opening a connection (SCRAM authentication) costs milliseconds of CPU on both sides.
    async with contextlib.AsyncExitStack() as pool:
        for _ in range(config["pool_size"]):
            await pool.enter_async_context(side.engine.connect())
    # Built before the clock starts: what they cost is the producing service's, not the bus's.
    events = [accepted(config["condition"]) for _ in range(int(config["rate"] * config["duration"]))]
    side.ready()
    report = await produce_at_rate(
        side.sessions, events, config["rate"], config["pool_size"], config["tick_ms"] / 1000
    )
    await side.stop.wait()
    return report


async def produce_at_rate(
    sessions: SessionFactory,
    events: list[CloudEvent[ReferralAccepted]],
    rate: float,
    concurrency: int,
    tick: float,
) -> dict[str, Any]:
    """Commit events at a fixed rate (open loop: requests arrive on schedule, whatever came before).

    With `tick` 0, one transaction per event at its scheduled time, as separate HTTP requests would
    commit. Otherwise every `tick` seconds one transaction holds the events that fell due since the
    last, as a service that groups concurrent requests into one commit does (the referrals intake).
    """
    n = len(events)
    gate = asyncio.Semaphore(concurrency)
    running: set[asyncio.Task[None]] = set()

    async def request(due: list[CloudEvent[ReferralAccepted]]) -> None:
        async with gate, unit_of_work(sessions, CLOCK) as uow:
            await uow.emit(*due)
            # Timed by the commit itself, not when this task next runs (see CommitTimes).
            uow.session.info[COMMITTED_KEY] = [event.id for event in due]

    def send(due: list[CloudEvent[ReferralAccepted]]) -> None:
        task = asyncio.create_task(request(due))
        running.add(task)
        task.add_done_callback(running.discard)

    loop = asyncio.get_running_loop()
    with CommitTimes().listening() as commits:
        started = loop.time()
        sent = 0
        while sent < n:
            due = min(n, math.floor((loop.time() - started) * rate) + 1)
            if due > sent:
                if tick:
                    send(events[sent:due])
                else:
                    for event in events[sent:due]:
                        send([event])
                sent = due
            await asyncio.sleep(tick or max(0.0, started + sent / rate - loop.time()))
        while running:
            await asyncio.gather(*running)
        seconds = loop.time() - started
    return {"committed": {str(k): v for k, v in commits.at.items()}, "seconds": seconds}
