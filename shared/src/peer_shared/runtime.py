"""Wiring every service shares: settings -> logging, database, migrations, bus, auth.

`DatabaseRuntime` is the half every process with a database of its own needs (the web console uses it
alone); `ServiceRuntime` adds the bus (outbox relay, consumers) and token verification. A service's
`app.py` builds one and hands its `lifespan` to FastAPI; engines and clients are made there, never at
import time, and shut down in order (stop consuming, drain NATS, close the pool).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_shared.auth.revocation import RevocationList
from peer_shared.auth.tokens import TokenVerifier, load_public_key
from peer_shared.bus import Bus
from peer_shared.clock import Clock, clock_from_setting
from peer_shared.db import SessionFactory, make_engine, make_session_factory, migrate
from peer_shared.logging import configure_logging, get_logger
from peer_shared.messaging.subscription import Subscription
from peer_shared.messaging.unit_of_work import UnitOfWork, unit_of_work
from peer_shared.settings import ServiceSettings

log = get_logger(__name__)

SubscriptionFactory = Callable[[ServiceSettings], Sequence[Subscription]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


class DatabaseRuntime:
    """The live parts of a process that owns a database: settings, clock, migrations, sessions."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        migrations: Path,
        clock: Clock | None = None,
        pool_size: int = 10,
    ) -> None:
        self.settings = settings
        self.clock = clock or clock_from_setting(settings.clock_start, settings.clock_file)
        self._migrations = migrations
        self._pool_size = pool_size
        self._sessions: SessionFactory | None = None

    @property
    def sessions(self) -> SessionFactory:
        """The session factory (available once the lifespan has started)."""
        if self._sessions is None:
            raise RuntimeError("the service has not started")
        return self._sessions

    def unit_of_work(self) -> contextlib.AbstractAsyncContextManager[UnitOfWork]:
        """A transaction with an outbox, for HTTP handlers."""
        return unit_of_work(self.sessions, self.clock)

    @contextlib.asynccontextmanager
    async def database(self) -> AsyncIterator[AsyncEngine]:
        """Configure logging, migrate the database and open its pool; close the pool on the way out."""
        s = self.settings
        configure_logging(s.service_name, fmt=s.log_format, level=s.log_level)
        url = s.database_url.get_secret_value()
        engine = make_engine(url, pool_size=self._pool_size)
        await migrate(self._migrations, url)
        self._sessions = make_session_factory(engine)
        try:
            yield engine
        finally:
            await engine.dispose()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Start the database half, and stop it on shutdown."""
        async with self.database():
            app.state.runtime = self
            _freeze_startup_objects()
            log.info("service started", http_port=self.settings.http_port)
            try:
                yield
            finally:
                log.info("service stopped")


class ServiceRuntime(DatabaseRuntime):
    """The live parts of one service process: the database half, the bus and token verification."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        migrations: Path,
        subscriptions: SubscriptionFactory = lambda _settings: (),
        clock: Clock | None = None,
    ) -> None:
        super().__init__(settings, migrations=migrations, clock=clock)
        self.revocations = RevocationList()
        self.verifier = TokenVerifier(
            {issuer: load_public_key(key) for issuer, key in settings.auth_public_keys.items()},
            self.revocations,
            self.clock,
        )
        self._subscriptions = subscriptions
        self.bus: Bus | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Start the service's resources, and stop them in order on shutdown."""
        s = self.settings
        async with self.database() as engine:
            self.bus = Bus(
                s,
                engine=engine,
                sessions=self.sessions,
                clock=self.clock,
                subscriptions=self._subscriptions(s),
                revocations=self.revocations,
            )
            app.state.runtime = self
            app.state.token_verifier = self.verifier
            bus_task = asyncio.create_task(self.bus.run(), name=f"{s.service_name}-bus")
            bus_task.add_done_callback(_report_crash)
            _freeze_startup_objects()
            log.info("service started", http_port=s.http_port)
            try:
                yield
            finally:
                bus_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await bus_task
                with contextlib.suppress(Exception):
                    await self.bus.close()
                log.info("service stopped")


def _freeze_startup_objects() -> None:
    """Move everything alive after start-up (modules, models, pools) out of the collector's sight.

    A full collection otherwise walks all of it: measured 80-120 ms pauses in a consumer process,
    which were most of the bus's p99 latency at a steady 1,000 events/s (bench/README.md). Garbage is
    collected first, so nothing that is already unreachable is kept forever.
    """
    gc.collect()
    gc.freeze()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("bus stopped unexpectedly", error=repr(task.exception()))
