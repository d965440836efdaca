"""The order of a mentee's PAM results: one baseline, before or at the first session; follow-ups after it.

Checked against the mentee's other current results (a correction is checked without its own earlier
revision) and the date of their first attended session, as learnt from `SessionLogged` events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from peer_events.events.outcomes import Timepoint
from peer_outcomes.domain.pam import PamResult
from peer_outcomes.domain.problems import PamProblem
from peer_shared.refusals import Conflict


def check_timeline(candidate: PamResult, others: Sequence[PamResult], first_session_on: date | None) -> None:
    """Raise `Conflict` when `candidate` cannot stand beside the mentee's other results."""
    baseline = next((r for r in others if r.timepoint is Timepoint.BASELINE), None)
    follow_ups = [r for r in others if r.timepoint is Timepoint.FOLLOW_UP]
    if candidate.timepoint is Timepoint.BASELINE:
        _check_baseline(candidate, baseline, follow_ups, first_session_on)
    else:
        _check_follow_up(candidate, baseline, follow_ups)


def _check_baseline(
    candidate: PamResult,
    baseline: PamResult | None,
    follow_ups: list[PamResult],
    first_session_on: date | None,
) -> None:
    if baseline is not None:
        raise Conflict(
            PamProblem.BASELINE_EXISTS,
            f"this referral already has a baseline (taken {baseline.assessed_on}); correct it instead",
        )
    if first_session_on is not None and candidate.assessed_on > first_session_on:
        raise Conflict(
            PamProblem.BASELINE_AFTER_FIRST_SESSION,
            f"a baseline is taken before or at the first session ({first_session_on}), "
            f"not on {candidate.assessed_on}",
        )
    earliest = min(follow_ups, key=lambda r: r.assessed_on, default=None)
    if earliest is not None and candidate.assessed_on >= earliest.assessed_on:
        raise Conflict(
            PamProblem.BASELINE_AFTER_FOLLOW_UP,
            f"the baseline must come before follow-up {earliest.follow_up_number} ({earliest.assessed_on})",
        )


def _check_follow_up(candidate: PamResult, baseline: PamResult | None, follow_ups: list[PamResult]) -> None:
    number = candidate.follow_up_number
    if baseline is None:
        raise Conflict(PamProblem.NO_BASELINE, "record the baseline before any follow-up")
    if candidate.assessed_on <= baseline.assessed_on:
        raise Conflict(
            PamProblem.FOLLOW_UP_BEFORE_BASELINE,
            f"follow-up {number} ({candidate.assessed_on}) must come after the baseline "
            f"({baseline.assessed_on})",
        )
    for other in follow_ups:
        if other.follow_up_number == number:
            raise Conflict(
                PamProblem.FOLLOW_UP_EXISTS, f"follow-up {number} is already recorded; correct it instead"
            )
        earlier_number = (other.follow_up_number or 0) < (number or 0)
        if earlier_number != (other.assessed_on < candidate.assessed_on):
            raise Conflict(
                PamProblem.FOLLOW_UP_OUT_OF_ORDER,
                f"follow-up {number} ({candidate.assessed_on}) is out of date order with follow-up "
                f"{other.follow_up_number} ({other.assessed_on})",
            )
