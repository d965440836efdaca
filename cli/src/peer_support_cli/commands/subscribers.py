"""`peer-support subscribers`: regional subscribers of the embedded installation, each with a NATS account
of its own holding mirrors of the public streams (peer_support_cli.subscribers says why).

The register (names and passwords) is <data>/nats/subscribers.json; from it the command writes the
configuration the launcher runs (embedded.nats_config: <data>/nats/nats.conf and accounts.conf), then has
the running nats-server reload it (accounts are reloadable) and creates or deletes the mirrors over the
account's admin user.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Annotated

import nats
import typer
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from peer_support_cli.commands.connection import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    OperatorError,
    read_runtime,
    reports_errors,
    run,
)
from peer_support_cli.embedded.credentials import generate_password, load_or_create_secrets
from peer_support_cli.embedded.nats import nats_environment
from peer_support_cli.embedded.nats_config import load_register, nats_dir, write_configuration
from peer_support_cli.embedded.paths import nats_server_binary
from peer_support_cli.subscribers import (
    MIRRORED_STREAMS,
    Subscriber,
    inbox_prefix,
    mirror_configs,
)

app = typer.Typer(help="Regional subscribers: their own NATS identities and mirrors.", no_args_is_help=True)

RELOAD_SECONDS = 10.0
NameArgument = Annotated[str, typer.Argument(help="The subscriber's name: lower-case letters and digits.")]


def _config_load_time(monitor_url: str) -> str:
    with urllib.request.urlopen(f"{monitor_url}/varz", timeout=5) as response:
        return str(json.load(response)["config_load_time"])


def _signal_reload(data_dir: Path, monitor_url: str) -> None:
    """Signal the running nats-server to reload and wait until it has (the signal returns at once)."""
    before = _config_load_time(monitor_url)
    pid_file = nats_dir(data_dir) / "nats.pid"  # where the launcher starts nats-server with --pid
    signalled = subprocess.run(
        [str(nats_server_binary()), "--signal", f"reload={pid_file}"], capture_output=True, text=True
    )
    if signalled.returncode != 0:
        raise OperatorError(f"nats-server did not reload: {signalled.stderr.strip()}")
    deadline = time.monotonic() + RELOAD_SECONDS
    while _config_load_time(monitor_url) == before:
        if time.monotonic() > deadline:
            raise OperatorError(f"nats-server did not reload within {RELOAD_SECONDS:.0f} s; see its log")
        time.sleep(0.05)


def reload_nats(data_dir: Path, server_config: Path, monitor_url: str | None) -> None:
    """Check the new configuration, then have the running nats-server apply it."""
    if monitor_url is None:
        raise OperatorError("the running installation has no NATS monitoring address to confirm a reload")
    # deploy/nats's files read the store folder and the passwords from the environment, as the server does.
    env = nats_environment(nats_dir(data_dir), load_or_create_secrets(data_dir.expanduser().resolve()).nats)
    checked = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(server_config)], capture_output=True, text=True, env=env
    )
    if checked.returncode != 0:
        raise OperatorError(f"the generated NATS configuration is invalid: {checked.stderr.strip()}")
    # Twice: in an account a reload adds, the imports a mirror's consumer-create travels by work only
    # after the next reload (nats-server 2.15.1; tests/test_subscriber_tenancy.py shows the mirror stays
    # empty otherwise; compare nats-io/nats-server#8560, import interest lost on such a reload).
    _signal_reload(data_dir, monitor_url)
    _signal_reload(data_dir, monitor_url)


async def _as_admin(url: str, subscriber: Subscriber) -> Client:
    """Connect as the subscriber account's admin user, once the reload has made it known."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELOAD_SECONDS
    while True:
        try:
            return await nats.connect(
                url,
                user=subscriber.admin_user,
                password=subscriber.admin_password,
                inbox_prefix=inbox_prefix(subscriber.admin_user),
                allow_reconnect=False,
            )
        except nats.errors.Error:
            # The reload signal returns before the server has applied it: refused until then.
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _create_mirrors(url: str, subscriber: Subscriber) -> None:
    client = await _as_admin(url, subscriber)
    try:
        for config in mirror_configs(subscriber):
            await client.jetstream().add_stream(config)
    finally:
        await client.close()


async def _delete_mirrors(url: str, subscriber: Subscriber) -> None:
    client = await _as_admin(url, subscriber)
    try:
        for stream in MIRRORED_STREAMS:
            try:
                await client.jetstream().delete_stream(stream)
            except NotFoundError:
                continue
    finally:
        await client.close()


@app.command("add")
@reports_errors
def add_command(name: NameArgument, data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Create a subscriber's account and mirrors, and print its credentials (shown once)."""
    runtime = read_runtime(data_dir)
    subscribers = load_register(data_dir)
    if any(s.name == name for s in subscribers):
        raise OperatorError(f"subscriber {name!r} exists; revoke it first to replace its credentials")
    try:
        subscriber = Subscriber(name=name, password=generate_password(), admin_password=generate_password())
    except ValueError as error:
        raise OperatorError(str(error)) from error
    reload_nats(data_dir, write_configuration(data_dir, [*subscribers, subscriber]), runtime.nats_monitor_url)
    run(_create_mirrors(runtime.nats_url, subscriber))
    typer.echo(f"url: {runtime.nats_url}\nuser: {subscriber.user}\npassword: {subscriber.password}")
    typer.echo(f"inbox_prefix: {inbox_prefix(subscriber.user)}\nstreams: {', '.join(MIRRORED_STREAMS)}")


@app.command("list")
@reports_errors
def list_command(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """The subscribers, with their NATS account and user."""
    for subscriber in load_register(data_dir):
        typer.echo(f"{subscriber.name}\t{subscriber.account}\t{subscriber.user}")


@app.command("revoke")
@reports_errors
def revoke_command(name: NameArgument, data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Delete a subscriber's mirrors and remove its account: its connections are closed by the reload."""
    runtime = read_runtime(data_dir)
    subscribers = load_register(data_dir)
    subscriber = next((s for s in subscribers if s.name == name), None)
    if subscriber is None:
        raise OperatorError(f"no subscriber {name!r}")
    # The mirrors first: their consumers in PEER go with them, while the account still exists.
    run(_delete_mirrors(runtime.nats_url, subscriber))
    remaining = [s for s in subscribers if s.name != name]
    reload_nats(data_dir, write_configuration(data_dir, remaining), runtime.nats_monitor_url)
    typer.echo(f"revoked {name}")
