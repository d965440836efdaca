"""Training modules and safety checks a mentor needs, and when the checks run out.

A mentor may be matched only with every required module done and with a DBS check and a safeguarding
refresher that are still in date on the day the first session is likely to happen. Group facilitation is
an optional module: one-to-one matching never asks for it; group programmes take their facilitators from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class TrainingModule(StrEnum):
    """A module of the mentor training course."""

    MENTORING = "mentoring"
    MOTIVATIONAL_INTERVIEWING = "motivational-interviewing"
    GOAL_SETTING = "goal-setting"
    ACTION_PLANNING = "action-planning"
    BOUNDARIES = "boundaries"
    CONFIDENTIALITY = "confidentiality"
    SAFEGUARDING = "safeguarding"
    GROUP_FACILITATION = "group-facilitation"


REQUIRED_MODULES: frozenset[TrainingModule] = frozenset(TrainingModule) - {TrainingModule.GROUP_FACILITATION}
"""Every module but group facilitation is required before a mentor sees a mentee."""


class Check(StrEnum):
    """A safety check that runs out and must be renewed."""

    DBS = "dbs"
    SAFEGUARDING_REFRESHER = "safeguarding-refresher"


@dataclass(frozen=True)
class CheckRules:
    """How long the checks stay valid (the programme's policy, configurable)."""

    dbs_valid_days: int = 3 * 365
    """A DBS check is renewed every three years."""
    safeguarding_valid_days: int = 365
    """The safeguarding refresher is repeated every year."""

    def __post_init__(self) -> None:
        if self.dbs_valid_days < 1 or self.safeguarding_valid_days < 1:
            raise ValueError("checks must be valid for at least one day")

    def expires_on(self, check: Check, done_on: date) -> date:
        """The first day on which a check done on `done_on` no longer counts."""
        days = self.dbs_valid_days if check is Check.DBS else self.safeguarding_valid_days
        return done_on + timedelta(days=days)


def missing_modules(completed: Mapping[TrainingModule, date]) -> list[TrainingModule]:
    """Required modules not yet completed, in a stable order."""
    return sorted(REQUIRED_MODULES - completed.keys())


def is_group_facilitator(completed: Mapping[TrainingModule, date]) -> bool:
    """Whether the mentor is trained to facilitate groups."""
    return TrainingModule.GROUP_FACILITATION in completed


def checks_valid_until(done: Mapping[Check, date | None], rules: CheckRules) -> date | None:
    """The first day on which one of the checks no longer counts; None while one has never been done."""
    expiries: list[date] = []
    for check in Check:
        done_on = done.get(check)
        if done_on is None:
            return None
        expiries.append(rules.expires_on(check, done_on))
    return min(expiries)


def expired_checks(done: Mapping[Check, date | None], on: date, rules: CheckRules) -> list[Check]:
    """Checks that are missing or no longer valid on `on`."""
    return [
        check
        for check in Check
        if (done_on := done.get(check)) is None or rules.expires_on(check, done_on) <= on
    ]
