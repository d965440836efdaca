"""Phase `steady`: latency at a steady rate, from the producer's commit to the consumer's."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid

from .databases import published_times
from .path import Figures, PathUnderTest
from .processes import RunningService, running_service
from .report import Row, latency_row, progress

LOAD_POOL_SIZE = 16
"""The load generator's connections: enough that a slow commit does not hold up the schedule."""


class SteadyRate:
    """A load generator (its own process) commits outbox rows at `--rate`/s for warm-up + `--duration` s.

    The warm-up (first connections, statements prepared, caches filled) is checked like the rest but
    reported apart from the figures.
    """

    phase = "steady"

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args
        self._load_seconds: float = args.warmup + args.duration
        self.events = int(args.rate * self._load_seconds)
        self._load: RunningService | None = None

    def prepare(self, condition: str) -> None:
        """Nothing: the load generator builds its own events before its clock starts."""

    async def drive(self, path: PathUnderTest, stack: contextlib.AsyncExitStack) -> tuple[float, bool]:
        """Start the load generator and wait until the consumer has committed every event it sends."""
        args = self._args
        load_config = path.service_config(
            "load",
            rate=args.rate,
            duration=self._load_seconds,
            tick_ms=args.tick_ms,
            pool_size=LOAD_POOL_SIZE,
        )
        self._load = await stack.enter_async_context(running_service(load_config, in_process=args.in_process))
        await asyncio.wait_for(self._load.ready, 60)
        progress(f"steady: {self.events} events at {args.rate:g}/s")
        started = time.perf_counter()
        finished = await path.bench.commits.wait(timeout=self._load_seconds + 60)
        return started, finished

    async def figures(self, path: PathUnderTest, elapsed: float, finished: bool) -> Figures:
        """Latency from the producer's commit to the consumer's, split at the relay's PubAck."""
        assert self._load is not None
        args, phase, commits = self._args, self.phase, path.bench.commits.at
        produced = self._load.report.result()
        everything = {uuid.UUID(k): v for k, v in produced["committed"].items()}
        load_started = min(everything.values(), default=0.0)
        warm_up = {i: t for i, t in everything.items() if t - load_started < args.warmup}
        committed = {i: t for i, t in everything.items() if i not in warm_up}
        latencies = [commits[i] - t for i, t in committed.items() if i in commits]
        seconds = elapsed - args.warmup
        tick = f"{args.tick_ms:g} ms" if args.tick_ms else "event"
        note = "" if finished else "TIMED OUT"
        # The relay stamps published_at after the PubAck: it splits the latency in two legs.
        published = await published_times(path.producer_engine)
        to_relay = [published[i] - t for i, t in committed.items() if i in published]
        to_consumer = [commits[i] - published[i] for i in committed if i in published and i in commits]
        warm_latencies = [commits[i] - t for i, t in warm_up.items() if i in commits]
        rows = [
            Row(phase, f"load: 1 tx per {tick} at {args.rate:g}/s", len(everything), produced["seconds"]),
            latency_row(phase, "producer commit -> consumer commit", seconds, latencies, note),
            latency_row(phase, "  leg 1: producer commit -> PubAck", seconds, to_relay),
            latency_row(phase, "  leg 2: PubAck -> consumer commit", seconds, to_consumer),
            latency_row(
                phase, f"  warm-up (first {args.warmup:g} s, not above)", args.warmup, warm_latencies
            ),
        ]
        return Figures(rows, producer_cpu={"load generator": produced["cpu_seconds"]})
