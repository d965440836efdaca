"""Child processes of the launcher: ports, spawning, readiness, shutdown, leftovers."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import psutil  # type: ignore[import-untyped,unused-ignore]

from . import system_user

_PR_SET_PDEATHSIG = 1
# Loaded before any fork: the preexec hook must not import or load anything.
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def find_free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """The preferred port if it can be bound on host, else one the kernel picks."""
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the servers do, so a port held only by TIME_WAIT counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise OSError(f"no free TCP port on {host}")


def die_with_parent(death_signal: int, parent: int) -> Callable[[], None]:
    """A preexec hook so that the child gets death_signal when the launcher dies.

    It runs after subprocess has switched user, which keeps the setting (the
    kernel clears it only on credential changes made before it is set).
    """

    def hook() -> None:
        if _libc is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, death_signal)
        # The launcher may have died between fork and prctl.
        if os.getppid() != parent:
            os._exit(1)

    return hook


def spawn(
    argv: Sequence[str | Path],
    *,
    log_path: Path,
    death_signal: int,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start a server in its own session, logging to log_path.

    Its own session keeps a terminal's Ctrl-C away from it, so the launcher
    decides the shutdown order; death_signal reaches it if the launcher is killed.
    """
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [str(arg) for arg in argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
            preexec_fn=die_with_parent(death_signal, os.getpid()),
            **system_user.popen_identity(user),
        )


def stop(processes: Sequence[tuple[subprocess.Popen[bytes], int]], timeout: float = 30.0) -> None:
    """Send each process its shutdown signal, wait for all, SIGKILL any still running."""
    for process, shutdown_signal in processes:
        if process.poll() is None:
            process.send_signal(shutdown_signal)
    deadline = time.monotonic() + timeout
    for process, _ in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _gone(process: psutil.Process) -> bool:
    # A zombie has exited; its parent (maybe an init that never reaps) owns the rest.
    try:
        return bool(process.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def stop_leftover(pid: int, marker: str, shutdown_signal: int, timeout: float = 30.0) -> None:
    """Stop a server left by a launcher that died, if pid is one whose command line has marker.

    Nothing happens when the pid is gone or now belongs to another program.
    """
    try:
        process = psutil.Process(pid)
        if not any(marker in part for part in process.cmdline()):
            return
        process.send_signal(shutdown_signal)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return
    deadline, killed = time.monotonic() + timeout, False
    while not _gone(process):
        if time.monotonic() > deadline:
            if killed:
                raise RuntimeError(f"process {pid} survives SIGKILL")
            process.kill()
            deadline, killed = time.monotonic() + 5.0, True
        time.sleep(0.05)


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    *,
    what: str,
    log_path: Path,
    timeout: float,
) -> None:
    """Poll ready() until it holds; fail with the log's tail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            problem = f"{what} exited with code {process.returncode}"
        elif time.monotonic() > deadline:
            problem = f"{what} not ready after {timeout:.0f} s"
        else:
            time.sleep(0.02)
            continue
        tail = log_path.read_text(errors="replace").splitlines()[-20:]
        raise RuntimeError(f"{problem}; last lines of {log_path}:\n" + "\n".join(tail))
