"""Throughput and latency of the event bus: raw JetStream, then outbox -> relay -> JetStream -> consumer.

A script that prints figures, not a test. It starts the embedded NATS (the shipped nats.conf, so
`sync_interval: always`) and Postgres in a temporary folder and measures, in one run:

1. raw nats-py: pipelined JetStream publishes with PubAcks on a throwaway stream with the same storage
   settings as the real ones, and pull-consume + ack of the same messages;
2. the full path at full speed: outbox rows seeded in bulk (COPY), the real `OutboxRelay`, JetStream, and
   an `EventConsumer` whose handler writes a state row and emits its own event through `UnitOfWork.emit`
   (inbox claim + state + outbox in one transaction per batch), measured to the consumer's commit;
3. latency at a steady rate: a producer committing outbox rows (as an HTTP handler would) at `--rate`
   events/s, timed from that commit to the consumer's commit.

The relay runs in a child process (the producing service), the consumer in this one (the consuming
service), as they are deployed; the steady phase's load generator has a process of its own, so that what
it costs is not charged to the bus. `--in-process` runs them all in one event loop instead. Each phase
also reports the CPU milliseconds per event of every process (nats-server and Postgres included), the
consumer's batch sizes and its garbage-collector pauses: on a shared machine the CPU figures say more than
the rates.

    uv run python -m peer_bench.bus [--events 20000] [--rate 1000] [--duration 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from peer_events.streams import ALL_STREAMS
from peer_shared.bus import ensure_streams
from peer_shared.logging import configure_logging
from peer_shared.settings import ServiceSettings

from .full_path import FullSpeed
from .machine import load_average_line, machine_description, versions_of
from .measure import CommitTimes, ServerCpu
from .path import Bench, measure_path
from .processes import child_main, connect_nats
from .raw import raw_phase
from .report import Row, print_results
from .steady import SteadyRate

if TYPE_CHECKING:
    from peer_support_cli.embedded import Infrastructure


async def run(args: argparse.Namespace, infra: Infrastructure, pids: dict[str, int]) -> None:
    """Every phase asked for, then the table."""
    user, password = infra.nats_credentials.get("operator", (None, None))
    nc = await connect_nats(infra.nats_url, user, password)
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
            result = await measure_path(bench, FullSpeed(args))
            rows += result.rows
            notes += result.notes
            raw_best = max((r.rate for r in rows if r.phase == "raw" and "publish" in r.what), default=0)
            if raw_best:
                notes.append(
                    f"full path / best raw publish rate: {result.rate:,.0f} / {raw_best:,.0f} "
                    f"= {result.rate / raw_best:.0%} (target >= 50%)"
                )
        if "steady" in args.phases:
            result = await measure_path(bench, SteadyRate(args))
            rows += result.rows
            notes += [*result.notes, "steady target: p99 < 50 ms"]
    versions = await versions_of(infra)
    await nc.close()
    print_results(rows, notes, args, [load_average_line(load_before), machine_description(*versions)])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options (`--help` lists them)."""
    parser = argparse.ArgumentParser(
        prog="python -m peer_bench.bus",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    # A producing-side process started by `processes.running_service`: its configuration as JSON.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    """Start the embedded infrastructure, run the phases, print the figures."""
    args = parse_args()
    # Warnings only, on stderr: the figures go to stdout.
    configure_logging("bench", fmt="console", level="warning")
    if args.child:
        asyncio.run(child_main(json.loads(args.child)))
        return
    # Imported here, not above: the launcher knows every service, and the relay and load-generator
    # children (`--child`) should not carry them all.
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
