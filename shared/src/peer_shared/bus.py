"""The service's connection to NATS: connect (patiently), declare its own streams, run relays and consumers.

The HTTP API never waits for this: a service whose broker is down still accepts work into its outbox,
and the relay publishes it when NATS is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import BadRequestError
from sqlalchemy.ext.asyncio import AsyncEngine

from peer_events.streams import StreamSpec, streams_of
from peer_shared.auth.revocation import RevocationList, RevocationWatcher
from peer_shared.cancellation import stop_if_cancelled
from peer_shared.clock import Clock
from peer_shared.db import SessionFactory
from peer_shared.logging import get_logger
from peer_shared.messaging.consumer import EventConsumer
from peer_shared.messaging.outbox import DEFAULT_LANE, URGENT_LANE
from peer_shared.messaging.relay import OutboxRelay
from peer_shared.messaging.subscription import Subscription
from peer_shared.settings import ServiceSettings

log = get_logger(__name__)


def inbox_prefix(user: str | None) -> str:
    """The inbox prefix of a NATS user: `_INBOX_<user>`, the only subjects its permissions let it receive
    on (deploy/nats/peer.conf), so no other client can subscribe to its replies and deliveries."""
    return f"_INBOX_{user}" if user else "_INBOX"


async def connect(settings: ServiceSettings, *, name: str) -> Client:
    """Connect to NATS with this service's credentials, reconnecting for ever once connected."""
    password = settings.nats_password.get_secret_value() if settings.nats_password else None
    return await nats.connect(
        servers=settings.nats_url.split(","),
        name=name,
        user=settings.nats_user,
        password=password,
        inbox_prefix=inbox_prefix(settings.nats_user),
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=2,
    )


async def ensure_streams(
    js: JetStreamContext, specs: Sequence[StreamSpec], settings: ServiceSettings
) -> None:
    """Create the streams, or bring an existing one's limits up to the configured ones."""
    for spec in specs:
        config = spec.config(
            max_bytes=settings.stream_max_bytes,
            duplicate_window_seconds=settings.duplicate_window_seconds,
            replicas=settings.stream_replicas,
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


class Bus:
    """Everything a service runs against NATS, started in the background from the lifespan."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        engine: AsyncEngine,
        sessions: SessionFactory,
        clock: Clock,
        subscriptions: Sequence[Subscription],
        revocations: RevocationList,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._sessions = sessions
        self._clock = clock
        self._subscriptions = subscriptions
        self._revocations = revocations
        self.client: Client | None = None
        self.relays: list[OutboxRelay] = []

    @property
    def connected(self) -> bool:
        """Whether the NATS connection is up right now."""
        return self.client is not None and self.client.is_connected

    async def run(self) -> None:
        """Connect (retrying until NATS answers), then relay and consume until cancelled."""
        name = self._settings.service_name
        delay = 0.5
        while self.client is None:
            try:
                self.client = await connect(self._settings, name=name)
            except Exception as exc:
                log.warning("NATS not reachable; retrying", error=repr(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        js = self.client.jetstream()
        await ensure_streams(js, streams_of(name), self._settings)
        watcher = RevocationWatcher(js, self._revocations, replicas=self._settings.stream_replicas)
        await watcher.start()
        self.relays = [self._relay(js, lane) for lane in (URGENT_LANE, DEFAULT_LANE)]
        consumers = [
            EventConsumer(
                service=name,
                subscription=subscription,
                js=js,
                sessions=self._sessions,
                clock=self._clock,
                batch_size=self._settings.consumer_batch_size,
            )
            for subscription in self._subscriptions
        ]
        try:
            stop_if_cancelled()
            async with asyncio.TaskGroup() as tasks:
                for relay in self.relays:
                    tasks.create_task(relay.run())
                for consumer in consumers:
                    tasks.create_task(consumer.run())
        finally:
            await watcher.stop()

    def _relay(self, js: JetStreamContext, lane: str) -> OutboxRelay:
        s = self._settings
        return OutboxRelay(
            service=s.service_name,
            engine=self._engine,
            sessions=self._sessions,
            js=js,
            clock=self._clock,
            lane=lane,
            batch_size=s.outbox_batch_size,
            poll_seconds=s.outbox_poll_seconds,
            retention=timedelta(days=s.outbox_retention_days),
        )

    async def close(self) -> None:
        """Flush and close the NATS connection."""
        if self.client is not None and not self.client.is_closed:
            await self.client.drain()
