"""Start and stop the embedded NATS and Postgres under one data folder."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from . import psql
from .credentials import ensure_console_keys, ensure_issuer_keys, load_or_create_secrets
from .infrastructure import Infrastructure, database_url
from .nats import MONITOR_PORT, NatsServer
from .nats_config import load_register, write_configuration
from .paths import DATABASES, deploy_dir
from .postgres import PostgresServer
from .processes import find_free_port

HOST = "127.0.0.1"


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds through __exit__, which stops the children.
    raise SystemExit(128 + signum)


class EmbeddedInfrastructure:
    """Context manager running a real nats-server and Postgres as child processes.

    Layout of data_dir: secrets.json, keys/ (issuer.key/.pub: the operator's token-signing key pair,
    console.key/.pub: the web console's), nats/ (JetStream store, nats.pid, the generated configuration
    and the subscriber register: embedded.nats_config), postgres/
    (cluster), logs/ (nats.log, postgres.log). Everything survives a restart. The
    default ports are used when free, other free ports otherwise; port 0 asks for
    any free port (tests running side by side).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        nats_port: int = 4222,
        postgres_port: int = 5432,
        nats_monitor_port: int = MONITOR_PORT,
    ) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.nats_port = nats_port
        self.postgres_port = postgres_port
        self.nats_monitor_port = nats_monitor_port
        self._lock_fd: int | None = None
        self._nats: NatsServer | None = None
        self._postgres: PostgresServer | None = None
        self._previous_sigterm: Any = None

    @property
    def pids(self) -> dict[str, int]:
        """Process ids of the running servers ("nats", "postgres")."""
        servers = {"nats": self._nats, "postgres": self._postgres}
        return {
            name: server.process.pid
            for name, server in servers.items()
            if server is not None and server.process is not None
        }

    def _lock(self) -> None:
        """Hold <data>/launcher.lock while running: one launcher per data folder.

        The kernel releases it when this process dies, however it dies, so a
        server still running on the folder without it is a leftover to stop.
        """
        fd = os.open(self.data_dir / "launcher.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode().strip() or "?"
            os.close(fd)
            raise RuntimeError(f"{self.data_dir} is in use by launcher pid {owner}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def __enter__(self) -> Infrastructure:
        """Start both servers (creating what is missing) and describe them."""
        if self._lock_fd is not None:
            raise RuntimeError("this launcher is already running")
        # Private: it holds secrets.json and keys/ (Postgres's account gets o+x only).
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock()
        try:
            return self._start()
        except BaseException:
            self._shutdown()
            raise

    def _start(self) -> Infrastructure:
        secrets = load_or_create_secrets(self.data_dir)
        private_key, public_key = ensure_issuer_keys(self.data_dir)
        console_private_key, console_public_key = ensure_console_keys(self.data_dir)
        logs = self.data_dir / "logs"
        logs.mkdir(exist_ok=True)
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self._previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        # The PEER account and the regional subscribers' accounts as registered: a fresh folder has none.
        nats_config = write_configuration(self.data_dir, load_register(self.data_dir))
        self._nats = NatsServer(
            self.data_dir / "nats",
            port=find_free_port(self.nats_port),
            monitor_port=find_free_port(self.nats_monitor_port),
            passwords=secrets.nats,
            log_path=logs / "nats.log",
            config=nats_config,
        )
        self._postgres = PostgresServer(
            self.data_dir / "postgres",
            port=find_free_port(self.postgres_port),
            superuser_password=secrets.postgres["postgres"],
            log_path=logs / "postgres.log",
        )
        self._nats.start()
        self._postgres.start()
        port = self._postgres.port
        admin_url = database_url("postgres", secrets.postgres["postgres"], HOST, port, "postgres")
        variables = {f"{service}_password": secrets.postgres[service] for service in DATABASES}
        sql_file = deploy_dir() / "postgres" / "create-databases.sql"
        psql.run(admin_url, psql.file_script(sql_file, variables))
        return Infrastructure(
            data_dir=self.data_dir,
            nats_url=self._nats.url,
            nats_credentials={user: (user, pw) for user, pw in secrets.nats.items()},
            postgres_host=HOST,
            postgres_port=port,
            database_urls={
                service: database_url(service, secrets.postgres[service], HOST, port, service)
                for service in DATABASES
            },
            admin_database_url=admin_url,
            issuer_private_key_path=private_key,
            issuer_public_key_path=public_key,
            console_private_key_path=console_private_key,
            console_public_key_path=console_public_key,
            console_session_secret=secrets.session_secret,
            nats_monitor_url=self._nats.monitor_url,
        )

    def _shutdown(self) -> None:
        """Stop whatever runs, then release the lock and the SIGTERM handler."""
        try:
            for server in (self._postgres, self._nats):
                if server is not None:
                    server.stop()
        finally:
            self._postgres = self._nats = None
            if self._previous_sigterm is not None:
                signal.signal(signal.SIGTERM, self._previous_sigterm)
                self._previous_sigterm = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop both servers: a clean shutdown first, SIGKILL after a timeout."""
        self._shutdown()
