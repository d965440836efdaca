"""PAM outcome figures for a group of mentees over a period.

A mentee is *paired* when their latest follow-up taken by the end of the period falls within it and they
have a baseline: change is that follow-up's score minus the baseline's. *Finished without follow-up*
counts mentees with a baseline whose support finished in the period (a pairing completed or ended, none
still open) and who have no follow-up by its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from peer_outcomes.domain.activity import counts
from peer_outcomes.domain.cut_points import LEVELS
from peer_outcomes.domain.facts import MenteeFacts, PamFacts
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.statistics import mean, mean_confidence_interval
from peer_outcomes.domain.tree import Constraint, Count, Derived, Path, Tree, partition

MEANINGFUL_GAIN = Decimal(3)
"""A gain of three or more points: the NQF #2483 measure of improved activation."""

LEVEL_KEYS = tuple(str(level) for level in LEVELS)


def _pairs(mentees: Sequence[MenteeFacts], period: Period) -> list[tuple[PamFacts, PamFacts]]:
    pairs = []
    for mentee in mentees:
        follow_up = mentee.last_follow_up(period.end)
        baseline = mentee.baseline(period.end)
        if follow_up is not None and baseline is not None and follow_up.assessed_on in period:
            pairs.append((baseline, follow_up))
    return pairs


def outcomes(mentees: Sequence[MenteeFacts], period: Period) -> tuple[Tree, list[Constraint]]:
    """The outcomes block (paths relative to it) and the additive relations inside it."""
    pairs = _pairs(mentees, period)
    changes = [float(after.score - before.score) for before, after in pairs]
    gained = sum(1 for before, after in pairs if after.score - before.score >= MEANINGFUL_GAIN)
    interval = mean_confidence_interval(changes)
    on_paired: tuple[Path, ...] = (("paired",),)
    transitions = {
        row: counts(LEVEL_KEYS, (str(after.level) for before, after in pairs if str(before.level) == row))
        for row in LEVEL_KEYS
    }
    at_baseline = counts(LEVEL_KEYS, (str(before.level) for before, _ in pairs))
    at_follow_up = counts(LEVEL_KEYS, (str(after.level) for _, after in pairs))
    tree: Tree = {
        "baselines_recorded": Count(
            sum(1 for m in mentees for p in m.pam if p.timepoint == "baseline" and p.assessed_on in period)
        ),
        "paired": Count(len(pairs)),
        "baseline_mean_level": Derived(_round(mean([b.level for b, _ in pairs]), 2), on_paired),
        "follow_up_mean_level": Derived(_round(mean([a.level for _, a in pairs]), 2), on_paired),
        "baseline_mean_score": Derived(_round(mean([float(b.score) for b, _ in pairs]), 2), on_paired),
        "follow_up_mean_score": Derived(_round(mean([float(a.score) for _, a in pairs]), 2), on_paired),
        "mean_change": Derived(_round(mean(changes), 2), on_paired),
        "mean_change_ci95": Derived(
            None if interval is None else (round(interval[0], 2), round(interval[1], 2)), on_paired
        ),
        "gained_3_or_more": Count(gained),
        "gained_under_3": Count(len(pairs) - gained),
        "share_gained_3_or_more": Derived(
            round(gained / len(pairs), 3) if pairs else None, (("paired",), ("gained_3_or_more",))
        ),
        "baseline_by_level": at_baseline,
        "follow_up_by_level": at_follow_up,
        "level_transitions": transitions,
        "finished_without_follow_up": Count(
            sum(
                1
                for m in mentees
                if m.baseline(period.end) is not None
                and m.last_follow_up(period.end) is None
                and m.finished_support_in(period)
            )
        ),
    }
    constraints = [
        Constraint(("paired",), (("gained_3_or_more",), ("gained_under_3",))),
        partition(("paired",), at_baseline, ("baseline_by_level",)),
        partition(("paired",), at_follow_up, ("follow_up_by_level",)),
        *(
            partition(("baseline_by_level", row), transitions[row], ("level_transitions", row))
            for row in LEVEL_KEYS
        ),
        *(
            Constraint(
                ("follow_up_by_level", column),
                tuple(("level_transitions", row, column) for row in LEVEL_KEYS),
            )
            for column in LEVEL_KEYS
        ),
    ]
    return tree, constraints


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
