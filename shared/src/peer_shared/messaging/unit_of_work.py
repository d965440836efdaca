"""The unit of work: one transaction that holds a state change and the events it raises."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.envelope import CloudEvent
from peer_shared.clock import Clock
from peer_shared.db import SessionFactory
from peer_shared.messaging.outbox import put_in_outbox


@dataclass
class UnitOfWork:
    """What a handler (event or HTTP) gets: the open transaction, the clock, and a way to emit events."""

    session: AsyncSession
    clock: Clock

    async def emit(self, *events: CloudEvent[Any]) -> None:
        """Stage events in this transaction's outbox; they are published only if it commits."""
        await put_in_outbox(self.session, events)


@asynccontextmanager
async def unit_of_work(sessions: SessionFactory, clock: Clock) -> AsyncIterator[UnitOfWork]:
    """Open a transaction; commit on a clean exit, roll back on an exception."""
    async with sessions() as session, session.begin():
        yield UnitOfWork(session=session, clock=clock)
