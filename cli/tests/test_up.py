"""`peer-support up` as an operator runs it: a real process tree, stopped by a signal, nothing left behind.

The tests share one data folder, so the later ones also prove that `up` restarts on an existing one. The
first also signs in to the web console, with an account the operator adds, and sees a referral the
operator imported: the console calls the services with its own tokens, and they trust them.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest

from peer_referrals.feeds.csv.columns import template as csv_template
from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import SystemClock
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER
from peer_support_cli.services import EVERYTHING
from peer_support_cli.up import Console

pytestmark = pytest.mark.integration

DEADLINE = 60.0
ALL_SERVICES = tuple(service.name for service in EVERYTHING)
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """Not pytest's tmp_path: when run as root, Postgres runs as another account (see the root conftest)."""
    path = Path(tempfile.mkdtemp(prefix="peer-support-up-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def eventually(condition: Callable[[], bool], what: str, up: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if up.poll() is not None or time.monotonic() > deadline:
            state = f"exited with {up.returncode}" if up.poll() is not None else "still running"
            pytest.fail(f"{what} did not happen ({state}); output:\n{log.read_text()[-5000:]}")
        time.sleep(0.05)


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def gone(process: psutil.Process) -> bool:
    try:
        return bool(process.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


Stop = Callable[[subprocess.Popen[bytes], list[psutil.Process]], None]
Explore = Callable[[dict[str, str]], None]
SignIn = Callable[[str, str, str], httpx.Client]
"""The `sign_in_to_console` fixture (cli/tests/conftest.py)."""


def run_and_stop(
    data_dir: Path,
    services: tuple[str, ...],
    stop: Stop,
    *,
    exit_code: int = 0,
    explore: Explore | None = None,
) -> str:
    """Start `up`, await every service's /readyz, `explore` (given each service's URL), stop it with
    `stop` (given `up` and its process tree), check the exit code and that nothing is left; return the
    output."""
    log = data_dir.with_name(f"{data_dir.name}.out")
    argv = [sys.executable, "-m", "peer_support_cli.main", "up", "--data-dir", str(data_dir)]
    argv += ["--only", ",".join(services)]
    started = time.monotonic()
    with log.open("wb") as out:
        # Output to a file: a pipe nobody drains would block `up` and then its services.
        up = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        runtime_file = data_dir / "runtime.json"
        eventually(runtime_file.exists, "runtime.json", up, log)
        urls = json.loads(runtime_file.read_text())["services"]
        assert sorted(urls) == sorted(services)
        eventually(lambda: all(ready(url) for url in urls.values()), "all /readyz 200", up, log)
        ready_after = time.monotonic() - started
        eventually(lambda: "everything is ready" in log.read_text(), "the table", up, log)
        output = log.read_text()
        for name, url in urls.items():
            page = "/ " if name == "console" else "/docs"  # the console: its sign-in page
            assert re.search(rf"{name} +{re.escape(url + page)}", output), name
        assert "peer-support token issue --role coordinator" in output
        if "console" in services:
            assert f"peer-support account --data-dir {data_dir} add" in output
        if explore is not None:
            explore(urls)

        tree = psutil.Process(up.pid).children(recursive=True)
        commands = [" ".join(process.cmdline()) for process in tree]
        assert any("nats-server" in command for command in commands)
        assert any("postgres -D" in command for command in commands)
        for name in services:
            assert any(f"-m peer_{name}" in command for command in commands), name

        stopping = time.monotonic()
        stop(up, tree)
        assert up.wait(timeout=30) == exit_code, log.read_text()[-5000:]
        stopped_after = time.monotonic() - stopping
        _, alive = psutil.wait_procs(tree, timeout=5)
        assert [process for process in alive if not gone(process)] == []
        assert not runtime_file.exists()
        print(
            f"\n{','.join(services)}: all ready after {ready_after:.1f} s, stopped in {stopped_after:.1f} s"
        )
        return log.read_text()
    finally:
        if up.poll() is None:
            up.kill()  # its children follow (parent-death signal)
            up.wait()
        log.unlink()


def peer_support(data_dir: Path, *args: str, stdin: str = "") -> str:
    """Run an operator command against the running installation; its standard output."""
    argv = [sys.executable, "-m", "peer_support_cli.main", *args[:1], "--data-dir", str(data_dir), *args[1:]]
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=DEADLINE, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_up_runs_every_service_and_sigterm_stops_everything(
    data_dir: Path, sign_in_to_console: SignIn
) -> None:
    def use_the_console(urls: dict[str, str]) -> None:
        # The operator adds an account and imports a GP practice's CSV export (the mounted sub-apps).
        account_id = peer_support(
            data_dir, "account", "add", "avery", "--role", "coordinator", "--name", "Avery Coordinator",
            "--password-stdin", stdin=f"{PASSWORD}\n",
        )  # fmt: skip
        assert account_id.startswith("usr_")
        export = data_dir / "gp-export.csv"
        export.write_text(csv_template(), newline="")  # the documented example row
        peer_support(data_dir, "referrals", "import-csv", str(export))
        token = issue_token(
            load_private_key(data_dir / "keys" / "issuer.key"),
            issuer=OPERATOR_ISSUER,
            role=Role.COORDINATOR,
            subject="test",
            ttl=timedelta(minutes=5),
            clock=SystemClock(),
        )
        [referral] = httpx.get(
            f"{urls['referrals']}/referrals", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ).json()["items"]

        console = sign_in_to_console(urls["console"], "avery", PASSWORD)
        home = console.get("/coordinator")
        assert home.status_code == 200
        assert "Avery Coordinator" in home.text
        # Every section's call was accepted with the console's token, and the referral came from referrals.
        assert "Not available just now" not in home.text
        assert f"/coordinator/referrals/{referral['referral_id']}" in home.text
        detail = console.get(f"/coordinator/referrals/{referral['referral_id']}")
        assert detail.status_code == 200 and "Akhtar" in detail.text  # read for triage, audited by referrals

    run_and_stop(
        data_dir, ALL_SERVICES, lambda up, _: up.send_signal(signal.SIGTERM), explore=use_the_console
    )


def test_ctrl_c_stops_everything(data_dir: Path) -> None:
    # A terminal sends Ctrl-C to the whole foreground process group, `up`'s own here.
    run_and_stop(data_dir, ("referrals",), lambda up, _: os.killpg(up.pid, signal.SIGINT))


def test_a_service_that_dies_stops_everything_and_fails(data_dir: Path) -> None:
    def kill_referrals(up: subprocess.Popen[bytes], tree: list[psutil.Process]) -> None:
        [service] = [p for p in tree if "peer_referrals" in " ".join(p.cmdline())]
        service.kill()

    output = run_and_stop(data_dir, ("referrals",), kill_referrals, exit_code=1)
    assert "referrals STOPPED UNEXPECTEDLY with exit code -9" in output


def test_console_prefixes_every_line_with_a_fixed_width_name() -> None:
    plain, coloured = io.StringIO(), io.StringIO()
    Console(["up", "referrals"], plain, colour=False).line("up", "one\ntwo")
    Console(["up", "referrals"], coloured, colour=True).line("referrals", "three", alarm=True)
    assert plain.getvalue() == "up        | one\nup        | two\n"
    assert coloured.getvalue() == "\x1b[1;31mreferrals\x1b[0m | \x1b[1;31mthree\x1b[0m\n"
