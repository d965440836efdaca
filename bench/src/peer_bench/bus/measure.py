"""What the benchmark measures besides rates: commit times, collector pauses, batch sizes, CPU per process."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import os
import time
import uuid
from collections.abc import Iterator

import psutil  # type: ignore[import-untyped,unused-ignore]
from nats.aio.msg import Msg
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from peer_shared.messaging.consumer import EventConsumer

from .workload import COMMITTED_KEY


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


class CountingConsumer(EventConsumer):
    """An `EventConsumer` that counts the batches it processes (their sizes explain its cost)."""

    batches = 0
    messages = 0

    async def process(self, msgs: list[Msg]) -> None:
        """Count, then process as usual."""
        self.batches += 1
        self.messages += len(msgs)
        await super().process(msgs)

    def batches_line(self) -> str:
        """How many batches it processed, and their mean size."""
        mean_batch = self.messages / max(self.batches, 1)
        return f"{self.batches} consumer batches of {mean_batch:.1f} messages on average"


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
