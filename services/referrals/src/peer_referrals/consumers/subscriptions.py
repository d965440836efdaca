"""The durable consumers of the referrals service."""

from peer_referrals.handlers.events import subscriptions

__all__ = ["subscriptions"]
