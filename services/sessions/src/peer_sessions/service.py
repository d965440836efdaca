"""The sessions service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_sessions.app import create_app
from peer_sessions.consumers.subscriptions import subscriptions
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import MIGRATIONS
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor.event_driven("sessions", SessionsSettings, create_app, MIGRATIONS, subscriptions)
