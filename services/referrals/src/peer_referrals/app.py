"""Wires the referrals service: settings, runtime (database, bus, auth), HTTP routes and the MLLP feed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from peer_referrals.api import records, referrer, triage
from peer_referrals.consumers.subscriptions import subscriptions
from peer_referrals.feeds.fhir import routes as fhir_routes
from peer_referrals.feeds.fhir.responses import problem_outcome
from peer_referrals.feeds.hl7.feed import Hl7Feed
from peer_referrals.feeds.hl7.mllp_listener import MllpListener
from peer_referrals.settings import ReferralsSettings
from peer_referrals.store import MIGRATIONS
from peer_referrals.use_cases.reception import Reception
from peer_shared.clock import Clock
from peer_shared.http.app import service_app
from peer_shared.runtime import ServiceRuntime


def create_app(settings: ReferralsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the referrals service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or ReferralsSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions, clock=clock)
    reception = Reception.configured(settings, runtime.clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            reception.start(runtime.sessions)
            listener = None
            if settings.mllp_port:
                feed = Hl7Feed(reception)
                listener = MllpListener(settings, feed.handle, feed.refuse_oversized)
                await listener.start()
            app.state.mllp = listener
            try:
                yield
            finally:
                # Before the database goes: messages in hand still get stored and acknowledged.
                if listener is not None:
                    await listener.close()
                await reception.close()

    app = service_app(
        title="Peer support: referrals",
        description="Referrals from the NHS (FHIR, HL7 v2 over MLLP, CSV), triage and identifiable records.",
        runtime=runtime,
        lifespan=lifespan,
        routers=[fhir_routes.router, triage.router, records.router, referrer.router],
        renderers=[("/fhir", problem_outcome)],
    )
    app.state.reception = reception
    return app
