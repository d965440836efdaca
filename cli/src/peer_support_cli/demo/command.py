"""`peer-support demo`: both programmes on this machine, with seeded cohorts, in under a minute."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import ScenarioFileClock, SystemClock, to_london
from peer_shared.logging import configure_logging
from peer_support_cli.demo.accounts import DemoAccount, create_accounts
from peer_support_cli.demo.client import Api, DemoError
from peer_support_cli.demo.days import start_for
from peer_support_cli.demo.driver import Driver
from peer_support_cli.demo.folder import fresh_data_dir
from peer_support_cli.demo.group_scenario import CONDITION as GROUP_CONDITION
from peer_support_cli.demo.people import LOCALITIES
from peer_support_cli.demo.report import caught_up, commissioner_report, expected_figures, summary
from peer_support_cli.demo.scenario import Scenario, build
from peer_support_cli.demo.steps import PRACTICES
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.processes import find_free_port
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER
from peer_support_cli.services import CONSOLE, EVERYTHING
from peer_support_cli.up import HOST, Up

DEFAULT_SEED = 2024
DEFAULT_DATA_DIR = Path(".peer-support-demo")
CLOCK_FILE = "scenario-clock.json"
MLLP_PORT = 2575
LABEL = "demo"


class DemoRun:
    """The demo's work once every service is ready: play the scenario, then report (or keep running)."""

    def __init__(self, scenario: Scenario, data_dir: Path, mllp_port: int, *, keep_running: bool) -> None:
        self.scenario = scenario
        self.data_dir = data_dir
        self.mllp_port = mllp_port
        self.keep_running = keep_running
        self.accounts: list[DemoAccount] = []
        """The web console accounts made for exploring (only when the demo keeps running)."""
        self.finished = False
        self.started = time.monotonic()
        self.period = (scenario.start.date(), scenario.end.date())
        """The report's period: from the scenario's start to the day it caught up with the present."""

    def say(self, text: str, *, err: bool = False) -> None:
        """One progress line, in step with the launcher's own lines."""
        for line in text.split("\n"):
            typer.echo(f"{LABEL} | {line}", err=err)

    def __call__(self, infra: Infrastructure, urls: Mapping[str, str]) -> int | None:
        try:
            lines = asyncio.run(self._play(infra, urls))
        except DemoError as exc:
            self.say(f"the demo stopped: {exc}", err=True)
            return 1
        self.finished = True
        elapsed = time.monotonic() - self.started
        self.say(f"finished in {elapsed:.1f} s; the commissioner's report is {self.data_dir / 'report.html'}")
        self.say("\n".join(f"  {line}" for line in lines))
        if not self.keep_running:
            return 0
        self._show_where(infra, urls)
        return None

    async def _play(self, infra: Infrastructure, urls: Mapping[str, str]) -> list[str]:
        clock_file = self.data_dir / CLOCK_FILE
        api = Api(urls, infra.issuer_private_key_path, clock_file)
        try:
            driver = Driver(
                self.scenario,
                api,
                clock_file=clock_file,
                referrals_database_url=infra.database_urls["referrals"],
                mllp=(HOST, self.mllp_port),
                workdir=self.data_dir / "feeds",
                say=lambda text: self.say(f"{text} [{time.monotonic() - self.started:.1f} s]"),
            )
            await driver.run()
            now = datetime.now(UTC)
            if self.scenario.end > now:
                raise DemoError(f"the scenario ends in the future ({self.scenario.end})")
            # The scenario has caught up with the present: from here on every service runs in real time.
            ScenarioFileClock.set(clock_file, now)
            self.period = (self.scenario.start.date(), to_london(now).date())
            self.say("waiting for the reports to catch up with every event")
            report = await caught_up(api, self.period, expected_figures(self.scenario))
            html = await commissioner_report(api, self.period)
            (self.data_dir / "report.html").write_text(html, encoding="utf-8")
            if self.keep_running:
                self.accounts = await create_accounts(infra.database_urls[CONSOLE.name], api, driver.state)
            return summary(report, self.scenario.programmes)
        finally:
            await api.close()

    def _show_where(self, infra: Infrastructure, urls: Mapping[str, str]) -> None:
        token = issue_token(
            load_private_key(infra.issuer_private_key_path),
            issuer=OPERATOR_ISSUER,
            role=Role.COORDINATOR,
            subject="coordinator",
            ttl=timedelta(hours=8),
            clock=SystemClock(),
        )
        start, end = self.period
        rows = [(name, f"{url}/docs") for name, url in urls.items() if name != CONSOLE.name]
        rows += [(CONSOLE.name, f"{urls[CONSOLE.name]}/  (web console: sign in with an account below)")]
        rows += [
            (
                f"  {account.role.value}",
                f"user {account.username}  password {account.password}"
                + (f"  ({account.name}, {account.mentor_id})" if account.mentor_id else ""),
            )
            for account in self.accounts
        ]
        rows += [("  add one", f"peer-support account --data-dir {self.data_dir} add <username> --role ...")]
        rows += [
            ("report", f"{urls['outcomes']}/reports/programme.html?start={start}&end={end}"),
            ("HL7 v2", f"MLLP on {HOST}:{self.mllp_port}"),
            ("NATS", infra.nats_url),
            ("data", str(self.data_dir)),
            ("logs", str(self.data_dir / "logs" / "services.log")),
            ("token", f"Authorization: Bearer {token}"),
            (
                "more",
                f"peer-support token issue --role mentor --subject <mnt_...> --data-dir {self.data_dir}",
            ),
        ]
        width = max(len(what) for what, _ in rows)
        self.say(
            "still running, to explore (Ctrl-C stops everything); console accounts made for this run only "
            "(demo passwords) and a coordinator token for the APIs, valid 8 h:"
        )
        self.say("\n".join(f"  {what.ljust(width)}  {where}" for what, where in rows))


def service_environment(clock_file: Path, mllp_port: int) -> dict[str, dict[str, str]]:
    """What each service (and the console) needs beyond `up`'s settings: the scenario clock, the HL7 v2
    listener and the practices allowed to use it, and the reporting localities."""
    everyone = {"PEER_CLOCK_FILE": str(clock_file)}
    extra = {service.name: everyone for service in EVERYTHING}
    extra["outcomes"] = everyone | {"PEER_LOCALITY_GROUPS": json.dumps(LOCALITIES)}
    extra["referrals"] = everyone | {
        "PEER_MLLP_PORT": str(mllp_port),
        "PEER_MLLP_ALLOWED_FACILITIES": json.dumps([ods for ods, _, _ in PRACTICES]),
    }
    return extra


def demo_command(
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the made-up cohort and its story.")
    ] = DEFAULT_SEED,
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir", help="Data folder for the demo (a previous demo's folder is started afresh)."
        ),
    ] = DEFAULT_DATA_DIR,
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running",
            help="Leave everything running afterwards, until Ctrl-C, with web console accounts to sign in "
            "with.",
        ),
    ] = False,
) -> None:
    """Run the programmes end to end: 20 mentors, 40 referrals over FHIR, HL7 v2 and CSV, four months of
    weekly sessions and PAM; alongside, 16 people with long Covid in two fortnightly groups with C19-YRSm;
    replayed in scenario time, ending with the commissioner's report."""
    folder = fresh_data_dir(data_dir, seed)
    (folder / "feeds").mkdir()
    # The CSV import runs in this process: its log lines would drown the progress lines.
    configure_logging("demo", level="warning")
    scenario = build(seed, start_for(to_london(SystemClock().now()).date()))
    clock_file = folder / CLOCK_FILE
    ScenarioFileClock.set(clock_file, scenario.start)
    mllp_port = find_free_port(MLLP_PORT, HOST)
    run = DemoRun(scenario, folder, mllp_port, keep_running=keep_running)
    group_referrals = sum(1 for r in scenario.referrals if r.condition == GROUP_CONDITION)
    run.say(
        f"seed {seed}: {len(scenario.mentors)} mentors and {len(scenario.referrals) - group_referrals} "
        f"referrals for one-to-one support; {len(scenario.facilitators)} group facilitators and "
        f"{group_referrals} referrals for {len(scenario.cohorts)} long Covid groups; from "
        f"{scenario.start:%a %d %b %Y} to {scenario.end:%a %d %b %Y} in scenario time"
    )
    (folder / "logs").mkdir(exist_ok=True)
    with (folder / "logs" / "services.log").open("w", encoding="utf-8") as service_log:
        up = Up(
            folder,
            list(EVERYTHING),
            summary=None,
            out=sys.stdout,
            label=LABEL,
            extra_env=service_environment(clock_file, mllp_port),
            service_output=service_log,
            work=run,
        )
        code = up.run()
    if up.stopped_by is not None and not run.finished:
        code = 130
    raise typer.Exit(code)
