"""Wires the matching service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_matching.handlers.events import subscriptions
from peer_matching.settings import MatchingSettings
from peer_matching.store import MIGRATIONS
from peer_shared.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    """Build the matching service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or MatchingSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    app = FastAPI(title="Peer support: matching", version="0.1.0", lifespan=runtime.lifespan)
    app.include_router(health_router)
    return app
