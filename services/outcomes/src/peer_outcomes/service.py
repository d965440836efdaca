"""The outcomes service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_outcomes.app import create_app
from peer_outcomes.consumers.subscriptions import subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import MIGRATIONS
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor.event_driven("outcomes", OutcomesSettings, create_app, MIGRATIONS, subscriptions)
