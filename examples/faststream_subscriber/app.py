"""The FastStream application: `faststream run faststream_subscriber.app:create_app --factory` (from
`examples/`), configured by `REGIONAL_...` environment variables (settings.py)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from faststream import AckPolicy, FastStream
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from faststream.nats.message import NatsMessage as Message
from faststream.nats.security import NatsUserPassword
from faststream.nats.subscriber.usecases import PullStreamSubscriber
from faststream.specification import AsyncAPI

from . import handlers
from .consumers import consumer_config
from .contracts import CloudEvent, EventData, UnknownEventType, events, parse_event
from .delivery import AtLeastOnce, RetryPolicy
from .settings import STREAMS, Settings
from .store import Store


def create_app(settings: Settings | None = None) -> FastStream:
    """The app: one durable pull consumer per public stream, typed handlers, at-least-once delivery."""
    settings = settings or Settings.from_env()
    store = Store(settings.database, handlers.READ_MODEL)
    policy = RetryPolicy(settings.park_after, settings.first_retry_seconds, settings.max_retry_seconds)
    broker = NatsBroker(
        settings.url,
        security=NatsUserPassword(settings.user, settings.password),
        inbox_prefix=settings.inbox_prefix,
        middlewares=[AtLeastOnce(store, policy)],
        description="Reads the peer-support platform's public events into this region's caseload.",
    )
    stream = {name: _subscriber(broker, settings, name) for name in STREAMS}

    # One typed handler per event type acted on; FastStream validates the envelope and payload into the
    # model (a failure is retried, then parked). The filter routes by subject: `...<service>.<event>.v1`.
    @stream["PEER_REFERRALS"](filter=is_event(events.ReferralReceived))
    async def referral_received(event: CloudEvent[events.ReferralReceived]) -> None:
        store.apply_once(event, handlers.referral_received)

    @stream["PEER_REFERRALS"](filter=is_event(events.ReferralAccepted))
    async def referral_accepted(event: CloudEvent[events.ReferralAccepted]) -> None:
        store.apply_once(event, handlers.referral_accepted)

    @stream["PEER_REFERRALS"](filter=is_event(events.ReferralRejected))
    async def referral_rejected(event: CloudEvent[events.ReferralRejected]) -> None:
        store.apply_once(event, handlers.referral_rejected)

    @stream["PEER_REFERRALS"](filter=is_event(events.ReferralWithdrawn))
    async def referral_withdrawn(event: CloudEvent[events.ReferralWithdrawn]) -> None:
        store.apply_once(event, handlers.referral_withdrawn)

    @stream["PEER_MATCHING"](filter=is_event(events.MentorMatched))
    async def mentor_matched(event: CloudEvent[events.MentorMatched]) -> None:
        store.apply_once(event, handlers.mentor_matched)

    @stream["PEER_SESSIONS"](filter=is_event(events.PairingStarted))
    async def pairing_started(event: CloudEvent[events.PairingStarted]) -> None:
        store.apply_once(event, handlers.pairing_started)

    @stream["PEER_OUTCOMES"](filter=is_event(events.PamRecorded))
    async def pam_recorded(event: CloudEvent[events.PamRecorded]) -> None:
        store.apply_once(event, handlers.pam_recorded)

    @stream["PEER_GROUPS"](filter=is_event(events.MemberEnrolled))
    async def member_enrolled(event: CloudEvent[events.MemberEnrolled]) -> None:
        store.apply_once(event, handlers.member_enrolled)

    # Registered last, so FastStream tries it after the typed ones: every other event on the stream.
    for subscriber in stream.values():
        subscriber(not_acted_on_by(store))

    app = FastStream(
        broker, specification=AsyncAPI(title="Regional peer-support subscriber", version="1.0.0")
    )

    # Async hooks run on the event loop's thread; FastStream would run plain functions in a worker thread,
    # and an sqlite3 connection may only be used by the thread that opened it.
    @app.on_startup
    async def open_store() -> None:
        store.open()

    @app.after_shutdown
    async def close_store() -> None:
        store.close()

    return app


def _subscriber(broker: NatsBroker, settings: Settings, stream: str) -> PullStreamSubscriber:
    return broker.subscriber(
        settings.filter_subject(stream),
        # The streams are the platform's: never declare or update them (the identity may not either).
        stream=JStream(stream, declare=False),
        durable=settings.consumer_name(stream),
        config=consumer_config(settings),
        pull_sub=PullSub(batch_size=settings.fetch_batch, timeout=5.0),
        # The pull's deliveries come to the identity's inbox too (FastStream defaults to the shared one).
        inbox_prefix=f"{settings.inbox_prefix}.".encode(),
        ack_policy=AckPolicy.MANUAL,  # delivery.py acks, nacks and parks
        decoder=decode_cloudevent,
        title=f"{stream}:{settings.consumer_name(stream)}",
    )


def is_event(data_type: type[EventData]) -> Callable[[Message], bool]:
    """A FastStream filter: the message's subject ends `<service>.<event>.v<major>` of this type."""
    tail = f".{data_type.producer}.{data_type.event_name}.v{data_type.version}"
    return lambda message: message.raw_message.subject.endswith(tail)


def decode_cloudevent(message: Message) -> object:
    """The body as JSON: FastStream decodes `application/json` only, not `application/cloudevents+json`."""
    return json.loads(message.body)


def not_acted_on_by(store: Store) -> Callable[[Message], Awaitable[None]]:
    """The handler for the events this region does not act on: validated, recorded as applied, acked."""

    async def not_acted_on(message: NatsMessage) -> None:
        try:
            event = parse_event(message.body)
        except UnknownEventType:
            return  # a type newer than these models (types are added within a major version): skip it
        store.apply_once(event, _nothing)

    return not_acted_on


def _nothing(*_: object) -> None:
    """No effect: the event is only recorded as seen."""
