"""Wires the outcomes service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_outcomes.handlers import pam_api, report_api
from peer_outcomes.handlers.events import subscriptions
from peer_outcomes.handlers.problems import install_problem_handlers
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import MIGRATIONS
from peer_shared.clock import Clock
from peer_shared.http.health import router as health_router
from peer_shared.runtime import ServiceRuntime


def create_app(settings: OutcomesSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the outcomes service's ASGI app; nothing connects until the lifespan starts.

    `clock` replaces the configured one (tests and scenarios that run at a chosen date).
    """
    settings = settings or OutcomesSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions, clock=clock)
    app = FastAPI(
        title="Peer support: outcomes",
        version="0.1.0",
        description="PAM results (coordinators) and programme reports (coordinators and commissioners).",
        lifespan=runtime.lifespan,
    )
    app.include_router(health_router)
    app.include_router(pam_api.router)
    app.include_router(report_api.router)
    install_problem_handlers(app)
    return app
