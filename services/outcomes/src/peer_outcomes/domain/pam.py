"""A PAM result as entered by a coordinator, checked on its own: score, level, date, timepoint.

Only what the licensed tool produces is kept (score, level, date, tool and version, who administered it);
the thirteen item answers are not accepted at all, so they cannot be stored by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from peer_events.events.outcomes import Timepoint
from peer_outcomes.domain.cut_points import LEVELS, CutPointSet
from peer_outcomes.domain.problems import PamProblem
from peer_shared.refusals import Conflict, Invalid

MAX_FOLLOW_UPS = 10
MAX_REVISIONS = 100


class AdministeredBy(StrEnum):
    """Who administered the questionnaire (a role, never a name)."""

    SELF_COMPLETED = "self-completed"
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    CLINICIAN = "clinician"
    OTHER = "other"


@dataclass(frozen=True)
class PamEntry:
    """What the coordinator typed in; nothing is checked yet."""

    timepoint: Timepoint
    follow_up_number: int | None
    assessed_on: date
    score: Decimal
    level: int | None
    tool_version: str
    administered_by: AdministeredBy


@dataclass(frozen=True)
class PamResult:
    """A checked result: the level is always present, and says whether it was derived here."""

    timepoint: Timepoint
    follow_up_number: int | None
    assessed_on: date
    score: Decimal
    level: int
    level_derived: bool
    cut_point_set: str
    tool_version: str
    administered_by: AdministeredBy


@dataclass(frozen=True)
class PamRecord:
    """A recorded result at its current revision."""

    pam_id: str
    referral_id: str
    revision: int
    result: PamResult


def check_entry(entry: PamEntry, cut_points: CutPointSet, today: date) -> PamResult:
    """Check an entry's own values and fill in the level; raises `Invalid` naming the first problem."""
    score = entry.score
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise Invalid(PamProblem.SCORE_OUT_OF_RANGE, f"the activation score must be 0 to 100, not {score}")
    if score != score.quantize(Decimal("0.1")):
        raise Invalid(PamProblem.SCORE_PRECISION, f"the activation score has one decimal place, not {score}")
    score = score.quantize(Decimal("0.1"))
    if entry.level is not None and entry.level not in LEVELS:
        raise Invalid(PamProblem.LEVEL_OUT_OF_RANGE, f"the PAM level is 1 to 4, not {entry.level}")
    if entry.assessed_on > today:
        raise Invalid(
            PamProblem.ASSESSED_IN_FUTURE,
            f"the assessment date {entry.assessed_on.isoformat()} is in the future (today is {today})",
        )
    _check_numbering(entry)
    derived_level = cut_points.level_for(score)
    if entry.level is not None and entry.level != derived_level:
        raise Invalid(
            PamProblem.LEVEL_CONTRADICTS_SCORE,
            f"score {score} is level {derived_level} under cut-point set {cut_points.code} "
            f"(level {entry.level} is {cut_points.describe(entry.level)}); check the score and level",
        )
    return PamResult(
        timepoint=entry.timepoint,
        follow_up_number=entry.follow_up_number,
        assessed_on=entry.assessed_on,
        score=score,
        level=derived_level,
        level_derived=entry.level is None,
        cut_point_set=cut_points.code,
        tool_version=entry.tool_version,
        administered_by=entry.administered_by,
    )


def _check_numbering(entry: PamEntry) -> None:
    if entry.timepoint is Timepoint.BASELINE and entry.follow_up_number is not None:
        raise Invalid(PamProblem.FOLLOW_UP_NUMBER, "a baseline has no follow-up number")
    if entry.timepoint is Timepoint.FOLLOW_UP and (
        entry.follow_up_number is None or not 1 <= entry.follow_up_number <= MAX_FOLLOW_UPS
    ):
        raise Invalid(PamProblem.FOLLOW_UP_NUMBER, f"a follow-up needs its number, 1 to {MAX_FOLLOW_UPS}")


def next_revision(current: int) -> int:
    """The revision a correction gets; refused beyond the contract's limit."""
    if current >= MAX_REVISIONS:
        raise Conflict(
            PamProblem.TOO_MANY_CORRECTIONS,
            f"a PAM record can be corrected at most {MAX_REVISIONS - 1} times",
        )
    return current + 1
