"""Wires the referrals service: settings, runtime (database, bus, auth), HTTP routes and the MLLP feed."""

from __future__ import annotations

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
from peer_shared.http.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: ReferralsSettings | None = None) -> FastAPI:
    """Build the referrals service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or ReferralsSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    context = Context(settings=settings, runtime=runtime, policy=referral_policy(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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

    app = FastAPI(title="Peer support: referrals", version="0.1.0", lifespan=lifespan)
    app.include_router(health_router)
    for module in (fhir_routes, triage_routes, records_routes, referrer_routes):
        app.include_router(module.router)
    return app
