"""Wires the outcomes service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_outcomes.api import pam, reports
from peer_outcomes.consumers.subscriptions import subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import MIGRATIONS
from peer_shared.clock import Clock
from peer_shared.http.app import service_app
from peer_shared.runtime import ServiceRuntime


def create_app(settings: OutcomesSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the outcomes service's ASGI app; nothing connects until the lifespan starts.

    `clock` replaces the configured one (tests and scenarios that run at a chosen date).
    """
    settings = settings or OutcomesSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions, clock=clock)
    app = service_app(
        title="Peer support: outcomes",
        description="PAM results (coordinators) and programme reports (coordinators and commissioners).",
        runtime=runtime,
        routers=[pam.router, reports.router],
    )
    return app
