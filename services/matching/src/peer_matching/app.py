"""Wires the matching service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_matching.api import matches, mentors
from peer_matching.consumers.subscriptions import subscriptions
from peer_matching.settings import MatchingSettings
from peer_matching.store import MIGRATIONS
from peer_shared.clock import Clock
from peer_shared.http.app import service_app
from peer_shared.runtime import ServiceRuntime


def create_app(settings: MatchingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the matching service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or MatchingSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions, clock=clock)
    app = service_app(
        title="Peer support: matching",
        description="The mentor registry, the waitlist, and matching mentees with mentors.",
        runtime=runtime,
        routers=[mentors.router, matches.router],
    )
    return app
