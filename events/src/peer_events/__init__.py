"""The public event contracts: envelope, event types, subjects and streams."""

# Importing the events package registers every event type, so `parse_event` knows them all.
from peer_events import events
from peer_events.envelope import CloudEvent, EventData, PseudonymousId, new_event
from peer_events.registry import EVENT_TYPES, parse_event, register
from peer_events.subjects import subject_for, subject_of

__all__ = [
    "EVENT_TYPES",
    "CloudEvent",
    "EventData",
    "PseudonymousId",
    "events",
    "new_event",
    "parse_event",
    "register",
    "subject_for",
    "subject_of",
]
