"""The producing side's processes (the outbox relay, the load generator) and how the coordinator runs them.

Each runs in a child process, as deployed, so that what it costs is not charged to the consumer (this
process); `--in-process` runs it as a task in this event loop instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import nats
from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.messaging.relay import OutboxRelay

from .load import run_load
from .workload import CLOCK

REPORT_MARK = b"BENCH-REPORT "
"""Prefix of the child's report line on its stdout."""
READY_MARK = b"BENCH-READY"
"""The line a child prints on its stdout once it is ready."""


async def connect_nats(nats_url: str, user: str | None, password: str | None) -> Client:
    """A NATS connection that keeps reconnecting (a benchmark must not give up mid-run)."""
    return await nats.connect(nats_url, user=user, password=password, max_reconnect_attempts=-1)


@dataclasses.dataclass(frozen=True)
class ProducerSide:
    """What a process of the producing side works with."""

    config: dict[str, Any]
    engine: AsyncEngine
    sessions: SessionFactory
    stop: asyncio.Event
    """Set when the coordinator ends the process."""
    ready: Callable[[], None]
    """Tells the coordinator the process is ready."""


async def service_process(
    config: dict[str, Any], stop: asyncio.Event, ready: Callable[[], None]
) -> dict[str, Any]:
    """One process of the producing side, until `stop`: the outbox relay or the load generator."""
    if config.get("gc_freeze"):
        gc.freeze()
    cpu_started = time.process_time()
    engine = make_engine(config["database_url"], pool_size=config.get("pool_size", 4))
    side = ProducerSide(config, engine, make_session_factory(engine), stop, ready)
    report: dict[str, Any] = {}
    try:
        if config["role"] == "relay":
            await run_relay(side)
        else:
            report = await run_load(side)
    finally:
        await engine.dispose()
    return report | {"cpu_seconds": time.process_time() - cpu_started}


async def run_relay(side: ProducerSide) -> None:
    """The real `OutboxRelay`, ready once it leads its outbox, until `stop`."""
    config = side.config
    nc = await connect_nats(config["nats_url"], config["nats_user"], config["nats_password"])
    relay_kwargs = {"batch_size": config["relay_batch"]} if config.get("relay_batch") else {}
    relay = OutboxRelay(
        service="bench-producer",
        engine=side.engine,
        sessions=side.sessions,
        js=nc.jetstream(),
        clock=CLOCK,
        **relay_kwargs,
    )
    relay_task = asyncio.create_task(relay.run())
    while not relay.is_leader:
        await asyncio.sleep(0.01)
    side.ready()
    await side.stop.wait()
    relay_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay_task
    await nc.close()


@dataclasses.dataclass
class RunningService:
    """A service of the producing side as the coordinator sees it."""

    ready: asyncio.Future[None]
    """Resolves once the service is ready (the relay leads, the load generator is connected)."""
    report: asyncio.Future[dict[str, Any]]
    """Resolves once the service has stopped, with what it reports."""


@contextlib.asynccontextmanager
async def running_service(config: dict[str, Any], *, in_process: bool) -> AsyncIterator[RunningService]:
    """Run `service_process` in a child process (or a task here) until the block ends."""
    loop = asyncio.get_running_loop()
    handle = RunningService(loop.create_future(), loop.create_future())
    if in_process:
        async with _in_this_process(config, handle):
            yield handle
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "peer_bench.bus",
        "--child",
        json.dumps(config),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 28,  # the report is one long JSON line
    )
    assert child.stdin is not None and child.stdout is not None
    reader = asyncio.create_task(_read_report(child.stdout, handle, config["role"]))
    try:
        yield handle
    finally:
        child.stdin.close()  # end of stdin tells the child to stop
        try:
            await asyncio.wait_for(child.wait(), 30)
            await asyncio.wait_for(reader, 5)
        except TimeoutError:
            child.kill()
            await child.wait()
            reader.cancel()


@contextlib.asynccontextmanager
async def _in_this_process(config: dict[str, Any], handle: RunningService) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(service_process(config, stop, lambda: handle.ready.set_result(None)))
    try:
        yield
    finally:
        stop.set()
        try:
            # Its CPU is this process's, counted with the consumer's.
            handle.report.set_result(await asyncio.wait_for(task, 30) | {"cpu_seconds": None})
        except Exception as exc:
            handle.report.set_exception(exc)


async def _read_report(stdout: asyncio.StreamReader, handle: RunningService, role: str) -> None:
    try:
        while line := await stdout.readline():
            if line.startswith(READY_MARK):
                handle.ready.set_result(None)
            elif line.startswith(REPORT_MARK):
                handle.report.set_result(json.loads(line[len(REPORT_MARK) :]))
                return
        raise RuntimeError(f"the {role} process exited without a report")
    except Exception as exc:
        handle.report.set_exception(exc)
        if not handle.ready.done():
            handle.ready.set_exception(exc)


async def child_main(config: dict[str, Any]) -> None:
    """`--child`: run a service until stdin closes, then print its report as one line on stdout."""
    stop = asyncio.Event()
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def watch_stdin() -> None:
        await reader.read()
        stop.set()

    def ready() -> None:
        sys.stdout.buffer.write(READY_MARK + b"\n")
        sys.stdout.flush()

    watcher = asyncio.create_task(watch_stdin())
    try:
        report = await service_process(config, stop, ready)
    finally:
        watcher.cancel()
    sys.stdout.buffer.write(REPORT_MARK + json.dumps(report).encode() + b"\n")
    sys.stdout.flush()
