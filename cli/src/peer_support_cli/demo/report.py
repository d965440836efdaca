"""The end of the demo: wait until the outcomes service's projections hold everything that happened,
then fetch the commissioner's HTML report and the headline figures."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from peer_shared.auth.tokens import Role
from peer_support_cli.demo.client import Api, DemoError

CATCH_UP_DEADLINE = 60.0
OUTCOME_FIGURES = frozenset({"baselines_recorded", "paired"})


@dataclass(frozen=True)
class Headline:
    """The figures the demo ends by printing, as the programme report shows them."""

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

    def lines(self) -> list[str]:
        """The figures as text, one line each."""
        sources = ", ".join(f"{label} {self.by_source.get(key, 0)}" for key, label in SOURCES)
        before, after = self.baseline_mean_level, self.follow_up_mean_level
        return [
            f"referrals: {self.referrals} ({sources}); {self.accepted} accepted, {self.rejected} rejected",
            f"matched: {self.matched}",
            f"sessions: {self.sessions_delivered} delivered, {self.sessions_missed} missed; "
            f"{self.completions} completed, {self.early_endings} ended early",
            f"mean PAM level: {_level(before)} -> {_level(after)} "
            f"({self.paired} mentees with baseline and follow-up)",
        ]


SOURCES = (("fhir", "FHIR"), ("hl7v2", "HL7 v2"), ("csv", "CSV"))


def _level(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _figures(report: dict[str, Any], name: str) -> Any:
    total = report["total"]
    return total["outcomes" if name in OUTCOME_FIGURES else "activity"][name]


async def caught_up(api: Api, period: tuple[date, date], expected: dict[str, int]) -> dict[str, Any]:
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
        behind = {name: (_figures(report, name), want) for name, want in expected.items()}
        behind = {name: pair for name, pair in behind.items() if pair[0] != pair[1]}
        if not behind:
            return report
        if time.monotonic() > give_up:
            shown = ", ".join(f"{name} {got} (expected {want})" for name, (got, want) in behind.items())
            raise DemoError(f"the report did not catch up within {CATCH_UP_DEADLINE:.0f} s: {shown}")
        await asyncio.sleep(0.25)


def headline(report: dict[str, Any]) -> Headline:
    """The headline figures of a (full, coordinator's) programme report."""
    activity, outcomes = report["total"]["activity"], report["total"]["outcomes"]
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
