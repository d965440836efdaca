"""Rebuilding the outcomes projections from the streams: events/s, peak memory, then the report's time.

A script that prints figures, not a test. It starts the embedded NATS (the shipped nats.conf, so
`sync_interval: always`) and Postgres in a temporary folder, publishes `--events` synthetic events of a
realistic mix (referral, triage, match, pairing, about a dozen sessions, completion and two PAM results
per mentee, plus the mentor workforce) to the real streams under a condition of its own, then:

1. runs the real rebuild command (`python -m peer_outcomes.commands`) in a child process, as an operator
   would, and reports its events/s and peak resident memory;
2. produces the programme report for the whole year from the rebuilt projections (read, compute,
   disclosure control, HTML and CSV), timing each step.

    uv run python -m peer_bench.outcomes_rebuild [--events 1000000] [--batch 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nats

from peer_bench.outcomes_events import synthetic_events
from peer_events.streams import ALL_STREAMS
from peer_events.subjects import subject_for
from peer_outcomes.api.rendering.csv_export import report_csv
from peer_outcomes.api.rendering.html_report import report_html
from peer_outcomes.domain.disclosure import disclose
from peer_outcomes.domain.periods import date_range
from peer_outcomes.domain.report import build_report
from peer_outcomes.service import SERVICE as OUTCOMES
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store.report_reads import mentee_facts, mentor_facts
from peer_shared.bus import ensure_streams
from peer_shared.db import make_engine, make_session_factory, migrate
from peer_shared.messaging.outbox import headers_of
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure


async def publish(nats_url: str, user: str | None, password: str | None, n: int, condition: str) -> float:
    """Publish `n` events with pipelined PubAcks; returns seconds taken."""
    nc = await nats.connect(nats_url, user=user, password=password)
    js = nc.jetstream()
    await ensure_streams(js, ALL_STREAMS, ServiceSettings())
    started = time.perf_counter()
    window: list[asyncio.Future[Any]] = []
    for i, event in enumerate(synthetic_events(n, condition), start=1):
        payload = event.model_dump_json().encode()
        window.append(await js.publish_async(subject_for(event), payload, headers=headers_of(event)))
        if len(window) == 4000:
            await asyncio.wait_for(asyncio.gather(*window), 60)
            window = []
        if i % 100_000 == 0:
            print(f"  published {i:,} ({i / (time.perf_counter() - started):,.0f}/s)", flush=True)
    await asyncio.wait_for(asyncio.gather(*window), 60)
    elapsed = time.perf_counter() - started
    await nc.close()
    return elapsed


def rebuild(infra: Infrastructure, database_url: str, condition: str, batch: int) -> tuple[str, float, float]:
    """Run the real rebuild command in a child process: its output, wall seconds and peak RSS in MiB."""
    user, password = infra.nats_credentials.get(OUTCOMES.name, (None, None))
    env = {
        **os.environ,
        "PEER_DATABASE_URL": database_url,
        "PEER_NATS_URL": infra.nats_url,
        "PEER_CONDITIONS": json.dumps([condition]),
        "PEER_CONSUMER_NAME_PREFIX": f"{condition}-",
        "PEER_REBUILD_BATCH_SIZE": str(batch),
        "PEER_LOG_FORMAT": "console",
        "PEER_LOG_LEVEL": "warning",
    }
    if user:
        env |= {"PEER_NATS_USER": user, "PEER_NATS_PASSWORD": password or ""}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"{OUTCOMES.module}.commands"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return done.stdout.strip(), seconds, peak_mib


async def time_report(database_url: str, condition: str) -> list[tuple[str, float]]:
    """Produce the whole-year report from the projections, timing each step."""
    settings = OutcomesSettings(database_url=database_url, conditions=[condition])
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    period = date_range(date(2025, 4, 1), date(2026, 3, 31))
    steps: list[tuple[str, float]] = []
    try:
        started = time.perf_counter()
        async with sessions() as session:
            mentees = await mentee_facts(session, period, conditions=[condition])
            mentors = await mentor_facts(session, conditions=[condition])
        steps.append((f"read projections ({len(mentees):,} mentees)", time.perf_counter() - started))
        mark = time.perf_counter()
        report = build_report(
            mentees, mentors, period, settings.locality_map(), generated_at=datetime.now(UTC)
        )
        steps.append(("compute figures (total + 4 breakdowns)", time.perf_counter() - mark))
        mark = time.perf_counter()
        shown = disclose(report.tree, report.constraints, settings.suppression_threshold)
        steps.append(("disclosure control", time.perf_counter() - mark))
        mark = time.perf_counter()
        report_html(shown)
        report_csv(shown)
        steps.append(("HTML and CSV", time.perf_counter() - mark))
        steps.append(("report in all", time.perf_counter() - started))
    finally:
        await engine.dispose()
    return steps


def main() -> None:
    """Start the infrastructure, publish, rebuild, report; print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m peer_bench.outcomes_rebuild",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="synthetic events to publish and rebuild"
    )
    parser.add_argument("--batch", type=int, default=5000, help="events per database write in the rebuild")
    args = parser.parse_args()
    condition = f"bench{uuid.uuid4().hex[:8]}"
    data_dir = Path(tempfile.mkdtemp(prefix="peer-outcomes-bench-"))
    try:
        with EmbeddedInfrastructure(data_dir, nats_port=0, postgres_port=0, nats_monitor_port=0) as infra:
            database_url = infra.create_database(f"bench_{uuid.uuid4().hex[:8]}")
            asyncio.run(migrate(OUTCOMES.migrations, database_url))
            user, password = infra.nats_credentials.get("operator", (None, None))
            print(f"publishing {args.events:,} synthetic events under condition {condition}", flush=True)
            published = asyncio.run(publish(infra.nats_url, user, password, args.events, condition))
            print(f"published in {published:.1f}s ({args.events / published:,.0f} events/s)\n", flush=True)
            print("rebuilding (python -m peer_outcomes.commands, child process)", flush=True)
            output, seconds, peak = rebuild(infra, database_url, condition, args.batch)
            print(f"  {output}")
            print(
                f"rebuild: {args.events:,} events in {seconds:.1f}s wall (process start included) = "
                f"{args.events / seconds:,.0f} events/s; peak RSS {peak:,.0f} MiB\n"
            )
            for step, step_seconds in asyncio.run(time_report(database_url, condition)):
                print(f"report: {step:<45} {step_seconds:8.2f}s")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} cores; load average now (1/5/15 min) {load}")


if __name__ == "__main__":
    main()
