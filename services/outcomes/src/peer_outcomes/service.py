"""The outcomes service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_outcomes.app import create_app
from peer_outcomes.consumers.subscriptions import subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import MIGRATIONS
from peer_shared.contracts.streams import streams_of
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor(
    name="outcomes",
    module="peer_outcomes",
    settings=OutcomesSettings,
    create_app=create_app,
    migrations=MIGRATIONS,
    subscriptions=subscriptions,
    streams=streams_of("outcomes"),
    summary="PAM results and the programme reports",
)
