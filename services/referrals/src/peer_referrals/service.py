"""The referrals service's descriptor: what the CLI, the launcher and the test kit need to run it."""

from __future__ import annotations

from peer_referrals.app import create_app
from peer_referrals.consumers.subscriptions import subscriptions
from peer_referrals.settings import ReferralsSettings
from peer_referrals.store import MIGRATIONS
from peer_shared.contracts.streams import streams_of
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor(
    name="referrals",
    module="peer_referrals",
    settings=ReferralsSettings,
    create_app=create_app,
    migrations=MIGRATIONS,
    subscriptions=subscriptions,
    streams=streams_of("referrals"),
    summary="Referrals from NHS feeds, patient identity, consent and triage",
)
