"""The full path under test, shared by the `full` and `steady` phases.

Outbox (the producer's database) -> the real `OutboxRelay` (producing side) -> JetStream -> a
`CountingConsumer` (this process) whose handler commits inbox claims, its state and its own outbox rows.
A phase's `Driver` says how events enter the outbox and which figures come out; `measure_path` does the
rest: databases, consumer, relay, CPU accounting, the checks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_events.events.referrals import ReferralAccepted
from peer_shared.db import make_engine, make_session_factory
from peer_shared.messaging.subscription import BatchHandler, Subscription

from .checks import until_acked, until_consumer_exists, verify
from .databases import new_database
from .measure import CommitTimes, CountingConsumer, CpuUse, GcPauses, ServerCpu
from .processes import running_service
from .report import PhaseResult, Row
from .workload import CLOCK, match_referral, match_referrals


@dataclasses.dataclass
class Bench:
    """What every full-path phase needs."""

    args: argparse.Namespace
    nats_url: str
    nats_user: str | None
    nats_password: str | None
    create_database: Callable[[str], str]
    js: JetStreamContext
    commits: CommitTimes
    servers: ServerCpu


@dataclasses.dataclass
class PathUnderTest:
    """One run of the path: its own condition, the two services' databases, and the consumer."""

    bench: Bench
    condition: str
    producer_url: str
    producer_engine: AsyncEngine
    consumer_engine: AsyncEngine
    subscription: Subscription
    consumer: CountingConsumer

    def service_config(self, role: str, **values: Any) -> dict[str, Any]:
        """The configuration of a producing-side process (see `processes.service_process`)."""
        common = {"database_url": self.producer_url, "condition": self.condition}
        return common | {"gc_freeze": self.bench.args.gc_freeze, "role": role, **values}

    async def dispose(self) -> None:
        """Close both databases' pools."""
        await self.producer_engine.dispose()
        await self.consumer_engine.dispose()


@dataclasses.dataclass
class Figures:
    """What a phase found once the path has settled."""

    rows: list[Row]
    producer_cpu: dict[str, float | None] = dataclasses.field(default_factory=dict)
    """CPU seconds of the phase's own producing-side processes (the load generator)."""
    rate: float = 0.0


class Driver(Protocol):
    """How one phase loads the path and what it reports."""

    phase: str
    events: int
    """How many events the phase sends through the path."""

    def prepare(self, condition: str) -> None:
        """Build what must exist before anything is timed (and before `gc.freeze()`)."""

    async def drive(self, path: PathUnderTest, stack: contextlib.AsyncExitStack) -> tuple[float, bool]:
        """Send the events; when the clock started (perf_counter) and whether every event committed."""

    async def figures(self, path: PathUnderTest, elapsed: float, finished: bool) -> Figures:
        """The rows for the table, once the consumer has stopped."""


async def open_path(bench: Bench) -> PathUnderTest:
    """Fresh databases for both sides and a consumer (not yet running) of a condition of its own."""
    args = bench.args
    condition = f"b{uuid.uuid4().hex[:12]}"
    producer_url = await new_database(bench.create_database, "producer", state=False)
    consumer_url = await new_database(bench.create_database, "consumer", state=True)
    consumer_engine = make_engine(consumer_url, pool_size=4)
    subscription = Subscription(
        name=f"bench-{uuid.uuid4().hex[:10]}-v1",
        stream="PEER_REFERRALS",
        handlers={
            ReferralAccepted: BatchHandler(match_referrals) if args.handler == "batch" else match_referral
        },
        conditions=(condition,),
    )
    consumer_kwargs = {"batch_size": args.consumer_batch} if args.consumer_batch else {}
    consumer = CountingConsumer(
        service="bench-consumer",
        subscription=subscription,
        js=bench.js,
        sessions=make_session_factory(consumer_engine),
        clock=CLOCK,
        **consumer_kwargs,
    )
    producer_engine = make_engine(producer_url, pool_size=2)
    return PathUnderTest(
        bench, condition, producer_url, producer_engine, consumer_engine, subscription, consumer
    )


async def measure_path(bench: Bench, driver: Driver) -> PhaseResult:
    """Run the path under `driver`'s load until every event has committed, then check and account."""
    args = bench.args
    path = await open_path(bench)
    driver.prepare(path.condition)
    bench.commits.expect(driver.events)
    if args.gc_freeze:
        # Everything alive now (modules, pools, the seeded events) moves out of the collector's sight.
        gc.freeze()
    consumer_task = asyncio.create_task(path.consumer.run())
    gc_pauses = GcPauses()
    relay_config = path.service_config(
        "relay",
        nats_url=bench.nats_url,
        nats_user=bench.nats_user,
        nats_password=bench.nats_password,
        relay_batch=args.relay_batch,
    )
    async with contextlib.AsyncExitStack() as stack:
        stack.enter_context(gc_pauses.watching())
        relay = await stack.enter_async_context(running_service(relay_config, in_process=args.in_process))
        await asyncio.wait_for(relay.ready, 60)
        await until_consumer_exists(bench.js, path.subscription)
        servers_before = bench.servers.sample()
        cpu_before = time.process_time()
        started, finished = await driver.drive(path, stack)
        elapsed = time.perf_counter() - started
        # The consumer acks after its commit: let it finish before its CPU is read and it is stopped.
        await until_acked(bench.js, path.subscription)
        consumer_cpu = time.process_time() - cpu_before
        servers_after = bench.servers.sample()
        consumer_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer_task
    figures = await driver.figures(path, elapsed, finished)
    cpu = CpuUse(
        {
            "relay": relay.report.result()["cpu_seconds"],
            **figures.producer_cpu,
            "consumer": consumer_cpu if not args.in_process else None,
            **{k: servers_after[k] - v for k, v in servers_before.items() if k in servers_after},
        }
    )
    if args.in_process:
        cpu.parts["relay+consumer"] = consumer_cpu
    checks = await verify(
        bench.js, path.producer_engine, path.consumer_engine, path.subscription, driver.events
    )
    await path.dispose()
    phase = driver.phase
    notes = [
        f"{phase}: checks {checks}; {path.consumer.batches_line()}; consumer process GC: {gc_pauses.line()}",
        f"{phase}: {cpu.line(driver.events)}",
    ]
    return PhaseResult(figures.rows, notes, rate=figures.rate)
