"""The referrals service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_referrals.app import create_app
from peer_referrals.consumers.subscriptions import subscriptions
from peer_referrals.settings import ReferralsSettings
from peer_referrals.store import MIGRATIONS
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor.event_driven(
    "referrals", ReferralsSettings, create_app, MIGRATIONS, subscriptions
)
