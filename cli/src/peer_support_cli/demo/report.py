"""The end of the demo: wait until the outcomes service's projections hold everything that happened,
then fetch the commissioner's HTML report and the headline figures of each programme."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from peer_events.programmes import KNOWN_PROGRAMMES, DeliveryFormat
from peer_shared.auth.tokens import Role
from peer_support_cli.demo.client import Api, DemoError
from peer_support_cli.demo.group_headline import group_lines
from peer_support_cli.demo.scenario import Scenario

CATCH_UP_DEADLINE = 60.0
OUTCOME_FIGURES = frozenset({"baselines_recorded", "paired"})
Path = tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    """A one-to-one programme's figures the demo ends by printing, as the programme report shows them."""

    referrals: int
    by_source: dict[str, int]
    accepted: int
    rejected: int
    matched: int
    sessions_delivered: int
    sessions_missed: int
    completions: int
    early_endings: int
    paired: int
    baseline_mean_level: float | None
    follow_up_mean_level: float | None

    def referrals_line(self) -> str:
        """Referrals received by source, and triage's decisions (the same for every programme)."""
        sources = ", ".join(f"{label} {self.by_source.get(key, 0)}" for key, label in SOURCES)
        return f"referrals: {self.referrals} ({sources}); {self.accepted} accepted, {self.rejected} rejected"

    def lines(self) -> list[str]:
        """The figures as text, one line each."""
        before, after = self.baseline_mean_level, self.follow_up_mean_level
        return [
            self.referrals_line(),
            f"matched: {self.matched}",
            f"sessions: {self.sessions_delivered} delivered, {self.sessions_missed} missed; "
            f"{self.completions} completed, {self.early_endings} ended early",
            f"mean PAM level: {_level(before)} -> {_level(after)} "
            f"({self.paired} mentees with baseline and follow-up)",
        ]


SOURCES = (("fhir", "FHIR"), ("hl7v2", "HL7 v2"), ("csv", "CSV"))


def _level(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def expected_figures(scenario: Scenario) -> dict[Path, int]:
    """Where in the report each count the scenario must reach sits: each programme's activity and
    outcomes among the breakdowns by programme, and a group programme's own section."""
    wanted: dict[Path, int] = {}
    for programme in scenario.programmes:
        for name, want in scenario.expected(programme).items():
            part = "outcomes" if name in OUTCOME_FIGURES else "activity"
            wanted["breakdowns", "programme", programme, part, name] = want
        if KNOWN_PROGRAMMES[programme].delivery is DeliveryFormat.GROUP:
            for path, want in scenario.expected_group().items():
                wanted[("group_programmes", programme, *path)] = want
    return wanted


def _figure(report: Mapping[str, Any], path: Path) -> Any:
    """The figure at `path`; None while the report has no such branch yet (nothing projected for it)."""
    found: Any = report
    for key in path:
        found = found.get(key) if isinstance(found, Mapping) else None
    return found


async def caught_up(api: Api, period: tuple[date, date], expected: Mapping[Path, int]) -> dict[str, Any]:
    """Poll the programme report until every expected count is reached; `DemoError` after the deadline."""
    params = {"start": period[0].isoformat(), "end": period[1].isoformat()}
    give_up = time.monotonic() + CATCH_UP_DEADLINE
    while True:
        report: dict[str, Any] = await api.json(
            "outcomes",
            "GET",
            "/reports/programme",
            params=params,
            role=Role.COORDINATOR,
            subject="coordinator",
        )
        behind = {path: (_figure(report, path), want) for path, want in expected.items()}
        behind = {path: pair for path, pair in behind.items() if pair[0] != pair[1]}
        if not behind:
            return report
        if time.monotonic() > give_up:
            shown = ", ".join(
                f"{'.'.join(path)} {got} (expected {want})" for path, (got, want) in behind.items()
            )
            raise DemoError(f"the report did not catch up within {CATCH_UP_DEADLINE:.0f} s: {shown}")
        await asyncio.sleep(0.25)


def summary(report: Mapping[str, Any], programmes: Sequence[str]) -> list[str]:
    """Each programme's headline figures from a (full, coordinator's) programme report: a title line,
    then its figures indented."""
    lines: list[str] = []
    for code in programmes:
        programme = KNOWN_PROGRAMMES[code]
        block = report["breakdowns"]["programme"][code]
        lines.append(f"{programme.title} ({code}):")
        if programme.delivery is DeliveryFormat.GROUP:
            figures = [headline(block).referrals_line(), *group_lines(report["group_programmes"][code])]
        else:
            figures = headline(block).lines()
        lines += [f"  {line}" for line in figures]
    return lines


def headline(block: Mapping[str, Any]) -> Headline:
    """The headline figures of a one-to-one programme's block of the report (activity and outcomes)."""
    activity, outcomes = block["activity"], block["outcomes"]
    return Headline(
        referrals=activity["referrals_received"],
        by_source=dict(activity["received_by_source"]),
        accepted=activity["accepted"],
        rejected=activity["rejected"],
        matched=activity["matched"],
        sessions_delivered=activity["sessions_delivered"],
        sessions_missed=activity["sessions_missed"],
        completions=activity["completions"],
        early_endings=activity["early_endings"],
        paired=outcomes["paired"],
        baseline_mean_level=outcomes["baseline_mean_level"],
        follow_up_mean_level=outcomes["follow_up_mean_level"],
    )


async def commissioner_report(api: Api, period: tuple[date, date]) -> str:
    """The HTML report exactly as a commissioner gets it (under disclosure control)."""
    params = {"start": period[0].isoformat(), "end": period[1].isoformat()}
    response = await api.call(
        "outcomes",
        "GET",
        "/reports/programme.html",
        params=params,
        role=Role.COMMISSIONER,
        subject="commissioner",
    )
    return response.text
