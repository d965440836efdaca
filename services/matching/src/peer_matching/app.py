"""Wires the matching service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from peer_matching.handlers import matches_api, mentors_api
from peer_matching.handlers.events import subscriptions
from peer_matching.handlers.registry import RegistryError
from peer_matching.settings import MatchingSettings
from peer_matching.store import MIGRATIONS
from peer_shared.http.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    """Build the matching service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or MatchingSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions)
    app = FastAPI(title="Peer support: matching", version="0.1.0", lifespan=runtime.lifespan)
    app.include_router(health_router)
    app.include_router(mentors_api.router)
    app.include_router(matches_api.router)
    app.add_exception_handler(RegistryError, _refused)  # type: ignore[arg-type]
    return app


async def _refused(_: Request, error: RegistryError) -> JSONResponse:
    return JSONResponse({"detail": {"code": error.code, "message": error.message}}, status_code=error.status)
