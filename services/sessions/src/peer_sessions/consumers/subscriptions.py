"""The durable consumers of the sessions service."""

from peer_sessions.handlers.events import subscriptions

__all__ = ["subscriptions"]
