"""The matching service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_matching.app import create_app
from peer_matching.consumers.subscriptions import subscriptions
from peer_matching.settings import MatchingSettings
from peer_matching.store import MIGRATIONS
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor.event_driven("matching", MatchingSettings, create_app, MIGRATIONS, subscriptions)
