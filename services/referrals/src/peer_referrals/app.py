"""Wires the referrals service: settings, runtime (database, bus, auth), HTTP routes and the MLLP feed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from peer_referrals.handlers import fhir_routes, records_routes, referrer_routes, triage_routes
from peer_referrals.handlers.context import Context, referral_policy
from peer_referrals.handlers.events import subscriptions
from peer_referrals.handlers.hl7_feed import Hl7Feed
from peer_referrals.handlers.mllp_listener import MllpListener
from peer_referrals.service_layer.batching import IntakeBatcher
from peer_referrals.settings import ReferralsSettings
from peer_referrals.store import MIGRATIONS
from peer_shared.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: ReferralsSettings | None = None) -> FastAPI:
    """Build the referrals service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or ReferralsSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    context = Context(settings=settings, runtime=runtime, policy=referral_policy(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watchdog = _BusWatchdog(f"{settings.service_name}-bus")
        try:
            async with runtime.lifespan(app):
                context.intake = IntakeBatcher(runtime.sessions, runtime.clock)
                app.state.referrals = context
                listener = None
                if settings.mllp_port:
                    feed = Hl7Feed(context)
                    listener = MllpListener(settings, feed.handle, feed.refuse_oversized)
                    await listener.start()
                app.state.mllp = listener
                try:
                    yield
                finally:
                    # Before the database goes: messages in hand still get stored and acknowledged.
                    if listener is not None:
                        await listener.close()
                    await context.intake.close()
                    watchdog.start()
        finally:
            await watchdog.stop()

    app = FastAPI(title="Peer support: referrals", version="0.1.0", lifespan=lifespan)
    app.include_router(health_router)
    for module in (fhir_routes, triage_routes, records_routes, referrer_routes):
        app.include_router(module.router)
    return app


class _BusWatchdog:
    """Makes sure the runtime's bus task ends on shutdown (a workaround; see the report to the lead).

    On Python 3.11, `asyncio.wait_for` inside nats-py's `fetch` can swallow a cancellation that arrives
    as a message does; the consumer then fetches on for ever, its TaskGroup waits for it, and the
    runtime, which cancels its bus task once and waits, hangs. The watchdog repeats the cancellation of
    every task already asked to stop (the bus and its consumers) until the bus task has ended.
    """

    GRACE_SECONDS = 1.0
    INTERVAL_SECONDS = 0.5

    def __init__(self, task_name: str) -> None:
        self._task_name = task_name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin watching (the runtime's own shutdown gets a grace period first)."""
        self._task = asyncio.create_task(self._keep_cancelling(), name=f"{self._task_name}-watchdog")

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _keep_cancelling(self) -> None:
        await asyncio.sleep(self.GRACE_SECONDS)
        while any(t.get_name() == self._task_name for t in asyncio.all_tasks()):
            for task in asyncio.all_tasks():
                if task.cancelling() and not task.done():
                    task.cancel()
            await asyncio.sleep(self.INTERVAL_SECONDS)
