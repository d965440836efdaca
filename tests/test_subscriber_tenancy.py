"""Regional subscriber tenancy on the real nats-server: each subscriber in an account of its own, reading
mirrors of the public streams (peer_support_cli.subscribers), isolated from the services and each other.

The server is this module's own, configured like deploy/nats: a PEER account with the platform's users
and streams, plus two subscriber accounts from the generator. The findings it answers, both seen with the
one shared `regional` identity:
  F1 a read-only subscriber could make the server write into the services' streams (a consumer with a
     deliver subject on `peer.>`, whose copies PEER_* captured);
  F2 every subscriber could list, pull from, ack, change and create consumers of everyone else, the
     services included, without limit.
The last tests run `peer-support subscribers add|list|revoke` against a server that reloads the
configuration the command writes: one of this module's own, then the embedded launcher's (the real
deploy/nats, across a restart).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import APIError, NotFoundError
from typer.testing import CliRunner

from peer_events.streams import ALL_STREAMS
from peer_shared.bus import ensure_streams
from peer_shared.settings import ServiceSettings
from peer_support_cli.commands.connection import RuntimeInfo, write_runtime
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure, processes
from peer_support_cli.embedded.nats_config import write_configuration
from peer_support_cli.embedded.paths import nats_server_binary
from peer_support_cli.main import app
from peer_support_cli.subscribers import (
    MIRRORED_STREAMS,
    PEER_API_PREFIX,
    Subscriber,
    SubscriberLimits,
    accounts_config,
    inbox_prefix,
    mirror_configs,
)
from peer_testkit.plugin import infra_data_dir
from peer_testkit.ports import free_port
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

LIMITS = SubscriberLimits(max_consumers=3, max_ack_pending=50, mirror_max_bytes=16 * 1024**2)
ACME = Subscriber(name="acme", password="acmeSecret1", admin_password="acmeAdmin1")
BOROUGH = Subscriber(name="borough", password="boroughSecret1", admin_password="boroughAdmin1")
SERVICE_CONSUMER = "matching-referrals-v1"
"""A consumer as the matching service runs it on PEER_REFERRALS."""

# The PEER account as deploy/nats would hold it after the split the generator expects (JetStream and
# users in a file the accounts section includes): the operator and one service, publishing its events.
PEER_ACCOUNT = """
jetstream: enabled
users: [
  {user: operator, password: "operatorSecret1"}
  {user: referrals, password: "referralsSecret1", permissions: {
    publish: ["peer.*.referrals.>", "$JS.API.STREAM.INFO.PEER_REFERRALS"]
    subscribe: ["_INBOX_referrals.>"]
  }}
]
"""
REFUSAL_DEADLINE_SECONDS = 5.0


@dataclass(frozen=True)
class Server:
    url: str
    monitor_url: str


@contextmanager
def running_nats(config: Path, *, pid_file: Path | None = None) -> Iterator[Server]:
    """A nats-server with `config` on free ports (given on the command line, as the launcher does)."""
    port, monitor = free_port(), free_port()
    monitor_url = f"http://127.0.0.1:{monitor}"
    log = config.with_suffix(".log")
    argv: list[str | Path] = [nats_server_binary(), "--config", config, "--addr", "127.0.0.1"]
    argv += ["--port", str(port), "--http_port", str(monitor)]
    if pid_file is not None:
        argv += ["--pid", pid_file]
    process = processes.spawn(argv, log_path=log, death_signal=signal.SIGTERM)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{monitor_url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    try:
        processes.wait_until(healthy, process, what="nats-server", log_path=log, timeout=30)
        yield Server(url=f"nats://127.0.0.1:{port}", monitor_url=monitor_url)
    finally:
        processes.stop([(process, signal.SIGTERM)])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A nats-server with the PEER account and the two subscriber accounts, for this module."""
    root: Path = tmp_path_factory.mktemp("tenancy")
    (root / "peer.conf").write_text(PEER_ACCOUNT)
    (root / "accounts.conf").write_text(
        accounts_config([ACME, BOROUGH], peer_include="peer.conf", limits=LIMITS)
    )
    (root / "nats.conf").write_text(
        f'jetstream {{ store_dir: {json.dumps(str(root / "store"))} }}\ninclude "accounts.conf"\n'
    )
    with running_nats(root / "nats.conf") as running:
        yield running


@dataclass
class Identity:
    """A connection as one user, with the server's permission violations as they arrive."""

    client: Client
    violations: list[str] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def js(self) -> JetStreamContext:
        return self.client.jetstream()

    async def record(self, error: Exception) -> None:
        async with self.arrived:
            self.violations.append(str(error).lower())
            self.arrived.notify_all()

    async def refused(self, kind: str, subject: str) -> bool:
        """Whether the server answered with a permissions violation for `subject` (awaited, with a deadline
        spent only when it failed to refuse)."""
        expected = f'permissions violation for {kind} to "{subject}"'.lower()
        async with self.arrived:
            try:
                await asyncio.wait_for(
                    self.arrived.wait_for(lambda: any(expected in v for v in self.violations)),
                    REFUSAL_DEADLINE_SECONDS,
                )
            except TimeoutError:
                return False
        return True

    async def may_not_publish(self, subject: str, payload: bytes = b"{}") -> bool:
        await self.client.publish(subject, payload, reply=self.client.new_inbox())
        await self.client.flush()
        return await self.refused("publish", subject)

    async def may_not_subscribe(self, subject: str) -> bool:
        await self.client.subscribe(subject)
        await self.client.flush()
        return await self.refused("subscription", subject)


@dataclass
class Tenancy:
    operator: Identity
    referrals: Identity
    acme: Identity
    borough: Identity


async def connect(server: Server, user: str, password: str) -> Identity:
    identity = Identity(client=Client())
    identity.client = await nats.connect(
        server.url,
        user=user,
        password=password,
        inbox_prefix=inbox_prefix(user),
        error_cb=identity.record,
        allow_reconnect=False,
    )
    return identity


@pytest.fixture
async def tenancy(server: Server) -> AsyncIterator[Tenancy]:
    """The identities, with the public streams in PEER and each subscriber's mirrors of them.

    The operator creates the mirrors over each subscriber account's admin user, as `peer-support
    subscribers add` does; creating them again with the same configuration is a no-op.
    """
    operator = await connect(server, "operator", "operatorSecret1")
    for stream in MIRRORED_STREAMS:
        producer = stream.removeprefix("PEER_").lower()
        await operator.js.add_stream(StreamConfig(name=stream, subjects=[f"peer.*.{producer}.>"]))
    for subscriber in (ACME, BOROUGH):
        admin = await connect(server, subscriber.admin_user, subscriber.admin_password)
        for config in mirror_configs(subscriber, LIMITS):
            await admin.js.add_stream(config)
        await admin.client.close()
    identities = Tenancy(
        operator=operator,
        referrals=await connect(server, "referrals", "referralsSecret1"),
        acme=await connect(server, ACME.user, ACME.password),
        borough=await connect(server, BOROUGH.user, BOROUGH.password),
    )
    yield identities
    for identity in (identities.operator, identities.referrals, identities.acme, identities.borough):
        await identity.client.close()


async def publish_referrals(referrals: Identity, count: int) -> list[bytes]:
    """Publish events as the referrals service does, returning their payloads."""
    payloads = [json.dumps({"type": "referral-created", "n": n}).encode() for n in range(count)]
    for payload in payloads:
        await referrals.js.publish("peer.t2d.referrals.referral-created.v1", payload)
    return payloads


async def mirrored(subscriber: Identity, stream: str, messages: int) -> None:
    """Wait until the subscriber's mirror of `stream` holds `messages` events."""

    async def caught_up() -> bool:
        return (await subscriber.js.stream_info(stream)).state.messages >= messages

    await eventually(caught_up)


def reader(name: str, **options: object) -> ConsumerConfig:
    """A durable pull consumer as a regional subscriber creates it."""
    return ConsumerConfig(
        durable_name=name,
        filter_subject="peer.t2d.>",
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        **options,  # type: ignore[arg-type]
    )


async def consumer_names(identity: Identity, stream: str) -> list[str]:
    reply = await identity.client.request(f"$JS.API.CONSUMER.NAMES.{stream}", b"{}", timeout=5)
    return list(json.loads(reply.data)["consumers"] or [])


async def test_a_subscriber_reads_the_events_published_in_peer_through_its_mirror(tenancy: Tenancy) -> None:
    before = (await tenancy.operator.js.stream_info("PEER_REFERRALS")).state.messages
    payloads = await publish_referrals(tenancy.referrals, 3)
    await mirrored(tenancy.acme, "PEER_REFERRALS", before + 3)

    await tenancy.acme.js.add_consumer("PEER_REFERRALS", reader("acme-reads"))
    pull = await tenancy.acme.js.pull_subscribe_bind("acme-reads", stream="PEER_REFERRALS")
    received = await pull.fetch(before + 3, timeout=5)
    assert [m.data for m in received][-3:] == payloads
    for message in received:
        await message.ack_sync()
    assert (await tenancy.acme.js.consumer_info("PEER_REFERRALS", "acme-reads")).num_ack_pending == 0

    # It deletes what it created.
    assert await tenancy.acme.js.delete_consumer("PEER_REFERRALS", "acme-reads")
    assert "acme-reads" not in await consumer_names(tenancy.acme, "PEER_REFERRALS")


async def test_f1_nothing_a_subscriber_does_puts_a_message_into_a_peer_stream(tenancy: Tenancy) -> None:
    acme = tenancy.acme
    # The finding's own move, a consumer on PEER with a deliver subject on peer.>: the imported PEER API
    # (only the server's mirrors use it) is refused, whatever is asked of it.
    copy_request = json.dumps(
        {
            "stream_name": "PEER_REFERRALS",
            "config": {"name": "copy", "deliver_subject": "peer.t2d.referrals.x"},
        }
    ).encode()
    assert await acme.may_not_publish(f"{PEER_API_PREFIX}.CONSUMER.CREATE.PEER_REFERRALS.copy", copy_request)
    assert await acme.may_not_publish(f"{PEER_API_PREFIX}.CONSUMER.CREATE.PEER_REFERRALS")
    # Nor can it change its mirrors (a mirror's deliver prefix decides where PEER delivers), publish an
    # event, or listen on the mirrors' deliveries.
    for verb in ("CREATE", "UPDATE", "DELETE", "PURGE"):
        assert await acme.may_not_publish(f"$JS.API.STREAM.{verb}.PEER_REFERRALS")
    assert await acme.may_not_publish("peer.t2d.referrals.referral-created.v1")
    assert await acme.may_not_publish(f"{ACME.deliver_prefix}.x")
    assert await acme.may_not_subscribe(f"{ACME.deliver_prefix}.>")
    assert await acme.may_not_subscribe("peer.>")

    # Push consumers on its own mirror stay in its own account. One delivering onto peer.> (no stream
    # there captures it), one onto the imported PEER API (a service import is no delivery interest): next
    # to a push consumer it does listen to, which delivers, neither sends anything anywhere.
    api_subject = f"{PEER_API_PREFIX}.CONSUMER.CREATE.PEER_REFERRALS.acme-api"
    attacks = {"acme-copy": "peer.t2d.referrals.copied", "acme-api": api_subject}
    control = f"{inbox_prefix(ACME.user)}.control"
    requests_in_peer: list[str] = []

    async def seen_in_peer(message: Msg) -> None:
        requests_in_peer.append(message.subject)

    await tenancy.operator.client.subscribe(
        "$JS.API.CONSUMER.CREATE.PEER_REFERRALS.acme-api", cb=seen_in_peer
    )
    await tenancy.operator.client.flush()
    await acme.client.subscribe(control)
    for name, deliver_subject in {**attacks, "acme-control": control}.items():
        await acme.js.add_consumer(
            "PEER_REFERRALS", ConsumerConfig(durable_name=name, deliver_subject=deliver_subject)
        )
    try:
        before = (await tenancy.operator.js.stream_info("PEER_REFERRALS")).state.messages
        await publish_referrals(tenancy.referrals, 2)

        async def control_delivered() -> bool:
            info = await acme.js.consumer_info("PEER_REFERRALS", "acme-control")
            return bool(info.delivered.stream_seq == before + 2)

        await eventually(control_delivered)
        for name in attacks:
            assert (await acme.js.consumer_info("PEER_REFERRALS", name)).delivered.stream_seq == 0
        await tenancy.operator.client.flush()
        assert requests_in_peer == []
        # PEER holds the two new events and nothing else; the other subscriber's mirror has them too.
        assert (await tenancy.operator.js.stream_info("PEER_REFERRALS")).state.messages == before + 2
        await mirrored(tenancy.borough, "PEER_REFERRALS", before + 2)
    finally:
        for name in (*attacks, "acme-control"):
            await acme.js.delete_consumer("PEER_REFERRALS", name)


async def test_f2_a_subscriber_cannot_touch_another_subscribers_or_the_services_consumers(
    tenancy: Tenancy,
) -> None:
    acme, borough = tenancy.acme, tenancy.borough
    before = (await tenancy.operator.js.stream_info("PEER_REFERRALS")).state.messages
    await publish_referrals(tenancy.referrals, 1)
    await mirrored(borough, "PEER_REFERRALS", before + 1)
    await tenancy.operator.js.add_consumer("PEER_REFERRALS", reader(SERVICE_CONSUMER))
    await borough.js.add_consumer("PEER_REFERRALS", reader("borough-reads", description="borough's"))
    try:
        pull = await borough.js.pull_subscribe_bind("borough-reads", stream="PEER_REFERRALS")
        [held] = await pull.fetch(1, timeout=5)  # left unacknowledged: one pending ack of borough's

        # List: acme sees neither borough's consumer nor the service's.
        assert await consumer_names(acme, "PEER_REFERRALS") == []
        for name in ("borough-reads", SERVICE_CONSUMER):
            with pytest.raises(NotFoundError):
                await acme.js.consumer_info("PEER_REFERRALS", name)
            # Pull: nothing answers a pull for it in acme's account.
            with pytest.raises(NoRespondersError):
                await acme.client.request(
                    f"$JS.API.CONSUMER.MSG.NEXT.PEER_REFERRALS.{name}",
                    b'{"batch": 1, "no_wait": true}',
                    timeout=5,
                )
            # Delete: not found, and it is still there.
            with pytest.raises(NotFoundError):
                await acme.js.delete_consumer("PEER_REFERRALS", name)

        # Ack: borough's ack subject, published by acme, stays in acme's account.
        assert held.reply.startswith("$JS.ACK.PEER_REFERRALS.borough-reads.")
        await acme.client.publish(held.reply, b"+ACK")
        await acme.client.flush()
        assert (await borough.js.consumer_info("PEER_REFERRALS", "borough-reads")).num_ack_pending == 1

        # Change: the same name makes acme a consumer of its own; borough's keeps its configuration.
        await acme.js.add_consumer("PEER_REFERRALS", reader("borough-reads", description="acme's"))
        await acme.js.delete_consumer("PEER_REFERRALS", "borough-reads")
        info = await borough.js.consumer_info("PEER_REFERRALS", "borough-reads")
        assert info.config.description == "borough's"
        assert info.num_ack_pending == 1
        assert SERVICE_CONSUMER in [
            c.name for c in await tenancy.operator.js.consumers_info("PEER_REFERRALS")
        ]
    finally:
        await borough.js.delete_consumer("PEER_REFERRALS", "borough-reads")
        await tenancy.operator.js.delete_consumer("PEER_REFERRALS", SERVICE_CONSUMER)


async def test_a_subscriber_works_within_its_account_limits(tenancy: Tenancy) -> None:
    acme = tenancy.acme
    limits = (await acme.js.account_info()).limits
    assert (limits.max_consumers, limits.max_storage, limits.max_streams) == (
        LIMITS.max_consumers,
        LIMITS.max_file,
        len(MIRRORED_STREAMS),
    )
    names = [f"acme-{n}" for n in range(LIMITS.max_consumers)]
    try:
        for name in names:
            await acme.js.add_consumer("PEER_MATCHING", reader(name))
        # NATS counts an account's consumer limit per stream.
        with pytest.raises(APIError, match="maximum consumers limit reached"):
            await acme.js.add_consumer("PEER_MATCHING", reader("acme-one-too-many"))
        # The other subscriber's allowance is its own.
        await tenancy.borough.js.add_consumer("PEER_MATCHING", reader("borough-own"))
        await tenancy.borough.js.delete_consumer("PEER_MATCHING", "borough-own")
        # Deleting one frees a place.
        await acme.js.delete_consumer("PEER_MATCHING", names.pop())
        await acme.js.add_consumer("PEER_MATCHING", reader("acme-after-delete"))
        await acme.js.delete_consumer("PEER_MATCHING", "acme-after-delete")
    finally:
        for name in names:
            await acme.js.delete_consumer("PEER_MATCHING", name)

    with pytest.raises(APIError, match="max ack pending exceeds"):
        await acme.js.add_consumer(
            "PEER_MATCHING", reader("acme-greedy", max_ack_pending=LIMITS.max_ack_pending + 1)
        )


# --- the operator command on an embedded-style installation -------------------------------------


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Server]]:
    """A data folder whose nats-server runs the configuration `peer-support subscribers` writes, with a
    deploy/ split as the command expects (server settings and the PEER account in files of their own)."""
    deploy = tmp_path / "deploy"
    (deploy / "nats").mkdir(parents=True)
    (deploy / "nats" / "nats.conf").write_text("# the compose entry point; unused here\n")
    (deploy / "nats" / "server.conf").write_text(
        f"jetstream {{ store_dir: {json.dumps(str(tmp_path / 'data' / 'nats'))} }}\n"
    )
    (deploy / "nats" / "peer.conf").write_text(PEER_ACCOUNT)
    monkeypatch.setenv("PEER_DEPLOY_DIR", str(deploy))
    data = tmp_path / "data"
    config = write_configuration(data, [])
    with running_nats(config, pid_file=data / "nats" / "nats.pid") as running:
        # What `up` leaves for the commands: where it listens, and its lock held while it runs.
        write_runtime(data, RuntimeInfo(running.url, running.monitor_url, "127.0.0.1", 0, {}))
        with (data / "launcher.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield data, running


def credentials_from(output: str) -> tuple[str, str]:
    """(user, password) from the output of `subscribers add`."""
    fields = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)
    return fields["user"], fields["password"]


async def read_as(server: Server, user: str, password: str, payloads: list[bytes]) -> list[bytes]:
    """Connect with handed-out credentials and read `len(payloads)` events through the mirror."""
    subscriber = await connect(server, user, password)
    try:
        await mirrored(subscriber, "PEER_REFERRALS", len(payloads))
        await subscriber.js.add_consumer("PEER_REFERRALS", reader("first-read"))
        pull = await subscriber.js.pull_subscribe_bind("first-read", stream="PEER_REFERRALS")
        return [m.data for m in await pull.fetch(len(payloads), timeout=5)]
    finally:
        await subscriber.client.close()


async def published(server: Server, count: int) -> list[bytes]:
    operator = await connect(server, "operator", "operatorSecret1")
    referrals = await connect(server, "referrals", "referralsSecret1")
    for stream in MIRRORED_STREAMS:
        producer = stream.removeprefix("PEER_").lower()
        await operator.js.add_stream(StreamConfig(name=stream, subjects=[f"peer.*.{producer}.>"]))
    payloads = await publish_referrals(referrals, count)
    await operator.client.close()
    await referrals.client.close()
    return payloads


async def watched_connection(server: Server, user: str, password: str) -> asyncio.Event:
    """Connect; the event is set when the server closes the connection."""
    closed = asyncio.Event()

    async def on_close() -> None:
        closed.set()

    await nats.connect(
        server.url,
        user=user,
        password=password,
        inbox_prefix=inbox_prefix(user),
        allow_reconnect=False,
        closed_cb=on_close,
    )
    return closed


async def refused(server: Server, user: str, password: str) -> bool:
    try:
        client = await nats.connect(server.url, user=user, password=password, allow_reconnect=False)
    except nats.errors.Error as error:
        return "authorization violation" in str(error).lower()
    await client.close()
    return False


def test_subscribers_add_list_and_revoke_on_a_running_server(installation: tuple[Path, Server]) -> None:
    data, server = installation
    payloads = asyncio.run(published(server, 2))
    cli = CliRunner()

    added = cli.invoke(app, ["subscribers", "add", "acme", "--data-dir", str(data)])
    assert added.exit_code == 0, added.output
    acme = credentials_from(added.output)
    assert acme[0] == "sub-acme"
    # Reloaded: the new identity reads what PEER published, through its own mirror.
    assert asyncio.run(read_as(server, *acme, payloads)) == payloads

    again = cli.invoke(app, ["subscribers", "add", "acme", "--data-dir", str(data)])
    assert again.exit_code == 1
    borough = credentials_from(
        cli.invoke(app, ["subscribers", "add", "borough", "--data-dir", str(data)]).output
    )
    listed = cli.invoke(app, ["subscribers", "list", "--data-dir", str(data)])
    assert [line.split("\t")[:2] for line in listed.output.splitlines()] == [
        ["acme", "SUB_ACME"],
        ["borough", "SUB_BOROUGH"],
    ]

    # A connection of acme's stays open across the revoke, on a loop of its own (the command runs its own).
    loop = asyncio.new_event_loop()
    background = threading.Thread(target=loop.run_forever, daemon=True)
    background.start()
    try:
        closed = asyncio.run_coroutine_threadsafe(watched_connection(server, *acme), loop).result(timeout=10)
        revoked = cli.invoke(app, ["subscribers", "revoke", "acme", "--data-dir", str(data)])
        assert revoked.exit_code == 0, revoked.output
        asyncio.run_coroutine_threadsafe(closed.wait(), loop).result(timeout=20)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        background.join()
    assert asyncio.run(refused(server, *acme))
    assert asyncio.run(read_as(server, *borough, payloads)) == payloads
    assert "acme" not in cli.invoke(app, ["subscribers", "list", "--data-dir", str(data)]).output


# --- the embedded launcher: the generated configuration on the real deploy/nats ------------------


def started(infra: Infrastructure) -> Server:
    """The launcher's server, with the runtime.json `up` writes for the operator commands."""
    assert infra.nats_monitor_url is not None
    write_runtime(infra.data_dir, RuntimeInfo(infra.nats_url, infra.nats_monitor_url, "127.0.0.1", 0, {}))
    return Server(url=infra.nats_url, monitor_url=infra.nats_monitor_url)


async def published_by_the_service(infra: Infrastructure, count: int) -> list[bytes]:
    """The streams declared by the operator and `count` referrals published by the referrals service,
    with the deployment's own identities."""
    server = Server(url=infra.nats_url, monitor_url="")
    operator = await connect(server, *infra.nats_credentials["operator"])
    await ensure_streams(operator.js, ALL_STREAMS, ServiceSettings())
    referrals = await connect(server, *infra.nats_credentials["referrals"])
    payloads = await publish_referrals(referrals, count)
    await operator.client.close()
    await referrals.client.close()
    return payloads


async def still_reads(server: Server, user: str, password: str, payloads: list[bytes]) -> list[bytes]:
    """After a restart: the mirror is still there, and so is the consumer made before it (its deliveries
    are unacknowledged, so a new consumer reads them)."""
    subscriber = await connect(server, user, password)
    try:
        await mirrored(subscriber, "PEER_REFERRALS", len(payloads))
        await subscriber.js.consumer_info("PEER_REFERRALS", "first-read")
        await subscriber.js.add_consumer("PEER_REFERRALS", reader("after-restart"))
        pull = await subscriber.js.pull_subscribe_bind("after-restart", stream="PEER_REFERRALS")
        return [m.data for m in await pull.fetch(len(payloads), timeout=5)]
    finally:
        await subscriber.client.close()


def test_the_launcher_runs_the_generated_configuration_and_keeps_its_subscribers() -> None:
    any_ports = {"nats_port": 0, "postgres_port": 0, "nats_monitor_port": 0}
    cli = CliRunner()
    with infra_data_dir() as data:
        generated = data.resolve() / "nats" / "nats.conf"
        launcher = EmbeddedInfrastructure(data, **any_ports)
        with launcher as infra:
            server = started(infra)
            command_line = psutil.Process(launcher.pids["nats"]).cmdline()
            assert command_line[command_line.index("--config") + 1] == str(generated)
            payloads = asyncio.run(published_by_the_service(infra, 2))

            added = cli.invoke(app, ["subscribers", "add", "acme", "--data-dir", str(data)])
            assert added.exit_code == 0, added.output
            acme = credentials_from(added.output)
            assert asyncio.run(read_as(server, *acme, payloads)) == payloads
            # The shared identity stays until the subscribers have moved to accounts of their own.
            assert not asyncio.run(refused(server, *infra.nats_credentials["regional"]))

        # A restart writes the configuration again from the register: the subscriber is still known.
        with EmbeddedInfrastructure(data, **any_ports) as infra:
            server = started(infra)
            # What was mirrored before, and what PEER receives after (the mirror resumes).
            payloads += asyncio.run(published_by_the_service(infra, 1))
            assert asyncio.run(still_reads(server, *acme, payloads)) == payloads
            revoked = cli.invoke(app, ["subscribers", "revoke", "acme", "--data-dir", str(data)])
            assert revoked.exit_code == 0, revoked.output
            assert asyncio.run(refused(server, *acme))
