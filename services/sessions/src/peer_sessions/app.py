"""Wires the sessions service: settings, runtime (database, bus, auth), HTTP routes, escalation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial

from fastapi import FastAPI

from peer_sessions.api import ROUTERS
from peer_sessions.consumers.subscriptions import subscriptions
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import MIGRATIONS
from peer_sessions.use_cases.escalation import escalate_overdue
from peer_shared.clock import Clock
from peer_shared.http.app import service_app
from peer_shared.messaging.periodic import run_periodically
from peer_shared.runtime import ServiceRuntime


def create_app(settings: SessionsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the sessions service's ASGI app; nothing connects until the lifespan starts.

    `clock` replaces the clock the settings describe (a test moves time on to see escalation).
    """
    configured = settings or SessionsSettings()
    runtime = ServiceRuntime(
        configured, migrations=MIGRATIONS, subscriptions=lambda _: subscriptions(configured), clock=clock
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            escalation = asyncio.create_task(
                run_periodically(
                    runtime.unit_of_work,
                    partial(escalate_overdue, intervals=configured.escalation_intervals()),
                    every=configured.safeguarding_check_seconds,
                    check="safeguarding escalation check",
                ),
                name="sessions-safeguarding-escalation",
            )
            try:
                yield
            finally:
                escalation.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await escalation

    return service_app(
        title="Peer support: sessions",
        description="Pairings, sessions, goals and safeguarding concerns of the peer support platform.",
        runtime=runtime,
        lifespan=lifespan,
        routers=ROUTERS,
    )
