"""The embedded launcher and the deploy/ configuration, against real processes."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import nats
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest
from nats.aio.client import Client
from nats.js.api import ConsumerConfig

from peer_console.settings import CONSOLE_ISSUER, ConsoleSettings
from peer_events.streams import streams_of
from peer_shared.auth.tokens import load_private_key, load_public_key
from peer_shared.bus import ensure_streams
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure, psql
from peer_support_cli.embedded.credentials import generate_password, load_or_create_secrets
from peer_support_cli.embedded.nats import NatsServer
from peer_support_cli.embedded.paths import DATABASES, NATS_USERS, deploy_dir, postgres_bin_dir
from peer_support_cli.embedded.processes import find_free_port
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER, service_settings
from peer_support_cli.services import SERVICES as DESCRIPTORS
from peer_support_cli.services import names

pytestmark = pytest.mark.integration
SERVICES = names(DESCRIPTORS)

# Any free ports: other test sessions may be running on this machine.
ANY_PORTS = {"nats_port": 0, "postgres_port": 0, "nats_monitor_port": 0}

CREATE_DATABASES = deploy_dir() / "postgres" / "create-databases.sql"


def asyncpg_url(url: str) -> str:
    """asyncpg takes the SQLAlchemy URL without the driver."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def read_json(url: str) -> Any:
    with urlopen(url, timeout=5) as response:
        return json.load(response)


def credentials(urls: dict[str, str]) -> dict[str, str]:
    """The user:password part of each URL (ports may change across restarts)."""
    return {name: url.split("@")[0] for name, url in urls.items()}


def with_database(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


async def connect_nats(
    url: str, credentials: tuple[str, str] | None, errors: list[str], inbox_prefix: str = "_INBOX"
) -> Client:
    """A NATS client that records the server's protocol errors (permission violations)."""

    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    options = {"user": credentials[0], "password": credentials[1]} if credentials else {}
    return await nats.connect(
        url, error_cb=on_error, allow_reconnect=False, inbox_prefix=inbox_prefix, **options
    )


async def permission_denied(errors: list[str], subject: str) -> bool:
    """Wait briefly for the server's asynchronous permissions violation on subject."""
    # nats-py lower-cases the server's error line.
    expected = f'permissions violation for publish to "{subject}'.lower()
    for _ in range(50):
        if any(expected in error.lower() for error in errors):
            return True
        await asyncio.sleep(0.02)
    return False


def gone(pid: int) -> bool:
    """True when pid has exited (a zombie waiting for a parent that never reaps counts)."""
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


async def wait_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    """The pids still running after timeout."""
    for _ in range(int(timeout / 0.1)):
        if all(gone(pid) for pid in pids):
            return []
        await asyncio.sleep(0.1)
    return [pid for pid in pids if not gone(pid)]


def server_pids(launcher: EmbeddedInfrastructure) -> list[int]:
    """nats-server, the postmaster and every Postgres backend and worker."""
    pids = list(launcher.pids.values())
    postmaster = psutil.Process(launcher.pids["postgres"])
    return pids + [child.pid for child in postmaster.children(recursive=True)]


# --- the session infrastructure -------------------------------------------------------


async def test_nats_runs_jetstream_with_fsync_on_every_write(infra: Infrastructure) -> None:
    if infra.nats_monitor_url is None:
        pytest.skip("NATS monitor URL unknown: set PEER_TEST_NATS_MONITOR_URL")
    varz = await asyncio.to_thread(read_json, f"{infra.nats_monitor_url}/varz")
    assert varz["jetstream"]["config"]["sync_always"] is True
    client = await connect_nats(infra.nats_url, infra.nats_credentials.get("operator"), [])
    try:
        account = await client.jetstream().account_info()
    finally:
        await client.close()
    assert account.limits.max_storage != 0


@pytest.mark.parametrize("service", DATABASES)
async def test_service_role_connects_to_its_own_database_only(infra: Infrastructure, service: str) -> None:
    url = asyncpg_url(infra.database_urls[service])
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval("SELECT current_user") == service
        assert await connection.fetchval("SELECT has_schema_privilege('public', 'CREATE')")
    finally:
        await connection.close()
    for other in DATABASES:
        if other != service:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await asyncpg.connect(with_database(url, other))


async def test_create_database_gives_a_fresh_database(infra: Infrastructure) -> None:
    name = f"test_{uuid.uuid4().hex}"
    connection = await asyncpg.connect(asyncpg_url(infra.create_database(name)))
    try:
        assert await connection.fetchval("SELECT current_database()") == name
        assert await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    finally:
        await connection.close()
    admin = await asyncpg.connect(asyncpg_url(infra.admin_database_url))
    try:
        await admin.execute(f'DROP DATABASE "{name}"')
    finally:
        await admin.close()


def test_database_script_refuses_to_run_without_its_variables(infra: Infrastructure) -> None:
    variables = {"referrals_password": "x", "sessions_password": "x", "outcomes_password": "x"}
    with pytest.raises(RuntimeError, match="needs psql -v matching_password"):
        psql.run(infra.admin_database_url, psql.file_script(CREATE_DATABASES, variables))


def test_compose_init_hook_runs_the_same_script(infra: Infrastructure) -> None:
    """deploy/postgres/init.sh, as the postgres image runs it, but against this server."""
    admin = urlsplit(infra.admin_database_url)
    passwords = {
        f"PEER_DB_{service.upper()}_PASSWORD": unquote(urlsplit(url).password or "")
        for service, url in infra.database_urls.items()
    }
    env = {
        **os.environ,
        **passwords,
        "PATH": f"{postgres_bin_dir()}{os.pathsep}{os.environ['PATH']}",
        "PGHOST": admin.hostname or "",
        "PGPORT": str(admin.port),
        "PGPASSWORD": unquote(admin.password or ""),
        "POSTGRES_USER": unquote(admin.username or ""),
        "PEER_DB_SQL_FILE": str(CREATE_DATABASES),
    }
    hook = CREATE_DATABASES.with_name("init.sh")
    subprocess.run(["bash", str(hook)], env=env, check=True, capture_output=True)


def test_issuer_key_pair_is_private(infra: Infrastructure) -> None:
    assert infra.issuer_private_key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert infra.issuer_public_key_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert infra.issuer_private_key_path.stat().st_mode & 0o077 == 0


def test_the_console_has_its_own_private_key_pair_and_session_secret(infra: Infrastructure) -> None:
    private = load_private_key(infra.console_private_key_path)
    public = load_public_key(infra.console_public_key_path)
    assert private.public_key() == public
    assert infra.console_private_key_path.stat().st_mode & 0o077 == 0
    assert infra.console_private_key_path != infra.issuer_private_key_path
    assert len(infra.console_session_secret) >= 32


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_trusts_the_operator_and_the_console(infra: Infrastructure, service: str) -> None:
    keys = ServiceSettings(**service_settings(infra, service)).auth_public_keys
    assert keys == {
        OPERATOR_ISSUER: infra.issuer_public_key_path.read_text(),
        CONSOLE_ISSUER: infra.console_public_key_path.read_text(),
    }


def test_the_console_is_configured_for_plain_http_on_this_machine(infra: Infrastructure) -> None:
    urls = {name: f"http://127.0.0.1:{9000 + i}" for i, name in enumerate(SERVICES)}
    settings = ConsoleSettings(**service_settings(infra, "console", service_urls=urls))
    assert settings.database_url.get_secret_value() == infra.database_urls["console"]
    assert settings.signing_key_path == infra.console_private_key_path
    assert settings.session_secret.get_secret_value() == infra.console_session_secret
    assert settings.token_issuer == CONSOLE_ISSUER
    assert settings.secure_cookies is False
    assert [getattr(settings, f"{name}_url") for name in SERVICES] == [urls[name] for name in SERVICES]


def test_an_older_data_folder_gains_the_console_secrets_and_keeps_the_rest() -> None:
    folder = Path(tempfile.mkdtemp(prefix="peer-support-secrets-"))
    try:
        older = {
            "nats": {user: generate_password() for user in NATS_USERS},
            "postgres": {role: generate_password() for role in ("postgres", *SERVICES)},
        }
        (folder / "secrets.json").write_text(json.dumps(older))
        secrets = load_or_create_secrets(folder)
        assert secrets.nats == older["nats"]
        assert {k: v for k, v in secrets.postgres.items() if k != "console"} == older["postgres"]
        assert secrets.postgres["console"] and len(secrets.session_secret) >= 32
        assert load_or_create_secrets(folder) == secrets
        assert (folder / "secrets.json").stat().st_mode & 0o077 == 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- NATS permissions from deploy/nats (a private server: these tests publish) ----------


@pytest.fixture(scope="module")
def private_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    root = tmp_path_factory.mktemp("nats")
    server = NatsServer(
        root,
        port=find_free_port(0),
        monitor_port=find_free_port(0),
        passwords={user: generate_password() for user in NATS_USERS},
        log_path=root / "nats.log",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def operator(private_nats: NatsServer) -> AsyncIterator[Client]:
    client = await connect_nats(private_nats.url, ("operator", private_nats.passwords["operator"]), [])
    yield client
    await client.close()


async def as_user(server: NatsServer, user: str, errors: list[str]) -> Client:
    return await connect_nats(
        server.url, (user, server.passwords[user]), errors, inbox_prefix=f"_INBOX_{user}"
    )


async def test_service_publishes_its_own_events_only(private_nats: NatsServer, operator: Client) -> None:
    tag = uuid.uuid4().hex[:8]
    await operator.jetstream().add_stream(name=f"REFERRALS_{tag}", subjects=[f"peer.{tag}.referrals.>"])
    errors: list[str] = []
    referrals = await as_user(private_nats, "referrals", errors)
    try:
        ack = await referrals.jetstream().publish(f"peer.{tag}.referrals.received", b"{}")
        assert ack.seq == 1
        await referrals.publish(f"peer.{tag}.matching.matched", b"{}")
        await referrals.publish(f"internal.{tag}.sessions.concern", b"{}")
        await referrals.flush()
        assert await permission_denied(errors, f"peer.{tag}.matching.matched")
        assert await permission_denied(errors, f"internal.{tag}.sessions.concern")
    finally:
        await referrals.close()


async def test_regional_reads_public_events_through_its_own_consumer(
    private_nats: NatsServer, operator: Client
) -> None:
    tag = uuid.uuid4().hex[:8]
    js = operator.jetstream()
    await ensure_streams(js, streams_of("sessions"), ServiceSettings())
    await js.publish(f"peer.{tag}.sessions.logged", b"public")
    await js.publish(f"internal.{tag}.sessions.concern", b"private")
    errors: list[str] = []
    regional = await as_user(private_nats, "regional", errors)
    try:
        rjs = regional.jetstream(timeout=1)
        name = f"regional_{tag}"
        config = ConsumerConfig(name=name, durable_name=name, filter_subject=f"peer.{tag}.>")
        await rjs.add_consumer("PEER_SESSIONS", config)
        subscription = await rjs.pull_subscribe_bind(durable=name, stream="PEER_SESSIONS")
        [message] = await subscription.fetch(1, timeout=2)
        assert message.data == b"public"
        await message.ack_sync()
        # Only a filter under peer. can be in the create subject (the permissions),
        # and the server insists that the consumer's filter is the subject's.
        sneaky = {"name": "sneaky", "durable_name": "sneaky", "filter_subject": f"peer.{tag}.sessions.other"}
        request = json.dumps({"stream_name": "PEER_SESSIONS", "config": sneaky}).encode()
        reply = await regional.request("$JS.API.CONSUMER.CREATE.PEER_SESSIONS.sneaky.peer.>", request)
        assert json.loads(reply.data)["error"]["err_code"] == 10131
        # No consumer at all on an internal stream, whatever its filter.
        private = ConsumerConfig(name=name, durable_name=name, filter_subject=f"internal.{tag}.>")
        with pytest.raises(nats.errors.TimeoutError):
            await rjs.add_consumer("INTERNAL_SESSIONS", private)
        assert await permission_denied(errors, f"$JS.API.CONSUMER.CREATE.INTERNAL_SESSIONS.{name}.internal")
        await regional.publish(f"peer.{tag}.sessions.logged", b"forged")
        await regional.flush()
        assert await permission_denied(errors, f"peer.{tag}.sessions.logged")
    finally:
        await regional.close()


# --- the launcher's own life cycle ----------------------------------------------------


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder outside pytest's basetemp (see infra_data_dir in the root conftest.py)."""
    folder = Path(tempfile.mkdtemp(prefix="peer-support-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


async def test_restart_keeps_data_secrets_and_leaves_no_process(data_dir: Path) -> None:
    launcher = EmbeddedInfrastructure(data_dir, **ANY_PORTS)
    with launcher as first:
        with pytest.raises(RuntimeError, match="in use by launcher pid"):
            EmbeddedInfrastructure(data_dir, **ANY_PORTS).__enter__()
        connection = await asyncpg.connect(asyncpg_url(first.database_urls["referrals"]))
        await connection.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before')")
        await connection.close()
        client = await connect_nats(first.nats_url, first.nats_credentials["operator"], [])
        await client.jetstream().add_stream(name="KEPT", subjects=["kept.>"])
        await client.jetstream().publish("kept.one", b"before")
        await client.close()
        pids = server_pids(launcher)
    assert await wait_gone(pids, timeout=0.5) == []
    public_key = first.issuer_public_key_path.read_bytes()
    console_key = first.console_public_key_path.read_bytes()

    with EmbeddedInfrastructure(data_dir, **ANY_PORTS) as second:
        assert credentials(second.database_urls) == credentials(first.database_urls)
        assert second.nats_credentials == first.nats_credentials
        assert second.issuer_public_key_path.read_bytes() == public_key
        assert second.console_public_key_path.read_bytes() == console_key
        assert second.console_session_secret == first.console_session_secret
        connection = await asyncpg.connect(asyncpg_url(second.database_urls["referrals"]))
        assert await connection.fetchval("SELECT note FROM kept") == "before"
        await connection.close()
        client = await connect_nats(second.nats_url, second.nats_credentials["operator"], [])
        message = await client.jetstream().get_last_msg("KEPT", "kept.one")
        await client.close()
        assert message.data == b"before"


async def test_free_ports_are_used_when_the_defaults_are_taken(data_dir: Path) -> None:
    with socket.socket() as nats_taken, socket.socket() as postgres_taken:
        for taken in (nats_taken, postgres_taken):
            taken.bind(("127.0.0.1", 0))
            taken.listen()
        nats_port, postgres_port = nats_taken.getsockname()[1], postgres_taken.getsockname()[1]
        ports = {"nats_port": nats_port, "postgres_port": postgres_port, "nats_monitor_port": 0}
        with EmbeddedInfrastructure(data_dir, **ports) as infra:
            assert infra.nats_url != f"nats://127.0.0.1:{nats_port}"
            assert infra.postgres_port != postgres_port
            client = await connect_nats(infra.nats_url, infra.nats_credentials["operator"], [])
            await client.close()
            connection = await asyncpg.connect(asyncpg_url(infra.admin_database_url))
            await connection.close()


LAUNCH = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from peer_support_cli.embedded import EmbeddedInfrastructure

    launcher = EmbeddedInfrastructure(Path(sys.argv[1]), nats_port=0, postgres_port=0, nats_monitor_port=0)
    launcher.__enter__()
    print(json.dumps(launcher.pids), flush=True)
    if sys.argv[2] == "exec":
        # Lose the launcher (and its lock) while its children keep a live parent.
        os.execv("/bin/sleep", ["sleep", "120"])
    input()
    """
)


def lock_is_free(path: Path) -> bool:
    with path.open("rb") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(file, fcntl.LOCK_UN)
        return True


def launch_in_subprocess(data_dir: Path, mode: str) -> tuple[subprocess.Popen[str], dict[str, int]]:
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, str(data_dir), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")
async def test_killed_launcher_takes_its_servers_along(data_dir: Path) -> None:
    process, pids = launch_in_subprocess(data_dir, "wait")
    process.kill()
    process.wait()
    assert await wait_gone(list(pids.values())) == []

    # A stale postmaster.pid naming a live process that is not Postgres (a reused pid).
    pid_file = data_dir / "postgres" / "postmaster.pid"
    pid_file.write_text(f"{os.getpid()}\n{data_dir / 'postgres'}\n0\n5432\n\n127.0.0.1\n0 0\nready\n")
    with EmbeddedInfrastructure(data_dir, **ANY_PORTS) as infra:
        connection = await asyncpg.connect(asyncpg_url(infra.database_urls["outcomes"]))
        await connection.close()


async def test_servers_left_by_a_dead_launcher_are_stopped_on_restart(data_dir: Path) -> None:
    process, pids = launch_in_subprocess(data_dir, "exec")
    try:
        while not lock_is_free(data_dir / "launcher.lock"):
            await asyncio.sleep(0.01)
        assert not any(gone(pid) for pid in pids.values())
        launcher = EmbeddedInfrastructure(data_dir, **ANY_PORTS)
        with launcher:
            assert await wait_gone(list(pids.values()), timeout=0.1) == []
            assert set(launcher.pids.values()).isdisjoint(pids.values())
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
