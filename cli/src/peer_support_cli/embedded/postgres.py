"""The embedded Postgres server: pgserver's bundled binaries, run directly as a child."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from . import processes, system_user
from .paths import postgres_bin_dir

# Fast shutdown: SIGTERM (smart) would wait for every client, services included.
SHUTDOWN_SIGNAL = signal.SIGINT


class PostgresServer:
    """One postmaster on 127.0.0.1 (TCP only), its cluster in pgdata."""

    def __init__(self, pgdata: Path, *, port: int, superuser_password: str, log_path: Path) -> None:
        self.pgdata = pgdata
        self.port = port
        self.superuser_password = superuser_password
        self.log_path = log_path
        self.bin_dir = postgres_bin_dir()
        # Postgres refuses to run as root: use an unprivileged account then.
        self.user = system_user.ensure() if os.geteuid() == 0 else None
        self.process: subprocess.Popen[bytes] | None = None

    def _initdb(self) -> None:
        """Create the cluster: scram-sha-256 everywhere, UTF8, superuser postgres."""
        pwfile = self.pgdata.with_name(f".{self.pgdata.name}.pwfile")
        pwfile.unlink(missing_ok=True)
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(self.superuser_password + "\n")
        try:
            if self.user is not None:
                system_user.give(pwfile, self.user)
            command: list[str | Path] = [
                self.bin_dir / "initdb",
                "--pgdata", self.pgdata,
                "--username", "postgres",
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ]  # fmt: skip
            with self.log_path.open("ab") as log:
                subprocess.run(
                    [str(part) for part in command],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    check=True,
                    **system_user.popen_identity(self.user),
                )
        finally:
            pwfile.unlink()

    def _postmaster_status(self) -> tuple[int, str] | None:
        """(pid, status) from postmaster.pid, or None without a complete one."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return None
        if len(lines) < 8 or not lines[0].strip().isdigit():
            return None
        return int(lines[0]), lines[7].strip()

    def _clear_stale_pid_file(self) -> None:
        """Stop a postmaster a killed launcher left on this cluster, or drop its pid file.

        Postgres itself refuses to start when the recorded pid now belongs to another
        process (pids are reused, notably in containers).
        """
        status = self._postmaster_status()
        if status is None:
            return
        processes.stop_leftover(status[0], str(self.pgdata), SHUTDOWN_SIGNAL)
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)

    def _ready(self) -> bool:
        status = self._postmaster_status()
        return status is not None and self.process is not None and status == (self.process.pid, "ready")

    def start(self, timeout: float = 60.0) -> None:
        """Initialise the cluster if new, start the postmaster, wait until it accepts connections."""
        self.pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.user is not None:
            system_user.prepare(self.pgdata, self.bin_dir.parent, self.user)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        self._clear_stale_pid_file()
        command: list[str | Path] = [
            self.bin_dir / "postgres",
            "-D", self.pgdata,
            "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1",
            # TCP only: a Unix socket path under a deep data folder can exceed the
            # 107-byte limit, and every client here connects over TCP anyway.
            "-c", "unix_socket_directories=",
            "-c", "max_connections=200",
            # As in the official image, so embedded and compose agree on timestamps.
            "-c", "TimeZone=UTC",
        ]  # fmt: skip
        self.process = processes.spawn(
            command, log_path=self.log_path, death_signal=SHUTDOWN_SIGNAL, user=self.user
        )
        processes.wait_until(
            self._ready, self.process, what="postgres", log_path=self.log_path, timeout=timeout
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (clients disconnected, checkpoint written), killing after timeout."""
        if self.process is not None:
            processes.stop([(self.process, SHUTDOWN_SIGNAL)], timeout)
            self.process = None
