"""Wires the groups service: settings, runtime (database, bus, auth) and HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from peer_groups.consumers.subscriptions import subscriptions
from peer_groups.settings import GroupsSettings
from peer_groups.store import MIGRATIONS
from peer_shared.clock import Clock
from peer_shared.http.app import service_app
from peer_shared.runtime import ServiceRuntime


def create_app(settings: GroupsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the groups service's ASGI app; nothing connects until the lifespan starts."""
    settings = settings or GroupsSettings()
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, subscriptions=subscriptions, clock=clock)
    return service_app(
        title="Peer support: groups",
        description="Group peer-support programmes: cohorts, the waitlist, group sessions and measures.",
        runtime=runtime,
        routers=[],
    )
