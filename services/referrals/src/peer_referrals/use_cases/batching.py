"""Group commit for referrals arriving together: one transaction for many concurrent requests.

Each request still gets its answer only after its referral and outbox row are committed; what changes is
that requests arriving while a transaction is in flight share the next one, so the database's per-commit
cost (round trips, WAL flush) is paid once per batch instead of once per referral. A lone request goes
straight through: there is no waiting for company.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from peer_referrals.domain.validation import ValidReferral
from peer_referrals.use_cases.intake import Received, receive_each
from peer_shared.clock import Clock
from peer_shared.db import SessionFactory
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import unit_of_work

log = get_logger(__name__)


@dataclass
class _Pending:
    referral: ValidReferral
    submitted_by: str | None
    answer: asyncio.Future[Received]


class IntakeBatcher:
    """Takes valid referrals from many concurrent callers and stores them in shared transactions."""

    def __init__(
        self, sessions: SessionFactory, clock: Clock, *, max_batch: int = 200, workers: int = 2
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._workers = [asyncio.create_task(self._work(), name=f"intake-{n}") for n in range(workers)]

    async def submit(self, referral: ValidReferral, submitted_by: str | None) -> Received:
        """Store one referral; returns once it is committed, raises if its transaction failed."""
        answer: asyncio.Future[Received] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(referral, submitted_by, answer))
        return await answer

    async def close(self) -> None:
        """Finish what was submitted, then stop."""
        await self._queue.join()
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._store(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _store(self, batch: list[_Pending]) -> None:
        try:
            async with unit_of_work(self._sessions, self._clock) as uow:
                results = await receive_each(uow, [(p.referral, p.submitted_by) for p in batch])
        except Exception as exc:
            # The type only: a database error's text quotes the statement's parameters (identifiers).
            log.warning("referral batch not stored", size=len(batch), error=type(exc).__name__)
            for pending in batch:
                if not pending.answer.done():
                    pending.answer.set_exception(exc)
            return
        for pending, result in zip(batch, results, strict=True):
            # A caller that went away (client disconnected) has a cancelled future; its referral is stored.
            if not pending.answer.done():
                pending.answer.set_result(result)
