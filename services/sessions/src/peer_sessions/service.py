"""The sessions service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_sessions.app import create_app
from peer_sessions.consumers.subscriptions import subscriptions
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import MIGRATIONS
from peer_shared.contracts.streams import streams_of
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor(
    name="sessions",
    module="peer_sessions",
    settings=SessionsSettings,
    create_app=create_app,
    migrations=MIGRATIONS,
    subscriptions=subscriptions,
    streams=streams_of("sessions"),
    summary="Pairings, sessions, goals and safeguarding concerns",
)
