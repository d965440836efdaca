"""The durable consumers of the matching service."""

from peer_matching.handlers.events import subscriptions

__all__ = ["subscriptions"]
