"""The skeleton of every service's FastAPI app: title, lifespan, health, routes, problem details."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI

from peer_shared.http.health import router as health_router
from peer_shared.http.problems import Renderer, install_problem_handlers
from peer_shared.runtime import Lifespan


def service_app(
    *,
    title: str,
    description: str,
    lifespan: Lifespan,
    routers: Iterable[APIRouter],
    renderers: Iterable[tuple[str, Renderer]] = (),
) -> FastAPI:
    """A service's ASGI app: `/healthz`, `/readyz`, `/metrics`, its routers, and every error as a problem.

    Nothing connects until `lifespan` starts (engines and clients are built there, never at import time).
    """
    app = FastAPI(title=title, version="0.1.0", description=description, lifespan=lifespan)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app, renderers=renderers)
    return app
