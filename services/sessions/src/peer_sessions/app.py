"""Wires the sessions service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_sessions.handlers.events import subscriptions
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import MIGRATIONS
from peer_shared.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: SessionsSettings | None = None) -> FastAPI:
    """Build the sessions service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or SessionsSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    app = FastAPI(title="Peer support: sessions", version="0.1.0", lifespan=runtime.lifespan)
    app.include_router(health_router)
    return app
