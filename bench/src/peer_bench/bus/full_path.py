"""Phase `full`: the full path at full speed, from a backlog of outbox rows to the consumer's commits."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid

from .checks import until_published
from .databases import OutboxRecord, outbox_records, seed_outbox
from .path import Figures, PathUnderTest
from .report import Row, latency_row, progress
from .workload import accepted


class FullSpeed:
    """`--events` outbox rows COPYed in one transaction; the relay wakes on its NOTIFY, as in service."""

    phase = "full"

    def __init__(self, args: argparse.Namespace) -> None:
        self.events: int = args.events
        self._records: list[OutboxRecord] = []
        self._seeded_ids: list[uuid.UUID] = []
        self._seeded_at = 0.0
        self._relay_done: asyncio.Task[float] | None = None

    def prepare(self, condition: str) -> None:
        """Build the rows; only their ids are kept as objects, as 20,000 live models would make every
        full collection in this process (the consumer's) slower than in a service."""
        self._records = outbox_records([accepted(condition) for _ in range(self.events)])
        self._seeded_ids = [record[0] for record in self._records]

    async def drive(self, path: PathUnderTest, stack: contextlib.AsyncExitStack) -> tuple[float, bool]:
        """Seed the backlog (the relay is already waiting) and wait for the consumer's last commit."""
        progress(f"full: seeding {self.events} outbox rows; relay and consumer running")
        self._seeded_at = await seed_outbox(path.producer_url, self._records)
        self._records.clear()
        started = time.perf_counter()
        self._relay_done = asyncio.create_task(until_published(path.producer_engine, started))
        finished = await path.bench.commits.wait(timeout=max(120.0, self.events / 100))
        return started, finished

    async def figures(self, path: PathUnderTest, elapsed: float, finished: bool) -> Figures:
        """The relay's rate, and the end-to-end rate with the time each event spent in the backlog."""
        assert self._relay_done is not None
        relay_seconds = await asyncio.wait_for(self._relay_done, 30) if finished else elapsed
        commits = path.bench.commits.at
        latencies = [commits[i] - self._seeded_at for i in self._seeded_ids if i in commits]
        note = "" if finished else "TIMED OUT"
        rows = [
            Row(self.phase, "relay: outbox -> PubAck -> marked", self.events, relay_seconds),
            latency_row(
                self.phase,
                "end to end: seeded -> consumer commit",
                elapsed,
                latencies,
                note or "latency = time spent in the backlog",
            ),
        ]
        return Figures(rows, rate=len(latencies) / elapsed)
