"""The groups service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_groups.app import create_app
from peer_groups.consumers.subscriptions import subscriptions
from peer_groups.settings import GroupsSettings
from peer_groups.store import MIGRATIONS
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor.event_driven("groups", GroupsSettings, create_app, MIGRATIONS, subscriptions)
