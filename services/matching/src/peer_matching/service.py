"""The matching service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_matching.app import create_app
from peer_matching.consumers.subscriptions import subscriptions
from peer_matching.settings import MatchingSettings
from peer_matching.store import MIGRATIONS
from peer_shared.contracts.streams import streams_of
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor(
    name="matching",
    module="peer_matching",
    settings=MatchingSettings,
    create_app=create_app,
    migrations=MIGRATIONS,
    subscriptions=subscriptions,
    streams=streams_of("matching"),
    summary="Mentors, their training and checks, capacity, the waitlist and matches",
)
