"""The outbox relay: publishes committed outbox rows to JetStream, exactly once as far as anyone sees.

One relay per lane leads at a time (a Postgres advisory lock held on a dedicated connection); replicas
wait and take over when the leader's connection goes away. The leader wakes on NOTIFY from committing
transactions, with a slow poll as a safety net, publishes a batch concurrently with `Nats-Msg-Id` = event
id, and marks rows published only after their PubAck. A crash between PubAck and marking re-publishes the
same ids: JetStream drops them as duplicates inside its window, consumers' inboxes after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import BigInteger, any_, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from peer_shared.cancellation import stop_if_cancelled
from peer_shared.clock import Clock
from peer_shared.db import SessionFactory
from peer_shared.logging import get_logger
from peer_shared.messaging.outbox import NOTIFY_CHANNEL
from peer_shared.messaging.tables import outbox
from peer_shared.metrics import EVENTS_PUBLISHED, PUBLISH_FAILURES

log = get_logger(__name__)

_MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
    .values(published_at=bindparam("at"))
)

PUBLISH_TIMEOUT_SECONDS = 10.0
RETENTION_SWEEP_SECONDS = 300.0


class OutboxRelay:
    """Publishes one lane of a service's outbox."""

    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        sessions: SessionFactory,
        js: JetStreamContext,
        clock: Clock,
        lane: str = "default",
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._service = service
        self._engine = engine
        self._sessions = sessions
        self._js = js
        self._clock = clock
        self._lane = lane
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retention = retention
        self._wake = asyncio.Event()
        self._lock_key = zlib.crc32(f"peer-outbox:{lane}".encode())
        self.is_leader = False

    async def run(self) -> None:
        """Relay until cancelled, standing by while another replica leads, recovering from outages."""
        while True:
            try:
                async with self._leadership() as conn:
                    await self._lead(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox relay interrupted", lane=self._lane, error=repr(exc))
                await asyncio.sleep(self._poll_seconds)

    @contextlib.asynccontextmanager
    async def _leadership(self) -> AsyncIterator[AsyncConnection]:
        """Wait until this relay holds the lane's advisory lock, listening for new rows while it does.

        The leader also reads and marks rows on this connection, in autocommit: one round trip per
        statement, no pool check-out per batch, and rows are only ever marked by the connection that holds
        the lock (if it dies, its queries fail with it).
        """
        conn = await self._engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            raw: Any = (await conn.get_raw_connection()).driver_connection
            while not await raw.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key):
                await asyncio.sleep(self._poll_seconds)
            await raw.add_listener(NOTIFY_CHANNEL, self._on_notify)
            self.is_leader = True
            log.info("outbox relay leading", lane=self._lane)
            try:
                yield conn
            finally:
                self.is_leader = False
        finally:
            # Closing (not returning to the pool) releases the session-level lock and the listener.
            await conn.invalidate()
            await conn.close()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload == self._lane:
            self._wake.set()

    async def _lead(self, conn: AsyncConnection) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = loop.time()
        while True:
            self._wake.clear()
            published = await self._publish_batch(conn)
            stop_if_cancelled()
            if loop.time() >= next_sweep:
                await self._sweep_retention()
                next_sweep = loop.time() + RETENTION_SWEEP_SECONDS
            if published < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_seconds):
                        await self._wake.wait()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were acknowledged by JetStream."""
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            return await self._publish_batch(conn)

    async def _publish_batch(self, conn: AsyncConnection) -> int:
        rows = (
            await conn.execute(
                select(outbox.c.id, outbox.c.subject, outbox.c.payload, outbox.c.headers)
                .where(outbox.c.published_at.is_(None), outbox.c.lane == self._lane)
                .order_by(outbox.c.id)
                .limit(self._batch_size)
            )
        ).all()
        if not rows:
            return 0
        results = await asyncio.gather(
            *(
                self._js.publish(
                    row.subject, row.payload, timeout=PUBLISH_TIMEOUT_SECONDS, headers=row.headers
                )
                for row in rows
            ),
            return_exceptions=True,
        )
        acked = [
            row.id for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)
        ]
        failures = [r for r in results if isinstance(r, BaseException)]
        if acked:
            # Only rows JetStream acknowledged, in one statement whatever their number (one array
            # parameter rather than an IN list of hundreds).
            await conn.execute(_MARK_PUBLISHED, {"ids": acked, "at": self._clock.now()})
            EVENTS_PUBLISHED.labels(self._service, self._lane).inc(len(acked))
        if failures:
            PUBLISH_FAILURES.labels(self._service, self._lane).inc(len(failures))
            log.warning(
                "outbox rows not acknowledged; will retry",
                lane=self._lane,
                failed=len(failures),
                error=repr(failures[0]),
            )
            await asyncio.sleep(self._poll_seconds)
        return len(acked)

    async def _sweep_retention(self) -> None:
        """Forget published rows older than the retention period (they stay in the streams)."""
        cutoff = self._clock.now() - self._retention
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(outbox).where(outbox.c.lane == self._lane, outbox.c.published_at < cutoff)
            )
