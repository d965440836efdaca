"""The durable consumers of the outcomes service."""

from peer_outcomes.handlers.events import subscriptions

__all__ = ["subscriptions"]
