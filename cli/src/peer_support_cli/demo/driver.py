"""Plays the scenario against the running services through their real feeds and APIs, a step at a time.

Before each group of simultaneous steps the shared scenario clock is moved to their time, so every
service judges them as it would in real use (no session in the future, baseline before the first
session). After an acceptance it waits until matching has paired the mentee, as a coordinator would
before the first meeting, or, for the group programme, until the groups service has put the person on
its waitlist; events flow between the services over NATS as always.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from peer_shared.auth.tokens import Role
from peer_shared.clock import ScenarioFileClock
from peer_support_cli.demo import actions, group_actions, triage
from peer_support_cli.demo.client import Api, DemoError, import_csv, send_hl7
from peer_support_cli.demo.feeds import csv_file, hl7_message
from peer_support_cli.demo.fhir_documents import fhir_document
from peer_support_cli.demo.group_scenario import CONDITION as GROUP_CONDITION
from peer_support_cli.demo.scenario import Scenario
from peer_support_cli.demo.state import State
from peer_support_cli.demo.steps import Feed, Referral, Step

MATCH_DEADLINE = 30.0
POLL_SECONDS = 0.05
PLAYS = actions.ACTIONS | group_actions.GROUP_ACTIONS
GROUP_LABELS = (
    ("group referrals", "referred"),
    ("waitlisted", "waitlisted"),
    ("plan-cohort", "cohort planned and opened"),
    ("start-cohort", "cohort started"),
    ("group-session", "group sessions held"),
    ("group attended", "attended"),
    ("group apologies", "apologies"),
    ("group absent", "absent"),
    ("group-follow-up", "member followed up after two absences (stopped coming)"),
    ("measure", "C19-YRSm entered"),
    ("finish-cohort", "cohort finished"),
)


class Driver:
    """One run of the scenario; `say` shows progress, one line per scenario week."""

    def __init__(
        self,
        scenario: Scenario,
        api: Api,
        *,
        clock_file: Path,
        referrals_database_url: str,
        mllp: tuple[str, int],
        workdir: Path,
        say: Callable[[str], None],
    ) -> None:
        self.scenario = scenario
        self.api = api
        self.clock_file = clock_file
        self.database_url = referrals_database_url
        self.mllp = mllp
        self.workdir = workdir
        self.say = say
        self.state = State(scenario)
        self.week: Counter[str] = Counter()

    async def run(self) -> None:
        """Every step, in time order."""
        week = 1
        for at, group in itertools.groupby(self.scenario.steps, key=lambda step: step.at):
            steps = list(group)
            now_week = (at.date() - self.scenario.start.date()).days // 7 + 1
            if now_week != week:
                self._report_week(week)
                week = now_week
            ScenarioFileClock.set(self.clock_file, at)
            await self._tick(at, steps)
        self._report_week(week)

    async def _tick(self, at: datetime, steps: list[Step]) -> None:
        registering: list[Awaitable[None]] = []
        if any(step.action == "register-mentors" for step in steps):
            registering.append(actions.register_mentors(self.api, self.scenario.mentors))
            self.week["mentors registered"] += len(self.scenario.mentors)
        if any(step.action == "register-facilitators" for step in steps):
            facilitators = self.scenario.facilitators
            registering.append(
                group_actions.register_facilitators(self.api, self.state, facilitators, POLL_SECONDS)
            )
            self.week["facilitators registered"] += len(facilitators)
        await asyncio.gather(*registering)
        arrivals = [step for step in steps if step.action == "arrive"]
        if arrivals:
            await self._arrive(at, arrivals)
            await triage.read_new_referrals(self.api, self.state, len(arrivals))
        # A referral's steps, and a cohort's, run in order; different referrals and cohorts at once.
        runs: dict[str, list[Step]] = {}
        for step in steps:
            if step.referral is not None and step.action != "arrive":
                runs.setdefault(step.referral, []).append(step)
            elif step.referral is None and step.cohort is not None:
                runs.setdefault(step.cohort, []).append(step)
        await asyncio.gather(*(self._steps_of(key, run) for key, run in runs.items()))
        accepted = [step.referral for step in steps if step.action == "accept" and step.referral]
        grouped = [key for key in accepted if self.state.referral(key).condition == GROUP_CONDITION]
        paired = [key for key in accepted if key not in grouped]
        if paired:
            await actions.await_pairings(self.api, self.state, paired, MATCH_DEADLINE, POLL_SECONDS)
            self.week["matched"] += len(paired)
        if grouped:
            await group_actions.await_waitlist(self.api, self.state, grouped, POLL_SECONDS)
            self.week["waitlisted"] += len(grouped)

    async def _arrive(self, at: datetime, arrivals: list[Step]) -> None:
        referrals = [self.state.referral(step.referral or "") for step in arrivals]
        sends: list[Awaitable[Any]] = [
            self._send_fhir(r) for r in referrals if r.feed in (Feed.FHIR_BUNDLE, Feed.FHIR_REQUEST)
        ]
        hl7 = [hl7_message(r, at) for r in referrals if r.feed is Feed.HL7]
        if hl7:
            sends.append(send_hl7(*self.mllp, hl7))
        batch = [r for r in referrals if r.feed is Feed.CSV]
        if batch:
            export = self.workdir / f"gp-export-{at:%Y-%m-%d}.csv"
            export.write_text(csv_file(batch), newline="")
            sends.append(import_csv(self.database_url, export, at))
        await asyncio.gather(*sends)
        self.week.update(f"referrals by {r.feed.source}" for r in referrals)
        self.week["group referrals"] += sum(1 for r in referrals if r.condition == GROUP_CONDITION)

    async def _send_fhir(self, referral: Referral) -> None:
        """The practice's system posts the referral, authenticated as that referrer."""
        path, body = fhir_document(referral)
        ods = referral.practice[0]
        headers = {"Content-Type": "application/fhir+json"}
        await self.api.call(
            "referrals", "POST", path, role=Role.REFERRER, subject=f"ods-{ods}", json=body, headers=headers
        )

    async def _steps_of(self, key: str, steps: list[Step]) -> None:
        for step in steps:
            try:
                await PLAYS[step.action](self.api, self.state, step)
            except DemoError as exc:
                raise DemoError(f"{step.at:%Y-%m-%d %H:%M} {step.action} for {key}: {exc}") from exc
            self.week[step.action] += 1
            if step.session is not None and not step.session.attended:
                self.week["missed"] += 1
            if step.group_session is not None:
                self.week.update(f"group {presence}" for _, presence in step.group_session.register)

    def _report_week(self, week: int) -> None:
        counts, self.week = self.week, Counter()
        monday = self.scenario.start.date() + timedelta(weeks=week - 1)
        referrals = sum(n for what, n in counts.items() if what.startswith("referrals by "))
        parts = [
            f"{counts[what]} {what}"
            for what in ("mentors registered", "facilitators registered")
            if counts[what]
        ]
        if referrals:
            by = ", ".join(
                f"{label} {counts[f'referrals by {source}']}"
                for source, label in (("fhir", "FHIR"), ("hl7v2", "HL7 v2"), ("csv", "CSV"))
            )
            parts.append(f"{referrals} referrals in ({by})")
        labels = (
            ("contact", "contact attempts"),
            ("accept", "accepted"),
            ("matched", "matched"),
            ("reject", "rejected"),
            ("baseline", "baseline PAM"),
            ("session", "sessions logged"),
            ("missed", "of them missed"),
            ("concern", "safeguarding concern raised and acknowledged"),
            ("end", "pairing ended early"),
            ("complete", "completed"),
            ("follow-up", "follow-up PAM"),
        )
        parts += [f"{counts[what]} {label}" for what, label in labels if counts[what]]
        groups = [f"{counts[what]} {label}" for what, label in GROUP_LABELS if counts[what]]
        if groups:
            parts.append(f"long Covid groups: {', '.join(groups)}")
        self.say(f"week {week:2d} (from {monday:%a %d %b %Y}): {'; '.join(parts) or 'quiet'}")
