"""Reading a NATS message into a typed, validated CloudEvent: what a subscriber does with each delivery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from peer_events.envelope import CloudEvent, EventData
from peer_events.registry import MalformedEvent, parse_event


class NatsMessage(Protocol):
    """What is read of a nats-py message (`nats.aio.msg.Msg` has both)."""

    data: bytes
    headers: Mapping[str, str] | None


def read_message(message: NatsMessage) -> CloudEvent[EventData]:
    """The event a message carries, as its typed model (`event.data` is e.g. a `ReferralReceived`).

    Raises `UnknownEventType` for a type this version of the package does not know (a newer event: skip it
    or upgrade), and `MalformedEvent` for a body that is not a valid event of its type, or whose
    `Nats-Msg-Id` header names another event (de-duplicate on `event.id`, which is that header's value).
    """
    event: CloudEvent[Any] = parse_event(message.data)
    msg_id = (message.headers or {}).get("Nats-Msg-Id")
    if msg_id is not None and msg_id != str(event.id):
        raise MalformedEvent(f"Nats-Msg-Id {msg_id} is not the event's id {event.id}")
    return event
