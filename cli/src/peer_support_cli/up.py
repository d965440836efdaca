"""Running the platform on one machine: the embedded NATS and Postgres, then each service as a child process.

Every child's output appears line by line behind its service's name (or goes to a log file). The first
Ctrl-C, SIGTERM or SIGHUP stops the services (SIGTERM, SIGKILL after STOP_TIMEOUT) and then the
infrastructure; a service that dies on its own stops everything, and `up` exits non-zero. Other commands
(the demo) reuse this supervision, with work of their own to do once everything is ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TextIO

from peer_shared.service import ServiceDescriptor
from peer_support_cli.commands.connection import RuntimeInfo, remove_runtime, write_runtime
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure, processes
from peer_support_cli.embedded.service_config import service_environment

HOST = "127.0.0.1"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
TAIL_LINES = 20
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_COLOURS = ("36", "35", "33", "32", "34")
_ALARM = "1;31"


Summary = Callable[[Infrastructure, Mapping[str, str]], str]
"""Text shown once everything is ready, from the infrastructure and each service's base URL."""

Work = Callable[[Infrastructure, Mapping[str, str]], int | None]
"""Run once everything is ready, given the infrastructure and each service's base URL: its exit code
stops everything, None keeps everything running as `up` does."""


class StopRequested(BaseException):
    """The operator asked `up` to stop; a BaseException so that nothing on the way swallows it."""


class ServiceFailed(Exception):
    """A service did not become ready in time."""


class Console:
    """Interleaved output of `up` and its services, whole lines behind a fixed-width, coloured name."""

    def __init__(self, names: Sequence[str], out: TextIO, *, colour: bool) -> None:
        self._width = max(len(name) for name in names)
        self._colours = {name: _COLOURS[i % len(_COLOURS)] for i, name in enumerate(names)}
        self._colour = colour
        self._out = out
        self._lock = threading.Lock()

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self._colour else text

    def line(self, name: str, text: str, *, alarm: bool = False) -> None:
        """One line (or several) from or about name; an alarm stands out in bold red."""
        label = self._paint(name.ljust(self._width), _ALARM if alarm else self._colours.get(name, "0"))
        parts = (self._paint(part, _ALARM) if alarm else part for part in text.split("\n"))
        # The terminal may be gone (SIGHUP, a closed pipe): keep going, so the children are still
        # drained and the shutdown completes.
        with self._lock, suppress(OSError):
            self._out.write("".join(f"{label} | {part}\n" for part in parts))
            self._out.flush()


@dataclass
class ServiceProcess:
    """A running service (or the web console) and the last lines it wrote."""

    service: ServiceDescriptor
    port: int
    process: subprocess.Popen[bytes]
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    reader: threading.Thread | None = None

    @property
    def name(self) -> str:
        """The service's name."""
        return self.service.name

    @property
    def url(self) -> str:
        """Base URL of its HTTP API."""
        return f"http://{HOST}:{self.port}"

    def relay_output(self, console: Console) -> None:
        """Copy the child's output to the console until it closes (a thread's body)."""
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            text = raw.decode(errors="replace").rstrip()
            self.tail.append(text)
            console.line(self.name, text)

    def last_lines(self) -> str:
        """Its last lines, complete once it has exited."""
        if self.reader is not None and self.process.poll() is not None:
            self.reader.join(timeout=2)
        return "\n".join(f"  {line}" for line in self.tail)

    def ready(self) -> bool:
        """True when /readyz answers 200."""
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=3) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False


def _spawn(
    service: ServiceDescriptor,
    infra: Infrastructure,
    port: int,
    urls: Mapping[str, str],
    log_format: str,
    extra_env: Mapping[str, str],
) -> ServiceProcess:
    env = {
        **os.environ,
        **service_environment(infra, service.name, http_port=port, service_urls=urls),
        "PEER_LOG_FORMAT": log_format,
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", service.module],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        # Its own session keeps a terminal's Ctrl-C away from it: `up` decides the shutdown order.
        start_new_session=True,
        preexec_fn=processes.die_with_parent(signal.SIGTERM, os.getpid()),
    )
    return ServiceProcess(service, port, process)


class Up:
    """One run of `peer-support up`, from the first server started to the last one stopped."""

    def __init__(
        self,
        data_dir: Path,
        services: Sequence[ServiceDescriptor],
        *,
        summary: Summary | None,
        out: TextIO = sys.stdout,
        label: str = "up",
        extra_env: Mapping[str, Mapping[str, str]] | None = None,
        service_output: TextIO | None = None,
        work: Work | None = None,
    ) -> None:
        """`extra_env` adds environment variables per service name; `service_output` takes the services'
        lines instead of `out`; `work` runs once everything is ready (see `Work`)."""
        self.data_dir = data_dir
        self.services = services
        self.summary = summary
        self.label = label
        self.extra_env = extra_env or {}
        self.work = work
        self.tty = out.isatty()
        self.stopped_by: str | None = None
        """The signal that stopped the run, if one did."""
        names = [label, *(service.name for service in services)]
        colour = self.tty and "NO_COLOR" not in os.environ
        self.console = Console(names, out, colour=colour)
        self.service_console = self.console
        if service_output is not None:
            self.console = Console([label], out, colour=colour)
            self.service_console = Console(names, service_output, colour=False)
        self.running: list[ServiceProcess] = []
        self._stoppable = True
        self._started = time.monotonic()

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        # Only the first signal stops: a second Ctrl-C must not break off the shutdown the first began.
        if self._stoppable:
            self._stoppable = False
            raise StopRequested(signal.Signals(number).name)

    def _say(self, text: str, *, alarm: bool = False) -> None:
        self.console.line(self.label, text, alarm=alarm)

    def run(self) -> int:
        """Run until told to stop; the exit code (0 after a requested stop, 1 after a failure)."""
        previous = {number: signal.signal(number, self._on_signal) for number in STOP_SIGNALS}
        try:
            with ExitStack() as stack:
                self._say(f"starting NATS and Postgres in {self.data_dir}")
                try:
                    infra = stack.enter_context(EmbeddedInfrastructure(self.data_dir))
                except (RuntimeError, OSError) as error:
                    self._say(f"the infrastructure did not start: {error}", alarm=True)
                    return 1
                stack.callback(self._say, "NATS and Postgres stopped")
                self._say(f"NATS and Postgres ready after {time.monotonic() - self._started:.1f} s")
                try:
                    return self._serve(infra)
                except StopRequested as stop:
                    self.stopped_by = str(stop)
                    self._say(f"{stop} received: stopping")
                    return 0
                finally:
                    self._stoppable = False
                    self._stop()
                    remove_runtime(infra.data_dir)
        except StopRequested as stop:
            # While the infrastructure was starting: the launcher has stopped what it had begun.
            self.stopped_by = str(stop)
            self._say(f"{stop} received while starting: stopped")
            return 0
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _serve(self, infra: Infrastructure) -> int:
        ports = {s.name: processes.find_free_port(s.default_port, HOST) for s in self.services}
        urls = {name: f"http://{HOST}:{port}" for name, port in ports.items()}
        runtime = RuntimeInfo(
            nats_url=infra.nats_url,
            nats_monitor_url=infra.nats_monitor_url,
            postgres_host=infra.postgres_host,
            postgres_port=infra.postgres_port,
            services=urls,
        )
        write_runtime(infra.data_dir, runtime)
        log_format = "console" if self.tty else "json"
        # All forks first, threads after: a fork while other threads run may copy a held lock.
        self.running.extend(
            _spawn(s, infra, ports[s.name], urls, log_format, self.extra_env.get(s.name, {}))
            for s in self.services
        )
        for candidate in self.running:
            candidate.reader = threading.Thread(
                target=candidate.relay_output, args=(self.service_console,), daemon=True
            )
            candidate.reader.start()
        try:
            self._wait_ready()
        except ServiceFailed as failure:
            self._say(str(failure), alarm=True)
            return 1
        ready = f"everything is ready after {time.monotonic() - self._started:.1f} s"
        if self.summary is None:
            self._say(ready)
        else:
            self._say(f"{ready}:")
            self._say(self.summary(infra, urls))
        if self.work is not None:
            code = self.work(infra, urls)
            if code is not None:
                self._report_dead()
                return code
        dead = self._first_exit()
        self._say(
            f"{dead.name} STOPPED UNEXPECTEDLY with exit code {dead.process.returncode}; "
            f"stopping everything. Its last lines:\n{dead.last_lines()}",
            alarm=True,
        )
        return 1

    def _wait_ready(self) -> None:
        started = time.monotonic()
        waiting = list(self.running)
        while waiting:
            for candidate in list(waiting):
                if candidate.process.poll() is not None:
                    code = candidate.process.returncode
                    raise ServiceFailed(
                        f"{candidate.name} exited with code {code} before it was ready; "
                        f"its last lines:\n{candidate.last_lines()}"
                    )
                if candidate.ready():
                    waiting.remove(candidate)
                    self._say(f"{candidate.name} ready after {time.monotonic() - started:.1f} s")
            if waiting and time.monotonic() - started > READY_TIMEOUT:
                late = waiting[0]
                raise ServiceFailed(
                    f"{late.name} not ready after {READY_TIMEOUT:.0f} s; its last lines:\n{late.last_lines()}"
                )
            time.sleep(0.1)

    def _report_dead(self) -> None:
        """Say which services died while the work ran: the likely reason it failed."""
        for candidate in self.running:
            if candidate.process.poll() is not None:
                self._say(
                    f"{candidate.name} STOPPED UNEXPECTEDLY with exit code {candidate.process.returncode}. "
                    f"Its last lines:\n{candidate.last_lines()}",
                    alarm=True,
                )

    def _first_exit(self) -> ServiceProcess:
        """Wait until a service exits (none should) and return it."""
        while True:
            for candidate in self.running:
                if candidate.process.poll() is not None:
                    return candidate
            time.sleep(0.2)

    def _stop(self) -> None:
        if not self.running:
            return
        started = time.monotonic()
        self._say(f"stopping {', '.join(candidate.name for candidate in self.running)}")
        processes.stop([(candidate.process, signal.SIGTERM) for candidate in self.running], STOP_TIMEOUT)
        for candidate in self.running:
            if candidate.reader is not None:
                candidate.reader.join(timeout=2)
        self._say(f"services stopped in {time.monotonic() - started:.1f} s")
