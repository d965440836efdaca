"""Figures for the sessions service on this machine: a script that prints numbers, not a test.

It starts the embedded NATS and Postgres in a temporary folder, runs the sessions service in-process
(the real app: migrations, relays, consumers, HTTP through ASGI) and measures:

1. pairings started from `MentorMatched`: events published to PEER_MATCHING in bulk, timed until every
   pairing exists (consumer: inbox + pairing + `PairingStarted` outbox row per event, one transaction per
   fetched batch);
2. sessions logged over HTTP: concurrent clients logging sessions (with a goal each) on distinct pairings,
   each one transaction with its checks, locks and outbox rows; requests/s and latency percentiles;
3. safeguarding under a backlog: `--backlog` ordinary outbox rows inserted at once, then a concern raised
   over HTTP; the time until a subscriber on INTERNAL_SESSIONS has it, and how much of the backlog was
   still waiting then.

    uv run python -m peer_bench.sessions_load [--matches 5000] [--sessions 2000] [--concurrency 8]
        [--backlog 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select, text

from peer_events import new_event, subject_for, subject_of
from peer_events.codes import SessionMode
from peer_events.events.matching import ConfirmedBy, MatchMode, MentorMatched
from peer_events.events.safeguarding import SafeguardingConcernRaised
from peer_events.events.sessions import Attendance, SessionLogged
from peer_events.streams import ALL_STREAMS
from peer_sessions.service import SERVICE as SESSIONS
from peer_shared.auth import Role
from peer_shared.bus import ensure_streams
from peer_shared.clock import SystemClock
from peer_shared.db import SessionFactory
from peer_shared.messaging.outbox import DEFAULT_LANE, headers_of, put_in_outbox
from peer_shared.messaging.tables import outbox
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure
from peer_support_cli.embedded.service_config import service_settings
from peer_testkit.tokens import TokenIssuer

CLOCK = SystemClock()
CONDITION = f"b{uuid.uuid4().hex[:8]}"
PROGRAMME = "t2d-one-to-one"


@dataclass(frozen=True)
class RunningSessions:
    """The sessions service under load: an HTTP client through ASGI, its database, mentors' tokens."""

    client: httpx.AsyncClient
    sessions: SessionFactory
    tokens: TokenIssuer

    def mentor(self, mentor_id: str) -> dict[str, str]:
        """`Authorization` headers for a mentor."""
        return self.tokens.headers(Role.MENTOR, mentor_id)

    async def count_pairings(self) -> int:
        """Pairings the service holds."""
        async with self.sessions() as session:
            return int((await session.execute(text("SELECT count(*) FROM pairing"))).scalar_one())


@contextlib.asynccontextmanager
async def running_service(infra: Infrastructure) -> AsyncIterator[RunningSessions]:
    """The sessions service (its production settings) on the benchmark's infrastructure and condition."""
    url = infra.create_database(f"bench_{uuid.uuid4().hex[:12]}")
    values = service_settings(infra, SESSIONS.name, database_url=url)
    overrides = {"conditions": [CONDITION], "consumer_name_prefix": f"{CONDITION}-", "log_level": "warning"}
    settings = SESSIONS.settings_from(**(values | overrides))
    app = SESSIONS.create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client:
            yield RunningSessions(client, app.state.runtime.sessions, TokenIssuer(infra, CLOCK))


async def bench_matches(service: RunningSessions, js: JetStreamContext, count: int) -> list[tuple[str, str]]:
    """Publish `count` matches; time until every pairing exists. Returns (pairing id, mentor id) pairs."""
    events = [
        new_event(
            MentorMatched(
                match_id=f"mat_{uuid.uuid4().hex}",
                referral_id=f"ref_{uuid.uuid4().hex}",
                mentor_id=f"mnt_{uuid.uuid4().hex}",
                score=0.8,
                mode=MatchMode.AUTO,
                confirmed_by=ConfirmedBy.SYSTEM,
            ),
            clock=CLOCK,
            condition=CONDITION,
            programme=PROGRAMME,
        )
        for _ in range(count)
    ]
    started = time.perf_counter()
    for chunk in range(0, count, 1000):
        await asyncio.gather(
            *(
                js.publish(subject_for(e), e.model_dump_json().encode(), headers=headers_of(e))  # type: ignore[arg-type]
                for e in events[chunk : chunk + 1000]
            )
        )
    published = time.perf_counter() - started
    while await service.count_pairings() < count:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    print(f"1. MentorMatched -> pairing: {count} events published in {published:.2f}s; all pairings after")
    print(f"   {elapsed:.2f}s = {count / elapsed:,.0f} pairings/s (inbox + pairing + outbox, batched)")
    async with service.sessions() as session:
        rows = (await session.execute(text("SELECT id, mentor_id FROM pairing"))).all()
    return [(row.id, row.mentor_id) for row in rows]


async def bench_sessions(
    service: RunningSessions, pairs: list[tuple[str, str]], count: int, concurrency: int
) -> None:
    """Log `count` sessions over HTTP with `concurrency` clients; print rate and latency percentiles."""
    headers = {mentor: service.mentor(mentor) for _, mentor in pairs[:count]}
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in pairs[:count]:
        queue.put_nowait(item)
    latencies: list[float] = []
    starts_at = (datetime.now(UTC) - timedelta(hours=2)).isoformat()

    async def worker() -> None:
        while not queue.empty():
            pairing_id, mentor = queue.get_nowait()
            body: dict[str, Any] = {
                "starts_at": starts_at,
                "duration_minutes": 60,
                "mode": "cafe",
                "attendance": "attended",
                "topics": ["diet"],
                "notes": "benchmark notes",
                "new_goals": [{"topic": "diet", "what": "porridge", "confidence": 6}],
            }
            began = time.perf_counter()
            response = await service.client.post(
                f"/pairings/{pairing_id}/sessions", json=body, headers=headers[mentor]
            )
            latencies.append(time.perf_counter() - began)
            if response.status_code != 201:
                raise RuntimeError(response.text)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    done = len(latencies)
    print(f"2. POST /pairings/{{id}}/sessions: {done} sessions with {concurrency} clients in {elapsed:.2f}s")
    p50, p95, p99 = (cuts[n] * 1000 for n in (49, 94, 98))
    print(
        f"   = {done / elapsed:,.0f} requests/s; latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms"
    )


async def bench_safeguarding(
    service: RunningSessions, js: JetStreamContext, pair: tuple[str, str], backlog: int
) -> None:
    """Raise a concern behind `backlog` ordinary outbox rows; print its delivery time and the backlog left."""
    pairing_id, mentor = pair
    sessions = service.sessions
    template = new_event(
        SessionLogged(
            pairing_id=pairing_id, referral_id=f"ref_{uuid.uuid4().hex}", mentor_id=mentor,
            session_id=f"ses_{uuid.uuid4().hex}", revision=1, session_number=1, session_date=date(2026, 1, 5),
            attendance=Attendance.ATTENDED, duration_minutes=60, mode=SessionMode.CAFE,
        ),
        clock=CLOCK, condition=CONDITION, programme=PROGRAMME,
    )  # fmt: skip
    rows = [template.model_copy(update={"id": uuid.uuid4()}) for _ in range(backlog)]
    subscriber = await js.pull_subscribe(
        subject_of(SafeguardingConcernRaised, CONDITION),
        stream="INTERNAL_SESSIONS",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, ack_policy=AckPolicy.NONE),
    )
    async with sessions() as session, session.begin():
        await put_in_outbox(session, rows)
    drain_started = time.perf_counter()
    await asyncio.sleep(0.5)  # let the default lane's relay get going on the backlog
    headers = service.mentor(mentor)
    began = time.perf_counter()
    response = await service.client.post(
        f"/pairings/{pairing_id}/safeguarding-concerns",
        json={"category": "self-neglect", "urgency": "immediate"},
        headers=headers,
    )
    response.raise_for_status()
    await subscriber.fetch(1, timeout=30)
    latency = time.perf_counter() - began
    waiting_query = select(func.count()).where(outbox.c.lane == DEFAULT_LANE, outbox.c.published_at.is_(None))
    async with sessions() as session:
        waiting = int((await session.execute(waiting_query)).scalar_one())
    print(f"3. safeguarding concern behind {backlog:,} ordinary rows: on INTERNAL_SESSIONS after "
          f"{latency * 1000:.0f} ms, with {waiting:,} ordinary rows still waiting")  # fmt: skip
    while waiting:
        await asyncio.sleep(0.2)
        async with sessions() as session:
            waiting = int((await session.execute(waiting_query)).scalar_one())
    drained = time.perf_counter() - drain_started
    print(f"   the default lane drained the backlog in {drained:.1f}s = {backlog / drained:,.0f} events/s")
    await subscriber.unsubscribe()


async def run(args: argparse.Namespace) -> None:
    """Start the infrastructure and the service, then the three measurements."""
    with tempfile.TemporaryDirectory(prefix="sessions-bench-") as folder:
        ports = {"nats_port": 0, "postgres_port": 0, "nats_monitor_port": 0}
        with EmbeddedInfrastructure(Path(folder), **ports) as infra:
            user, password = infra.nats_credentials.get("operator", (None, None))
            nc = await nats.connect(infra.nats_url, user=user, password=password)
            js = nc.jetstream()
            await ensure_streams(js, ALL_STREAMS, ServiceSettings())
            async with running_service(infra) as service:
                pairs = await bench_matches(service, js, args.matches)
                await bench_sessions(service, pairs[1:], args.sessions, args.concurrency)
                await bench_safeguarding(service, js, pairs[0], args.backlog)
            await nc.drain()


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m peer_bench.sessions_load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--matches", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backlog", type=int, default=50_000)
    arguments = parser.parse_args()
    if arguments.sessions >= arguments.matches:
        parser.error("--sessions must be below --matches (one session per pairing, one pairing kept back)")
    asyncio.run(run(arguments))


if __name__ == "__main__":
    main()
