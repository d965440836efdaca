"""Wires the outcomes service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_outcomes.handlers.events import subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import MIGRATIONS
from peer_shared.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: OutcomesSettings | None = None) -> FastAPI:
    """Build the outcomes service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or OutcomesSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    app = FastAPI(title="Peer support: outcomes", version="0.1.0", lifespan=runtime.lifespan)
    app.include_router(health_router)
    return app
