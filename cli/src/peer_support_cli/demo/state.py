"""What the driver learns from the services as the scenario plays: the ids they give each record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from peer_shared.auth.tokens import Role
from peer_support_cli.demo.group_support import CohortPlan
from peer_support_cli.demo.scenario import Scenario
from peer_support_cli.demo.steps import Referral

COORDINATOR: dict[str, Any] = {"role": Role.COORDINATOR, "subject": "coordinator"}
"""Call arguments acting as the programme's coordinator."""


@dataclass
class State:
    """What the driver has learnt from the services: the ids they gave each referral's records."""

    scenario: Scenario
    referral_ids: dict[str, str] = field(default_factory=dict)
    pairings: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Referral key -> (pairing id, mentor id)."""
    goal_ids: dict[str, list[str]] = field(default_factory=dict)
    session_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    facilitator_ids: list[str] = field(default_factory=list)
    """Mentor ids of the scenario's group facilitators, in the scenario's order."""
    cohort_ids: dict[str, str] = field(default_factory=dict)
    """Cohort key -> cohort id."""

    def referral(self, key: str) -> Referral:
        """The scenario's referral with this key."""
        return next(r for r in self.scenario.referrals if r.key == key)

    def mentor(self, key: str) -> dict[str, Any]:
        """Call arguments acting as the mentor of this referral's pairing."""
        return {"role": Role.MENTOR, "subject": self.pairings[key][1]}

    def cohort(self, key: str) -> CohortPlan:
        """The scenario's cohort with this key."""
        return next(c for c in self.scenario.cohorts if c.key == key)

    def facilitator(self, index: int) -> dict[str, Any]:
        """Call arguments acting as one of the group facilitators (a mentor, by their id)."""
        return {"role": Role.MENTOR, "subject": self.facilitator_ids[index]}
