"""Reading what reached the streams, and publishing events as a producer's relay would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_events import parse_event
from peer_events.envelope import CloudEvent, EventData
from peer_events.streams import ALL_STREAMS
from peer_events.subjects import subject_for, subject_of
from peer_shared.messaging.outbox import headers_of


@dataclass(frozen=True)
class BusMessage:
    """One message as it sits on a stream."""

    stream: str
    subject: str
    data: bytes
    headers: dict[str, str]

    def event(self) -> CloudEvent[Any]:
        """The message as an event."""
        return parse_event(self.data)


async def read_stream(js: JetStreamContext, stream: str, subject: str) -> list[BusMessage]:
    """Every message on `stream` matching `subject`, oldest first (an ephemeral consumer reads them)."""
    psub = await js.pull_subscribe(
        subject,
        stream=stream,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
    )
    try:
        pending = (await psub.consumer_info()).num_pending or 0
        found: list[BusMessage] = []
        while len(found) < pending:
            for msg in await psub.fetch(min(pending - len(found), 1000), timeout=5):
                found.append(BusMessage(stream, msg.subject, msg.data, dict(msg.headers or {})))
        return found
    finally:
        await psub.unsubscribe()


def stream_of(data_type: type[EventData]) -> str:
    """The stream an event type is published to."""
    return f"{'INTERNAL' if data_type.internal else 'PEER'}_{data_type.producer.upper()}"


async def events_of(
    js: JetStreamContext, condition: str, data_type: type[EventData]
) -> list[CloudEvent[Any]]:
    """Every event of one type under the condition, oldest first."""
    messages = await read_stream(js, stream_of(data_type), subject_of(data_type, condition))
    return [m.event() for m in messages]


async def everything_on_the_bus(js: JetStreamContext, condition: str) -> list[BusMessage]:
    """Every message under the condition on every stream, public and internal."""
    found: list[BusMessage] = []
    for spec in ALL_STREAMS:
        root = "internal" if spec.internal else "peer"
        found += await read_stream(js, spec.name, f"{root}.{condition}.>")
    return found


async def publish_events(js: JetStreamContext, *events: CloudEvent[Any], msg_id_suffix: str = "") -> None:
    """Publish events to their streams as their producers' relays would (event id as Nats-Msg-Id).

    `msg_id_suffix` defeats the server's de-duplication, to prove a consumer's inbox does the same.
    """
    for event in events:
        headers = headers_of(event)
        headers["Nats-Msg-Id"] += msg_id_suffix
        await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers)
