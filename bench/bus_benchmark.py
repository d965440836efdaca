"""Throughput and latency of the event bus: raw JetStream, then outbox -> relay -> JetStream -> consumer.

A script that prints figures, not a test. It starts the embedded NATS (the shipped nats.conf, so
`sync_interval: always`) and Postgres in a temporary folder and measures, in one run:

1. raw nats-py: pipelined JetStream publishes with PubAcks on a throwaway stream with the same storage
   settings as the real ones, and pull-consume + ack of the same messages;
2. the full path at full speed: outbox rows seeded in bulk (COPY), the real `OutboxRelay`, JetStream, and
   an `EventConsumer` whose handler writes a state row and emits its own event through `UnitOfWork.emit`
   (inbox claim + state + outbox in one transaction per batch), measured to the consumer's commit;
3. latency at a steady rate: a producer committing one outbox row per transaction (as an HTTP handler
   would) at `--rate` events/s, timed from that commit to the consumer's commit.

The relay runs in a child process (the producing service), the consumer in this one (the consuming
service), as they are deployed; the steady phase's load generator has a process of its own, so that what
it costs is not charged to the bus. `--in-process` runs them all in one event loop instead. Each phase
also reports the CPU milliseconds per event of every process (nats-server and Postgres included), the
consumer's batch sizes and its garbage-collector pauses: on a shared machine the CPU figures say more than
the rates.

    uv run python bench/bus_benchmark.py [--events 20000] [--rate 1000] [--duration 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import nats
import psutil  # type: ignore[import-untyped,unused-ignore]
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Column, Date, DateTime, MetaData, Table, Text, bindparam, func, select
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from peer_shared.bus import ensure_streams
from peer_shared.clock import SystemClock
from peer_shared.contracts.envelope import CloudEvent, new_event
from peer_shared.contracts.events.matching import ConfirmedBy, MatchMode, MentorMatched
from peer_shared.contracts.events.referrals import Consent, MenteePreferences, ReferralAccepted
from peer_shared.contracts.streams import ALL_STREAMS, public_stream
from peer_shared.contracts.subjects import subject_for
from peer_shared.db import SessionFactory, make_engine, make_session_factory
from peer_shared.logging import configure_logging
from peer_shared.messaging.consumer import EventConsumer
from peer_shared.messaging.outbox import headers_of, lane_of
from peer_shared.messaging.relay import OutboxRelay
from peer_shared.messaging.subscription import BatchHandler, Subscription
from peer_shared.messaging.tables import create_messaging_tables, dead_letter, inbox, outbox
from peer_shared.messaging.unit_of_work import UnitOfWork, unit_of_work
from peer_shared.settings import ServiceSettings

CLOCK = SystemClock()
PROGRAMME = "t2d-one-to-one"
REPORT_MARK = b"BENCH-REPORT "
"""Prefix of the child's report line on its stdout."""
READY_MARK = b"BENCH-READY"
"""The line a child prints on its stdout once it is ready."""
COMMITTED_KEY = "bench_committed"
"""`Session.info` key under which the benchmark handler lists the events its transaction applies."""

state_metadata = MetaData()
waitlist = Table(
    "bench_waitlist",
    state_metadata,
    Column("referral_id", Text, primary_key=True),
    Column("match_id", Text, nullable=False),
    Column("accepted_on", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""The consuming service's state: a matching-style waitlist entry per accepted referral."""


# --- events and the consuming service's handler -------------------------------------------------------


def _pid(kind: str) -> str:
    return f"{kind}_{uuid.uuid4().hex}"


def accepted(condition: str) -> CloudEvent[ReferralAccepted]:
    """A realistic ReferralAccepted (about 800 bytes of JSON), what referrals publishes after triage."""
    data = ReferralAccepted(
        referral_id=_pid("ref"),
        accepted_on=date(2026, 11, 2),
        consent=Consent(peer_support=True, share_outcomes_with_referrer=True, contact_for_evaluation=False),
        preferences=MenteePreferences(languages=("en", "pa"), contact_modes=("in-person", "phone")),
    )
    return new_event(data, clock=CLOCK, condition=condition, programme=PROGRAMME)


def mentor_matched(event: CloudEvent[ReferralAccepted], clock: SystemClock) -> CloudEvent[MentorMatched]:
    """The event the consuming service raises for an accepted referral."""
    matched = MentorMatched(
        match_id=_pid("mat"),
        referral_id=event.data.referral_id,
        mentor_id=_pid("mnt"),
        score=0.82,
        mode=MatchMode.AUTO,
        confirmed_by=ConfirmedBy.SYSTEM,
    )
    return new_event(
        matched, clock=clock, condition=event.condition, programme=event.programme, caused_by=event
    )


_insert_waitlist = pg_insert(waitlist)
_UPSERT_WAITLIST = _insert_waitlist.on_conflict_do_update(
    index_elements=["referral_id"],
    set_={"match_id": _insert_waitlist.excluded.match_id, "updated_at": _insert_waitlist.excluded.updated_at},
)
"""One entry; built once and executed with parameters, so SQLAlchemy reuses its compiled form."""

_insert_waitlist_rows = pg_insert(waitlist).from_select(
    ["referral_id", "match_id", "accepted_on", "updated_at"],
    select(
        func.unnest(bindparam("referral_ids", type_=ARRAY(Text))),
        func.unnest(bindparam("match_ids", type_=ARRAY(Text))),
        func.unnest(bindparam("accepted_ons", type_=ARRAY(Date))),
        bindparam("updated_at", type_=DateTime(timezone=True)),
    ),
)
_UPSERT_WAITLIST_ROWS = _insert_waitlist_rows.on_conflict_do_update(
    index_elements=["referral_id"],
    set_={
        "match_id": _insert_waitlist_rows.excluded.match_id,
        "updated_at": _insert_waitlist_rows.excluded.updated_at,
    },
)
"""Many entries in one statement: the rows travel as arrays, one round trip for the whole batch."""


async def match_referral(event: CloudEvent[ReferralAccepted], uow: UnitOfWork) -> None:
    """The consuming service's handler: upsert its state and emit an event of its own, in one transaction."""
    matched = mentor_matched(event, CLOCK)
    await uow.session.execute(
        _UPSERT_WAITLIST,
        {
            "referral_id": event.data.referral_id,
            "match_id": matched.data.match_id,
            "accepted_on": event.data.accepted_on,
            "updated_at": uow.clock.now(),
        },
    )
    await uow.emit(matched)
    # Timed when the transaction commits (see CommitTimes): the handler only says which events it holds.
    uow.session.info.setdefault(COMMITTED_KEY, []).append(event.id)


async def match_referrals(events: Sequence[CloudEvent[ReferralAccepted]], uow: UnitOfWork) -> None:
    """The same as a batch handler: one upsert for every event in the fetched batch, then their events."""
    latest = {event.data.referral_id: event for event in events}  # one row may be upserted once only
    matched = {referral_id: mentor_matched(event, CLOCK) for referral_id, event in latest.items()}
    await uow.session.execute(
        _UPSERT_WAITLIST_ROWS,
        {
            "referral_ids": list(latest),
            "match_ids": [m.data.match_id for m in matched.values()],
            "accepted_ons": [e.data.accepted_on for e in latest.values()],
            "updated_at": uow.clock.now(),
        },
    )
    await uow.emit(*matched.values())
    uow.session.info.setdefault(COMMITTED_KEY, []).extend(event.id for event in events)


class GcPauses:
    """Garbage-collector pauses in this process (the consumer's), which show up as latency outliers."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        """(generation, seconds) of each collection."""
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    @contextlib.contextmanager
    def watching(self) -> Iterator[GcPauses]:
        """Record every collection while inside the block."""
        gc.callbacks.append(self._callback)
        try:
            yield self
        finally:
            gc.callbacks.remove(self._callback)

    def line(self) -> str:
        """How many collections, how long they took in total, and the full (generation 2) ones."""
        if not self.pauses:
            return "no collections"
        full = [seconds for generation, seconds in self.pauses if generation == 2]
        total = sum(seconds for _, seconds in self.pauses)
        longest = f", longest {max(full) * 1000:.0f} ms" if full else ""
        return f"{len(self.pauses)} collections ({len(full)} full{longest}), {total * 1000:.0f} ms in all"


class CommitTimes:
    """Wall-clock time at which each event's transaction committed (the consumer's, or the producer's).

    Listens to SQLAlchemy's `after_commit`, which fires once the database has confirmed the commit, so
    the figure includes the fsync and nothing after it (the acks follow).
    """

    def __init__(self) -> None:
        self.at: dict[uuid.UUID, float] = {}
        self._expected = 0
        self._reached = asyncio.Event()

    def expect(self, n: int) -> None:
        """Forget what was recorded and arm `wait()` to return once `n` distinct events have committed."""
        self.at.clear()
        self._reached.clear()
        self._expected = n

    async def wait(self, timeout: float) -> bool:
        """Wait for the expected count; False on timeout."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._reached.wait(), timeout)
        return self._reached.is_set()

    def _after_commit(self, session: Session) -> None:
        ids = session.info.pop(COMMITTED_KEY, None)
        if not ids:
            return
        now = time.time()
        for event_id in ids:
            self.at.setdefault(event_id, now)
        if self._expected and len(self.at) >= self._expected:
            self._reached.set()

    @contextlib.contextmanager
    def listening(self) -> Iterator[CommitTimes]:
        """Record commits of every session in this process while inside the block."""
        sa_event.listen(Session, "after_commit", self._after_commit)
        try:
            yield self
        finally:
            sa_event.remove(Session, "after_commit", self._after_commit)


def progress(message: str) -> None:
    """A progress line on stderr, so a long run shows where it is."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class CountingConsumer(EventConsumer):
    """An `EventConsumer` that counts the batches it processes (their sizes explain its cost)."""

    batches = 0
    messages = 0

    async def process(self, msgs: list[Msg]) -> None:
        """Count, then process as usual."""
        self.batches += 1
        self.messages += len(msgs)
        await super().process(msgs)


# --- figures ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    """One line of the results table."""

    phase: str
    what: str
    count: int
    seconds: float
    note: str = ""
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q / 100 * len(ordered)))) - 1]


def latency_row(phase: str, what: str, seconds: float, latencies: list[float], note: str = "") -> Row:
    """A row with p50/p99/max of latencies given in seconds."""
    if not latencies:
        return Row(phase, what, 0, seconds, note or "no events")
    return Row(
        phase,
        what,
        len(latencies),
        seconds,
        note,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=max(latencies) * 1000,
    )


def print_table(rows: list[Row]) -> None:
    """A fixed-width table of the figures."""

    def ms(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    header = ("phase", "measurement", "events", "seconds", "events/s", "p50 ms", "p99 ms", "max ms", "note")
    cells = [
        (
            r.phase,
            r.what,
            str(r.count),
            f"{r.seconds:.2f}",
            f"{r.rate:,.0f}",
            ms(r.p50_ms),
            ms(r.p99_ms),
            ms(r.max_ms),
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    right = {2, 3, 4, 5, 6, 7}

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


def machine_description(nats_version: str, postgres_version: str) -> str:
    """Cores, CPU, RAM and the versions that matter, on one line."""
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"machine: {os.cpu_count()} cores{f' ({model})' if model else ''}, {ram:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"nats-server {nats_version} (sync_interval: always), Postgres {postgres_version}"
    )


# --- infrastructure helpers ---------------------------------------------------------------------------


async def connect(nats_url: str, user: str | None, password: str | None) -> Client:
    return await nats.connect(nats_url, user=user, password=password, max_reconnect_attempts=-1)


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def new_database(create: Callable[[str], str], role: str, *, state: bool) -> str:
    """A fresh database with the messaging tables (and the consumer's state table)."""
    url = await asyncio.to_thread(create, f"bench_{role}_{uuid.uuid4().hex[:10]}")
    engine = make_engine(url, pool_size=1)
    async with engine.begin() as conn:
        await conn.run_sync(create_messaging_tables)
        if state:
            await conn.run_sync(state_metadata.create_all)
    await engine.dispose()
    return url


OutboxRecord = tuple[uuid.UUID, str, str, bytes, str]


def outbox_records(events: list[CloudEvent[Any]]) -> list[OutboxRecord]:
    """The outbox rows `put_in_outbox` would write for these events, ready for COPY."""
    return [
        (e.id, lane_of(e), subject_for(e), e.model_dump_json().encode(), json.dumps(headers_of(e)))
        for e in events
    ]


async def seed_outbox(url: str, records: list[OutboxRecord]) -> float:
    """COPY rows into the outbox in one transaction (so the producer is not what is measured).

    Returns the wall-clock time of the commit.
    """
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "outbox", records=records, columns=["event_id", "lane", "subject", "payload", "headers"]
            )
            await conn.execute("SELECT pg_notify('peer_outbox', 'default')")
        return time.time()
    finally:
        await conn.close()


async def count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def unpublished(engine: AsyncEngine) -> int:
    return await count(
        engine, select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    )


# --- phase 1: raw nats-py -----------------------------------------------------------------------------


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
        for window in (256, 1024, 4000):
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
        for first in range(0, n, 500):
            await asyncio.gather(
                *(js.publish(subject, payload, headers=headers()) for _ in range(min(500, n - first)))
            )
        rows.append(Row("raw", "gather(js.publish) x 500", n, time.perf_counter() - started))
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


# --- the producing side: relay and load generator, each in its own process ----------------------------


async def service_process(
    config: dict[str, Any], stop: asyncio.Event, ready: Callable[[], None]
) -> dict[str, Any]:
    """One process of the producing side, until `stop`: the outbox relay or the load generator.

    The load generator stands for the producing service's HTTP handlers: one transaction per event at a
    fixed rate. It runs in a process of its own so that what it costs is not charged to the bus.
    """
    if config.get("gc_freeze"):
        gc.freeze()
    cpu_started = time.process_time()
    engine = make_engine(config["database_url"], pool_size=config.get("pool_size", 4))
    sessions = make_session_factory(engine)
    report: dict[str, Any] = {}
    try:
        if config["role"] == "relay":
            nc = await connect(config["nats_url"], config["nats_user"], config["nats_password"])
            relay_kwargs = {"batch_size": config["relay_batch"]} if config.get("relay_batch") else {}
            relay = OutboxRelay(
                service="bench-producer",
                engine=engine,
                sessions=sessions,
                js=nc.jetstream(),
                clock=CLOCK,
                **relay_kwargs,
            )
            relay_task = asyncio.create_task(relay.run())
            while not relay.is_leader:
                await asyncio.sleep(0.01)
            ready()
            await stop.wait()
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
            await nc.close()
        else:
            # The whole pool connected before the clock starts, as in a service that has been running:
            # opening a connection (SCRAM authentication) costs milliseconds of CPU on both sides.
            async with contextlib.AsyncExitStack() as pool:
                for _ in range(config["pool_size"]):
                    await pool.enter_async_context(engine.connect())
            # Built before the clock starts: what they cost is the producing service's, not the bus's.
            events = [accepted(config["condition"]) for _ in range(int(config["rate"] * config["duration"]))]
            ready()
            report = await produce_at_rate(
                sessions, events, config["rate"], config["pool_size"], config["tick_ms"] / 1000
            )
            await stop.wait()
    finally:
        await engine.dispose()
    return report | {"cpu_seconds": time.process_time() - cpu_started}


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
    reported = handle.report
    if in_process:
        stop = asyncio.Event()
        task = asyncio.create_task(service_process(config, stop, lambda: handle.ready.set_result(None)))
        try:
            yield handle
        finally:
            stop.set()
            try:
                reported.set_result(await asyncio.wait_for(task, 30) | {"cpu_seconds": None})
            except Exception as exc:
                reported.set_exception(exc)
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        json.dumps(config),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 28,  # the report is one long JSON line
    )
    assert child.stdin is not None and child.stdout is not None
    stdout = child.stdout

    async def read_report() -> None:
        try:
            while line := await stdout.readline():
                if line.startswith(READY_MARK):
                    handle.ready.set_result(None)
                elif line.startswith(REPORT_MARK):
                    reported.set_result(json.loads(line[len(REPORT_MARK) :]))
                    return
            raise RuntimeError(f"the {config['role']} process exited without a report")
        except Exception as exc:
            reported.set_exception(exc)
            if not handle.ready.done():
                handle.ready.set_exception(exc)

    reader = asyncio.create_task(read_report())
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


# --- CPU accounting -----------------------------------------------------------------------------------


class ServerCpu:
    """CPU seconds used so far by nats-server and by Postgres (postmaster and all its backends)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids

    def sample(self) -> dict[str, float]:
        """Cumulative CPU seconds per server; empty when the pids are unknown."""
        seconds: dict[str, float] = {}
        for name, pid in self._pids.items():
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                times = process.cpu_times()
                total = times.user + times.system + times.children_user + times.children_system
                for child in process.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        child_times = child.cpu_times()
                        total += child_times.user + child_times.system
                seconds[name] = total
        return seconds


@dataclasses.dataclass
class CpuUse:
    """CPU seconds each part of the path used during one phase."""

    parts: dict[str, float | None]

    def line(self, events: int) -> str:
        """CPU milliseconds per event, per part and in total, and what that allows on this machine."""
        known = {k: v for k, v in self.parts.items() if v is not None}
        if not known or not events:
            return "cpu: not measured"
        per_event = {k: v * 1000 / events for k, v in known.items()}
        total = sum(per_event.values())
        cores = os.cpu_count() or 1
        parts = ", ".join(f"{k} {v:.3f}" for k, v in per_event.items())
        return (
            f"cpu ms/event: {parts}; total {total:.3f} "
            f"(all {cores} cores busy at {cores * 1000 / total:,.0f} events/s)"
        )


# --- phases 2 and 3: the full path --------------------------------------------------------------------


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
class PhaseResult:
    """The rows a phase adds to the table, and the lines it adds below it."""

    rows: list[Row]
    notes: list[str]
    rate: float = 0.0


async def full_path(bench: Bench, *, steady: bool) -> PhaseResult:
    """Outbox -> relay (producing side) -> JetStream -> EventConsumer (this process) -> commit."""
    args = bench.args
    condition = f"b{uuid.uuid4().hex[:12]}"
    producer_url = await new_database(bench.create_database, "producer", state=False)
    consumer_url = await new_database(bench.create_database, "consumer", state=True)
    producer_engine = make_engine(producer_url, pool_size=2)
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
    common: dict[str, Any] = {
        "database_url": producer_url,
        "condition": condition,
        "gc_freeze": args.gc_freeze,
    }
    relay_config = common | {
        "role": "relay",
        "nats_url": bench.nats_url,
        "nats_user": bench.nats_user,
        "nats_password": bench.nats_password,
        "relay_batch": args.relay_batch,
    }
    commits = bench.commits
    phase = "steady" if steady else "full"
    # The steady phase runs a warm-up first (first connections, statements prepared, caches filled),
    # whose events are checked like the rest but reported apart from the figures.
    load_seconds = args.warmup + args.duration
    n = int(args.rate * load_seconds) if steady else args.events
    # Built before anything is timed; only the ids are kept, as 20,000 live models would make every
    # full collection in this process (the consumer's) slower than in a service.
    records = outbox_records([accepted(condition) for _ in range(0 if steady else n)])
    seeded_ids = [record[0] for record in records]
    seeded_at = 0.0
    commits.expect(n)
    if args.gc_freeze:
        # Everything alive now (modules, pools, the seeded events) moves out of the collector's sight.
        gc.freeze()
    consumer_task = asyncio.create_task(consumer.run())
    gc_pauses = GcPauses()
    async with contextlib.AsyncExitStack() as stack:
        start = stack.enter_async_context
        stack.enter_context(gc_pauses.watching())
        relay = await start(running_service(relay_config, in_process=args.in_process))
        await asyncio.wait_for(relay.ready, 60)
        await _until_consumer_exists(bench.js, subscription)
        servers_before = bench.servers.sample()
        cpu_before = time.process_time()
        if steady:
            load_config = common | {
                "role": "load",
                "rate": args.rate,
                "duration": load_seconds,
                "tick_ms": args.tick_ms,
            }
            load_config["pool_size"] = 16
            load = await start(running_service(load_config, in_process=args.in_process))
            await asyncio.wait_for(load.ready, 60)
            progress(f"steady: {n} events at {args.rate:g}/s")
            started = time.perf_counter()
            finished = await commits.wait(timeout=load_seconds + 60)
        else:
            progress(f"full: seeding {n} outbox rows; relay and consumer running")
            # The relay is already waiting: it wakes on the seed's NOTIFY, as it would in service.
            seeded_at = await seed_outbox(producer_url, records)
            records.clear()
            started = time.perf_counter()
            relay_done = asyncio.create_task(_until_published(producer_engine, started))
            finished = await commits.wait(timeout=max(120.0, n / 100))
        elapsed = time.perf_counter() - started
        # The consumer acks after its commit: let it finish before its CPU is read and it is stopped.
        await _until_acked(bench.js, subscription)
        consumer_cpu = time.process_time() - cpu_before
        servers_after = bench.servers.sample()
        consumer_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer_task
    note = "" if finished else "TIMED OUT"
    rows: list[Row] = []
    if steady:
        produced = load.report.result()
        everything = {uuid.UUID(k): v for k, v in produced["committed"].items()}
        load_started = min(everything.values(), default=0.0)
        warm_up = {i: t for i, t in everything.items() if t - load_started < args.warmup}
        committed = {i: t for i, t in everything.items() if i not in warm_up}
        latencies = [commits.at[i] - t for i, t in committed.items() if i in commits.at]
        measured_seconds = elapsed - args.warmup
        rows.append(
            Row(
                phase,
                f"load: 1 tx per {f'{args.tick_ms:g} ms' if args.tick_ms else 'event'} at {args.rate:g}/s",
                len(everything),
                produced["seconds"],
            )
        )
        rows.append(
            latency_row(phase, "producer commit -> consumer commit", measured_seconds, latencies, note)
        )
        # The relay stamps published_at after the PubAck: it splits the latency in two legs.
        published = await published_times(producer_engine)
        to_relay = [published[i] - t for i, t in committed.items() if i in published]
        to_consumer = [commits.at[i] - published[i] for i in committed if i in published and i in commits.at]
        rows.append(latency_row(phase, "  leg 1: producer commit -> PubAck", measured_seconds, to_relay))
        rows.append(latency_row(phase, "  leg 2: PubAck -> consumer commit", measured_seconds, to_consumer))
        warm_latencies = [commits.at[i] - t for i, t in warm_up.items() if i in commits.at]
        rows.append(
            latency_row(phase, f"  warm-up (first {args.warmup:g} s, not above)", args.warmup, warm_latencies)
        )
    else:
        relay_seconds = await asyncio.wait_for(relay_done, 30) if finished else elapsed
        latencies = [commits.at[i] - seeded_at for i in seeded_ids if i in commits.at]
        rows.append(Row(phase, "relay: outbox -> PubAck -> marked", n, relay_seconds))
        rows.append(
            latency_row(
                phase,
                "end to end: seeded -> consumer commit",
                elapsed,
                latencies,
                note or "latency = time spent in the backlog",
            )
        )
    cpu = CpuUse(
        {
            "relay": relay.report.result()["cpu_seconds"],
            **({"load generator": load.report.result()["cpu_seconds"]} if steady else {}),
            "consumer": consumer_cpu if not args.in_process else None,
            **{k: servers_after[k] - v for k, v in servers_before.items() if k in servers_after},
        }
    )
    if args.in_process:
        cpu.parts["relay+consumer"] = consumer_cpu
    checks = await verify(bench, producer_engine, consumer_engine, subscription, n)
    await producer_engine.dispose()
    await consumer_engine.dispose()
    mean_batch = consumer.messages / max(consumer.batches, 1)
    batches = f"{consumer.batches} consumer batches of {mean_batch:.1f} messages on average"
    notes = [
        f"{phase}: checks {checks}; {batches}; consumer process GC: {gc_pauses.line()}",
        f"{phase}: {cpu.line(n)}",
    ]
    return PhaseResult(rows, notes, rate=len(latencies) / elapsed if not steady else 0.0)


async def published_times(engine: AsyncEngine) -> dict[uuid.UUID, float]:
    """When the relay marked each event published (wall-clock seconds)."""
    async with engine.connect() as conn:
        result = await conn.execute(select(outbox.c.event_id, outbox.c.published_at))
        return {event_id: at.timestamp() for event_id, at in result if at is not None}


async def _until_consumer_exists(js: JetStreamContext, subscription: Subscription) -> None:
    for _ in range(500):
        with contextlib.suppress(NotFoundError):
            await js.consumer_info(subscription.stream, subscription.name)
            return
        await asyncio.sleep(0.02)


async def _until_acked(js: JetStreamContext, subscription: Subscription, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        info = await js.consumer_info(subscription.stream, subscription.name)
        if not info.num_ack_pending and not info.num_pending:
            return
        await asyncio.sleep(0.01)


async def _until_published(engine: AsyncEngine, started: float) -> float:
    while await unpublished(engine):
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def verify(
    bench: Bench, producer: AsyncEngine, consumer: AsyncEngine, subscription: Subscription, n: int
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
    info = await bench.js.consumer_info(subscription.stream, subscription.name)
    if info.num_pending or info.num_ack_pending:
        problems.append(f"consumer pending {info.num_pending}, ack pending {info.num_ack_pending}")
    if info.num_redelivered:
        problems.append(f"{info.num_redelivered} redelivered")
    return "ok" if not problems else "; ".join(problems)


# --- main ---------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, infra: Any, pids: dict[str, int]) -> None:
    """Every phase asked for, then the table."""
    user, password = infra.nats_credentials.get("operator", (None, None))
    nc = await connect(infra.nats_url, user, password)
    js = nc.jetstream()
    await ensure_streams(js, ALL_STREAMS, ServiceSettings())
    rows: list[Row] = []
    notes: list[str] = []
    load_before = os.getloadavg()
    with CommitTimes().listening() as commits:
        bench = Bench(
            args, infra.nats_url, user, password, infra.create_database, js, commits, ServerCpu(pids)
        )
        if "raw" in args.phases:
            rows += await raw_phase(js, args.events, uuid.uuid4().hex[:8])
        if "full" in args.phases:
            result = await full_path(bench, steady=False)
            rows += result.rows
            notes += result.notes
            raw_best = max((r.rate for r in rows if r.phase == "raw" and "publish" in r.what), default=0)
            if raw_best:
                notes.append(
                    f"full path / best raw publish rate: {result.rate:,.0f} / {raw_best:,.0f} "
                    f"= {result.rate / raw_best:.0%} (target >= 50%)"
                )
        if "steady" in args.phases:
            result = await full_path(bench, steady=True)
            rows += result.rows
            notes += [*result.notes, "steady target: p99 < 50 ms"]
    versions = await versions_of(infra)
    await nc.close()
    print()
    print_table(rows)
    print()
    for note in notes:
        print(note)
    layout = "one process" if args.in_process else "relay, load generator and consumer in separate processes"
    relay_batch = args.relay_batch or "default"
    consumer_batch = args.consumer_batch or "default"
    gc_note = "" if args.gc_freeze else "; no gc.freeze()"
    print(
        f"layout: {layout}; {args.handler} handler; relay batch {relay_batch}, "
        f"consumer batch {consumer_batch}{gc_note}"
    )
    load = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(load_before, os.getloadavg(), strict=True))
    print(f"load average (1/5/15 min) before/after: {load}")
    print(machine_description(*versions))


async def versions_of(infra: Any) -> tuple[str, str]:
    nats_version = "?"
    if infra.nats_monitor_url:
        with contextlib.suppress(Exception):
            varz = await asyncio.to_thread(_get_json, f"{infra.nats_monitor_url}/varz")
            nats_version = str(varz.get("version", "?"))
    conn = await asyncpg.connect(asyncpg_dsn(infra.admin_database_url))
    try:
        postgres_version = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    return nats_version, postgres_version


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.load(response))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000, help="events for the raw and full-speed phases")
    parser.add_argument("--rate", type=float, default=1000.0, help="events/s in the steady phase")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the steady phase")
    parser.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        help="seconds of steady load before the measured duration, reported apart",
    )
    parser.add_argument(
        "--tick-ms",
        type=float,
        default=5.0,
        help="steady phase: commit the events due every this many ms in one transaction (0: one per event)",
    )
    parser.add_argument("--relay-batch", type=int, default=None, help="OutboxRelay batch_size")
    parser.add_argument("--consumer-batch", type=int, default=None, help="EventConsumer batch_size")
    parser.add_argument(
        "--handler",
        choices=("batch", "per-event"),
        default="batch",
        help="the consumer's handler: one set-wise upsert per batch, or one upsert per event",
    )
    parser.add_argument("--in-process", action="store_true", help="run relay and consumer in one process")
    parser.add_argument(
        "--phases", default="raw,full,steady", help="comma-separated subset of raw,full,steady"
    )
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="skip the gc.freeze() every service does after start-up (shows what full collections cost)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    # Warnings only, on stderr: the figures go to stdout.
    configure_logging("bench", fmt="console", level="warning")
    if args.child:
        asyncio.run(child_main(json.loads(args.child)))
        return
    from peer_support_cli.embedded import EmbeddedInfrastructure

    # Not under /tmp/pytest-of-<user>: pytest resets that to 0700, which locks out Postgres's account.
    data_dir = Path(tempfile.mkdtemp(prefix="peer-bus-bench-"))
    try:
        launcher = EmbeddedInfrastructure(data_dir, nats_port=0, postgres_port=0, nats_monitor_port=0)
        with launcher as infra:
            asyncio.run(run(args, infra, launcher.pids))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
