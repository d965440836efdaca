"""PAM rules on their own (no I/O): cut points, entry values, the order of baseline and follow-ups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from peer_events.events.outcomes import Timepoint
from peer_outcomes.domain.cut_points import HIBBARD_2005, CutPointSet
from peer_outcomes.domain.pam import AdministeredBy, PamEntry, PamResult, check_entry, next_revision
from peer_outcomes.domain.problems import PamProblem
from peer_outcomes.domain.timeline import check_timeline
from peer_shared.refusals import Conflict, Invalid

TODAY = date(2026, 4, 20)


def entry(
    score: str = "50.0",
    level: int | None = None,
    *,
    timepoint: Timepoint = Timepoint.BASELINE,
    number: int | None = None,
    on: date = date(2026, 1, 5),
) -> PamEntry:
    return PamEntry(timepoint, number, on, Decimal(score), level, "pam-13", AdministeredBy.COORDINATOR)


def result(timepoint: Timepoint, on: date, number: int | None = None) -> PamResult:
    return check_entry(entry("50.0", timepoint=timepoint, number=number, on=on), HIBBARD_2005, TODAY)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        ("0.0", 1),
        ("47.0", 1),
        ("47.1", 2),
        ("55.1", 2),
        ("55.2", 3),
        ("67.0", 3),
        ("67.1", 4),
        ("100.0", 4),
    ],
)
def test_the_default_cut_points_are_hibbards(score: str, level: int) -> None:
    assert HIBBARD_2005.level_for(Decimal(score)) == level


def test_cut_points_must_rise() -> None:
    with pytest.raises(ValueError, match="rise"):
        CutPointSet("bad", (Decimal("50"), Decimal("40"), Decimal("60")))


def test_a_score_alone_gets_a_derived_level_naming_the_set() -> None:
    checked = check_entry(entry("60.2"), HIBBARD_2005, TODAY)
    assert (checked.level, checked.level_derived, checked.cut_point_set) == (3, True, "hibbard-2005")


def test_a_consistent_reported_level_is_kept_as_reported() -> None:
    checked = check_entry(entry("60.2", 3), HIBBARD_2005, TODAY)
    assert (checked.level, checked.level_derived) == (3, False)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (entry("120"), PamProblem.SCORE_OUT_OF_RANGE),
        (entry("-0.1"), PamProblem.SCORE_OUT_OF_RANGE),
        (entry("55.25"), PamProblem.SCORE_PRECISION),
        (entry("50.0", 5), PamProblem.LEVEL_OUT_OF_RANGE),
        (entry("50.0", 0), PamProblem.LEVEL_OUT_OF_RANGE),
        (entry("60.2", 2), PamProblem.LEVEL_CONTRADICTS_SCORE),
        (entry(on=date(2026, 4, 21)), PamProblem.ASSESSED_IN_FUTURE),
        (entry(number=1), PamProblem.FOLLOW_UP_NUMBER),
        (entry(timepoint=Timepoint.FOLLOW_UP), PamProblem.FOLLOW_UP_NUMBER),
        (entry(timepoint=Timepoint.FOLLOW_UP, number=11), PamProblem.FOLLOW_UP_NUMBER),
    ],
)
def test_bad_values_are_refused_with_their_own_problem(bad: PamEntry, problem: PamProblem) -> None:
    with pytest.raises(Invalid) as refused:
        check_entry(bad, HIBBARD_2005, TODAY)
    assert refused.value.code == problem


def test_a_contradiction_explains_the_cut_points() -> None:
    with pytest.raises(
        Invalid, match=r"score 60.2 is level 3 under cut-point set hibbard-2005 \(level 2 is 47.1-55.1\)"
    ):
        check_entry(entry("60.2", 2), HIBBARD_2005, TODAY)


BASELINE = result(Timepoint.BASELINE, date(2026, 1, 5))
FOLLOW_UP_1 = result(Timepoint.FOLLOW_UP, date(2026, 3, 1), 1)


@pytest.mark.parametrize(
    ("candidate", "others", "first_session", "problem"),
    [
        (BASELINE, [BASELINE], None, PamProblem.BASELINE_EXISTS),
        (BASELINE, [], date(2026, 1, 4), PamProblem.BASELINE_AFTER_FIRST_SESSION),
        (
            result(Timepoint.BASELINE, date(2026, 3, 1)),
            [FOLLOW_UP_1],
            None,
            PamProblem.BASELINE_AFTER_FOLLOW_UP,
        ),
        (FOLLOW_UP_1, [], None, PamProblem.NO_BASELINE),
        (
            result(Timepoint.FOLLOW_UP, date(2026, 1, 5), 1),
            [BASELINE],
            None,
            PamProblem.FOLLOW_UP_BEFORE_BASELINE,
        ),
        (
            result(Timepoint.FOLLOW_UP, date(2026, 1, 4), 1),
            [BASELINE],
            None,
            PamProblem.FOLLOW_UP_BEFORE_BASELINE,
        ),
        (
            result(Timepoint.FOLLOW_UP, date(2026, 3, 9), 1),
            [BASELINE, FOLLOW_UP_1],
            None,
            PamProblem.FOLLOW_UP_EXISTS,
        ),
        (
            result(Timepoint.FOLLOW_UP, date(2026, 2, 1), 2),
            [BASELINE, FOLLOW_UP_1],
            None,
            PamProblem.FOLLOW_UP_OUT_OF_ORDER,
        ),
    ],
)
def test_the_timeline_is_kept(
    candidate: PamResult, others: list[PamResult], first_session: date | None, problem: PamProblem
) -> None:
    with pytest.raises(Conflict) as refused:
        check_timeline(candidate, others, first_session)
    assert refused.value.code == problem


def test_a_baseline_on_the_day_of_the_first_session_and_later_follow_ups_are_fine() -> None:
    check_timeline(BASELINE, [], date(2026, 1, 5))
    check_timeline(FOLLOW_UP_1, [BASELINE], date(2026, 1, 5))
    check_timeline(result(Timepoint.FOLLOW_UP, date(2026, 4, 1), 2), [BASELINE, FOLLOW_UP_1], None)


def test_corrections_are_limited_by_the_contract() -> None:
    assert next_revision(1) == 2
    with pytest.raises(Conflict) as refused:
        next_revision(100)
    assert refused.value.code == PamProblem.TOO_MANY_CORRECTIONS
