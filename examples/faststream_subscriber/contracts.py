"""The platform's event models, imported in this one module.

The models come from the platform's own `peer_events` for now; the `peer-events` package will
carry the same models, and switching to it is this import line and nothing else.
"""

from peer_events import CloudEvent, EventData, events, parse_event
from peer_events.registry import UnknownEventType

__all__ = ["CloudEvent", "EventData", "UnknownEventType", "events", "parse_event"]
