"""Least privilege on the real server: what each NATS identity of deploy/nats/peer.conf may do, and not.

What is allowed is checked by doing it. A denied publish or subscription is answered by the server with an
asynchronous permissions violation naming the subject (not ordered with the reply to a later PING), which
each check awaits, with a deadline that is spent only when the server failed to refuse.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_events.streams import ALL_STREAMS
from peer_shared.auth.revocation import BUCKET, RevocationWatcher, revoke
from peer_shared.bus import connect, ensure_streams, inbox_prefix
from peer_shared.messaging.subscription import Subscription
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import service_settings
from peer_support_cli.services import SERVICES, service_named
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

KV_STREAM = f"KV_{BUCKET}"
ON_THE_BUS = tuple(service.name for service in SERVICES if service.uses_bus)
"""The services with a NATS identity of their own."""


def settings_of(
    infra: Infrastructure, service: str, *, prefix: str = "", condition: str = "t2d"
) -> ServiceSettings:
    """The service's settings on the session's infrastructure (its own NATS identity)."""
    if service not in infra.nats_credentials:
        pytest.skip(f"no NATS credentials for {service}: set PEER_NATS_{service.upper()}_PASSWORD")
    values = service_settings(infra, service) | {"conditions": [condition], "consumer_name_prefix": prefix}
    return service_named(service, SERVICES).settings(**values)


def subscriptions_of(infra: Infrastructure, service: str, **options: str) -> Sequence[Subscription]:
    """The durable consumers the service runs."""
    consumers = service_named(service, SERVICES).subscriptions
    assert consumers is not None, f"{service} is not on the bus"
    return consumers(settings_of(infra, service, **options))


def consumed_streams(infra: Infrastructure, service: str) -> set[str]:
    return {s.stream for s in subscriptions_of(infra, service)}


REFUSAL_DEADLINE_SECONDS = 5.0


@dataclass
class Identity:
    """A connection as one NATS user, with the server's permission violations as they arrive."""

    client: Client
    violations: list[str] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def record(self, error: Exception) -> None:
        """The connection's error callback."""
        async with self.arrived:
            self.violations.append(str(error).lower().removeprefix("nats: "))
            self.arrived.notify_all()

    async def _refused(self, kind: str, subject: str) -> bool:
        expected = f'permissions violation for {kind} to "{subject}"'.lower()
        async with self.arrived:
            try:
                await asyncio.wait_for(
                    self.arrived.wait_for(lambda: expected in self.violations), REFUSAL_DEADLINE_SECONDS
                )
            except TimeoutError:
                return False
        return True

    async def may_not_publish(self, subject: str) -> bool:
        """Publish (as a request would, with a reply inbox) and report whether the server refused it."""
        await self.client.publish(subject, b"{}", reply=self.client.new_inbox())
        await self.client.flush()
        return await self._refused("publish", subject)

    async def may_not_subscribe(self, subject: str) -> bool:
        """Subscribe and report whether the server refused the subscription."""
        await self.client.subscribe(subject)
        await self.client.flush()
        return await self._refused("subscription", subject)


Connect = Callable[[str], Awaitable[Identity]]


@pytest.fixture
async def as_user(infra: Infrastructure) -> AsyncIterator[Connect]:
    """Connect as a NATS user of the deployment: `await as_user("regional")`."""
    opened: list[Client] = []

    async def open_as(user: str) -> Identity:
        if user not in infra.nats_credentials:
            pytest.skip(f"no NATS credentials for {user}: set PEER_NATS_{user.upper()}_PASSWORD")
        name, password = infra.nats_credentials[user]
        identity = Identity(client=Client())
        identity.client = await nats.connect(
            infra.nats_url,
            user=name,
            password=password,
            inbox_prefix=inbox_prefix(name),
            error_cb=identity.record,
            allow_reconnect=False,
        )
        opened.append(identity.client)
        return identity

    yield open_as
    for client in opened:
        await client.close()


async def streams_intact(js: JetStreamContext) -> bool:
    """Every platform stream (and the revocations bucket) still exists."""
    for name in [s.name for s in ALL_STREAMS] + [KV_STREAM]:
        await js.stream_info(name)
    return True


# --- the services ------------------------------------------------------------------------


@pytest.mark.parametrize("service", ON_THE_BUS)
async def test_a_service_runs_its_streams_consumers_and_revocation_watch_with_its_own_identity(
    infra: Infrastructure, js: JetStreamContext, condition: str, service: str
) -> None:
    settings = settings_of(infra, service, prefix=f"{condition}-", condition=condition)
    # As the service connects (its inbox prefix included). A refused request would time out here.
    client = await connect(settings, name=f"{service}-permissions-test")
    try:
        sjs = client.jetstream(timeout=5)
        # Its own streams: created if absent (here, present with the same settings) and updated.
        await ensure_streams(sjs, service_named(service, SERVICES).streams, settings)
        for spec in service_named(service, SERVICES).streams:
            config = spec.config(
                max_bytes=settings.stream_max_bytes,
                duplicate_window_seconds=settings.duplicate_window_seconds,
                replicas=settings.stream_replicas,
            )
            assert (await sjs.update_stream(config)).config.name == spec.name
        # Its own events, public and internal lane.
        public = await sjs.publish(f"peer.{condition}.{service}.permission-check.v1", b"{}")
        internal = await sjs.publish(f"internal.{condition}.{service}.permission-check.v1", b"{}")
        assert (public.stream, internal.stream) == (f"PEER_{service.upper()}", f"INTERNAL_{service.upper()}")

        # The revocations bucket: loaded, and a revocation by the operator arrives on the service's inbox.
        watcher = RevocationWatcher(sjs)
        await watcher.start(load_timeout=10)
        try:
            token_id = f"jti-{uuid.uuid4().hex}"
            await revoke(js, token_id, datetime.now(UTC) + timedelta(hours=1))

            async def revoked() -> bool:
                return token_id in watcher.revocations

            await eventually(revoked, timeout=10)
        finally:
            await watcher.stop()

        # Each durable consumer it runs: created, pulled from, acknowledged (the ack is confirmed).
        for subscription in subscriptions_of(infra, service, prefix=f"{condition}-", condition=condition):
            await js.publish(subscription.filter_subjects()[0], b"{}")
            await sjs.add_consumer(subscription.stream, subscription.consumer_config())
            pull = await sjs.pull_subscribe_bind(subscription.name, stream=subscription.stream)
            [message] = await pull.fetch(1, timeout=5)
            await message.ack_sync()
            info = await sjs.consumer_info(subscription.stream, subscription.name)
            assert (info.num_ack_pending, info.num_pending) == (0, 0)
            await pull.unsubscribe()
    finally:
        await client.close()


@pytest.mark.parametrize("service", ON_THE_BUS)
async def test_a_service_may_not_delete_nor_touch_what_is_not_its_own(
    infra: Infrastructure,
    js: JetStreamContext,
    as_user: Connect,
    condition: str,
    service: str,
) -> None:
    me = await as_user(service)
    own = {s.name for s in service_named(service, SERVICES).streams}
    consumed = consumed_streams(infra, service)
    others = [s.name for s in ALL_STREAMS if s.name not in own]
    refused = [
        # No stream is deleted, purged or read message by message, its own included.
        *(f"$JS.API.STREAM.{op}.{name}" for op in ("DELETE", "PURGE") for name in (*own, *others, KV_STREAM)),
        *(f"$JS.API.STREAM.{op}.{name}" for op in ("MSG.GET", "DIRECT.GET", "MSG.DELETE") for name in others),
        *(f"$JS.API.STREAM.{op}.{name}" for op in ("CREATE", "UPDATE") for name in others),
        f"$JS.API.STREAM.UPDATE.{KV_STREAM}",
        # No consumer on a stream it does not consume; none deleted anywhere.
        *(f"$JS.API.CONSUMER.DURABLE.CREATE.{name}.x" for name in others if name not in consumed),
        *(f"$JS.API.CONSUMER.CREATE.{name}.x" for name in others if name not in consumed),
        *(f"$JS.API.CONSUMER.MSG.NEXT.{name}.x" for name in others if name not in consumed),
        *(f"$JS.API.CONSUMER.DELETE.{name}.x" for name in (*own, *others)),
        # No other service's events, and no revocation written.
        *(
            f"{root}.{condition}.{other}.forged.v1"
            for root in ("peer", "internal")
            for other in ON_THE_BUS
            if other != service
        ),
        f"$KV.{BUCKET}.forged",
    ]
    assert [subject for subject in refused if not await me.may_not_publish(subject)] == []
    # It receives on its own inbox prefix only: never another client's replies and deliveries.
    not_received = ["_INBOX.>", ">", "peer.>", "internal.>", f"$KV.{BUCKET}.>"]
    not_received += [
        f"{inbox_prefix(other)}.>" for other in (*ON_THE_BUS, "operator", "regional") if other != service
    ]
    assert [subject for subject in not_received if not await me.may_not_subscribe(subject)] == []
    assert me.client.is_connected
    assert await streams_intact(js)


async def test_no_service_consumes_an_internal_stream(infra: Infrastructure) -> None:
    """The internal lanes (safeguarding) are read by the operator only: no service may consume them."""
    internal = {s.name for s in ALL_STREAMS if s.internal}
    assert all(not consumed_streams(infra, service) & internal for service in ON_THE_BUS)


# --- the regional subscribers' identity --------------------------------------------------


async def test_regional_reads_a_public_stream_through_a_consumer_of_its_own(
    js: JetStreamContext, as_user: Connect, condition: str
) -> None:
    regional = await as_user("regional")
    await js.publish(f"peer.{condition}.referrals.permission-check.v1", b"public")
    rjs = regional.client.jetstream(timeout=5)
    name = f"regional-{condition}"
    config = ConsumerConfig(
        name=name, durable_name=name, filter_subject=f"peer.{condition}.>", ack_policy=AckPolicy.EXPLICIT
    )
    await rjs.add_consumer("PEER_REFERRALS", config)
    pull = await rjs.pull_subscribe_bind(name, stream="PEER_REFERRALS")
    [message] = await pull.fetch(1, timeout=5)
    assert message.data == b"public"
    await message.ack_sync()
    assert (await rjs.consumer_info("PEER_REFERRALS", name)).num_ack_pending == 0
    assert regional.violations == []


async def test_regional_cannot_read_internal_streams_in_any_way(
    js: JetStreamContext, nc: Client, as_user: Connect, condition: str
) -> None:
    regional = await as_user("regional")
    internal = [s.name for s in ALL_STREAMS if s.internal]
    refused = [
        *(f"$JS.API.CONSUMER.CREATE.{name}.x.peer.>" for name in internal),
        *(f"$JS.API.CONSUMER.CREATE.{name}.x.internal.>" for name in internal),
        *(f"$JS.API.CONSUMER.CREATE.{name}" for name in internal),
        *(f"$JS.API.CONSUMER.DURABLE.CREATE.{name}.x" for name in internal),
        *(f"$JS.API.CONSUMER.MSG.NEXT.{name}.x" for name in internal),
        *(f"$JS.API.STREAM.{op}.{name}" for op in ("INFO", "MSG.GET", "DIRECT.GET") for name in internal),
        "$JS.API.STREAM.LIST",
    ]
    assert [subject for subject in refused if not await regional.may_not_publish(subject)] == []
    assert [
        s
        for s in ("internal.>", ">", "_INBOX.>", "_INBOX_operator.>")
        if not await regional.may_not_subscribe(s)
    ] == []

    # What a wildcard on the shared inbox would have shown: the operator reading a safeguarding event.
    seen: list[bytes] = []
    marker = f"peer.{condition}.referrals.marker.v1"
    marked = asyncio.Event()

    async def keep(msg: Msg) -> None:
        seen.append(msg.data)
        if msg.subject == marker:
            marked.set()

    await regional.client.subscribe("_INBOX.>", cb=keep)
    await regional.client.subscribe("peer.>", cb=keep)
    await regional.client.flush()
    ack = await js.publish(f"internal.{condition}.sessions.safeguarding-check.v1", b"safeguarding")
    reader = await js.pull_subscribe(
        f"internal.{condition}.sessions.>",
        stream="INTERNAL_SESSIONS",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
    )
    [message] = await reader.fetch(1, timeout=5)
    await reader.unsubscribe()
    assert (message.data, ack.stream) == (b"safeguarding", "INTERNAL_SESSIONS")
    # Routed in order: once a later public message reaches regional, an earlier delivery would have.
    await nc.publish(marker, b"marker")
    await asyncio.wait_for(marked.wait(), 5)
    assert seen == [b"marker"]


async def test_regional_publishes_nothing_and_deletes_nothing(
    js: JetStreamContext, as_user: Connect, condition: str
) -> None:
    regional = await as_user("regional")
    public = [s.name for s in ALL_STREAMS if not s.internal]
    refused = [
        *(
            f"{root}.{condition}.{service}.forged.v1"
            for root in ("peer", "internal")
            for service in ON_THE_BUS
        ),
        f"$KV.{BUCKET}.forged",
        *(
            f"$JS.API.STREAM.{op}.{name}"
            for op in ("CREATE", "UPDATE", "DELETE", "PURGE", "MSG.DELETE")
            for name in (*public, KV_STREAM)
        ),
        # The legacy create carries no filter in its subject; deleting a consumer is the operator's.
        *(f"$JS.API.CONSUMER.DURABLE.CREATE.{name}.x" for name in public),
        *(f"$JS.API.CONSUMER.DELETE.{name}.x" for name in public),
        f"$JS.API.CONSUMER.CREATE.{KV_STREAM}",
    ]
    assert [subject for subject in refused if not await regional.may_not_publish(subject)] == []
    assert await streams_intact(js)


@pytest.mark.parametrize("service", ON_THE_BUS)
async def test_regional_cannot_take_events_from_a_services_consumers(
    infra: Infrastructure, as_user: Connect, service: str
) -> None:
    """A pull and an ack on a service's durable consumer would take an event away from the service."""
    regional = await as_user("regional")
    refused = []
    for subscription in subscriptions_of(infra, service):  # the names as deployed, with no prefix
        stream, name = subscription.stream, subscription.name
        refused += [
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{name}",
            f"$JS.ACK.{stream}.{name}.1.1.1.1.0",
            f"$JS.API.CONSUMER.CREATE.{stream}.{name}.peer.>",
        ]
    assert [subject for subject in refused if not await regional.may_not_publish(subject)] == []
