"""Wires the referrals service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_referrals.handlers.events import subscriptions
from peer_referrals.settings import ReferralsSettings
from peer_referrals.store import MIGRATIONS
from peer_shared.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: ReferralsSettings | None = None) -> FastAPI:
    """Build the referrals service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or ReferralsSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    app = FastAPI(title="Peer support: referrals", version="0.1.0", lifespan=runtime.lifespan)
    app.include_router(health_router)
    return app
