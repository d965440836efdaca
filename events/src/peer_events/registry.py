"""Every published event type, and parsing raw bytes back into typed events."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import ValidationError

from peer_events.envelope import CloudEvent, EventData, envelope_for

E = TypeVar("E", bound=type[EventData])

EVENT_TYPES: dict[str, type[EventData]] = {}


class UnknownEventType(ValueError):
    """The envelope names a `type` this code base does not know."""


class MalformedEvent(ValueError):
    """The bytes are not a valid event of the type they claim."""


def register(data_type: E) -> E:
    """Class decorator: add an event type to the registry (one class per `type`)."""
    key = data_type.event_type()
    if key in EVENT_TYPES and EVENT_TYPES[key] is not data_type:
        raise ValueError(f"event type {key} registered twice")
    EVENT_TYPES[key] = data_type
    return data_type


def parse_event(raw: bytes | str) -> CloudEvent[EventData]:
    """Parse a structured-mode CloudEvent into its typed model."""
    event_type = _peek_type(raw)
    data_type = EVENT_TYPES.get(event_type)
    if data_type is None:
        raise UnknownEventType(f"unknown event type {event_type!r}")
    try:
        return envelope_for(data_type).model_validate_json(raw)
    except ValidationError as exc:
        raise MalformedEvent(f"invalid {event_type}: {exc}") from exc


def _peek_type(raw: bytes | str) -> str:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise MalformedEvent(f"not JSON: {exc}") from exc
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise MalformedEvent("no CloudEvents 'type' attribute")
    return str(value["type"])
