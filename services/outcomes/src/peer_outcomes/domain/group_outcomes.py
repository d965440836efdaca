"""Outcome-measure figures of one group programme over a period: for every scale of C19-YRSm and ONS4,
the mean change from baseline to end and the share of members whose change reaches the scale's minimal
important difference (MID) in the improving direction (`measure_rules` says which way is better).

A member is *paired* on a scale when their latest end measure of the instrument taken by the end of the
period falls within it and a baseline of the same instrument was taken on or before that end measure,
both scoring the scale. Change is the end score minus the baseline score, as the instrument scores it
(so a fall is an improvement on the lower-is-better scales).
"""

from __future__ import annotations

from collections.abc import Sequence

from peer_outcomes.domain.group_facts import MeasureFacts
from peer_outcomes.domain.measure_rules import INSTRUMENTS, ScaleRule
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.statistics import mean
from peer_outcomes.domain.tree import Constraint, Count, Derived, Node, Path, Tree, relocate

BASELINE, END = "baseline", "end"


def measure_pairs(
    measures: Sequence[MeasureFacts], instrument: str, period: Period
) -> list[tuple[MeasureFacts, MeasureFacts]]:
    """Each member's (baseline, end) of `instrument` that counts in `period`, one pair per member at most."""
    by_member: dict[str, list[MeasureFacts]] = {}
    for measure in measures:
        if measure.instrument == instrument and measure.assessed_on <= period.end:
            by_member.setdefault(measure.referral_id, []).append(measure)
    pairs = []
    for taken in by_member.values():
        end = max((m for m in taken if m.timepoint == END), key=lambda m: m.assessed_on, default=None)
        if end is None or end.assessed_on not in period:
            continue
        baseline = max(
            (m for m in taken if m.timepoint == BASELINE and m.assessed_on <= end.assessed_on),
            key=lambda m: m.assessed_on,
            default=None,
        )
        if baseline is not None:
            pairs.append((baseline, end))
    return pairs


def scale_figures(rule: ScaleRule, pairs: Sequence[tuple[MeasureFacts, MeasureFacts]]) -> dict[str, Node]:
    """One scale's block (paths relative to it)."""
    scored = [
        (before.scores[rule.scale], after.scores[rule.scale])
        for before, after in pairs
        if rule.scale in before.scores and rule.scale in after.scores
    ]
    on_paired: tuple[Path, ...] = (("paired",),)
    block: dict[str, Node] = {
        "better": rule.better.value,
        "mid": rule.mid,
        "paired": Count(len(scored)),
        "baseline_mean": Derived(_round(mean([float(b) for b, _ in scored])), on_paired),
        "end_mean": Derived(_round(mean([float(e) for _, e in scored])), on_paired),
        "mean_change": Derived(_round(mean([float(e - b) for b, e in scored])), on_paired),
    }
    if rule.mid is None:
        block["share_reached_mid"] = Derived(None, on_paired)
        return block
    reached = sum(1 for b, e in scored if rule.reaches_mid(b, e))
    block["reached_mid"] = Count(reached)
    block["not_reached_mid"] = Count(len(scored) - reached)
    block["share_reached_mid"] = Derived(
        round(reached / len(scored), 3) if scored else None, (("paired",), ("reached_mid",))
    )
    return block


def measure_figures(measures: Sequence[MeasureFacts], period: Period) -> tuple[Tree, list[Constraint]]:
    """The measures block, instrument -> scale -> figures (paths relative to it), and its relations."""
    tree: dict[str, Node] = {}
    constraints: list[Constraint] = []
    for instrument, rules in INSTRUMENTS.items():
        pairs = measure_pairs(measures, instrument, period)
        scales: dict[str, Node] = {}
        for rule in rules:
            at: Path = (instrument, rule.scale)
            scales[rule.scale] = relocate(scale_figures(rule, pairs), at)
            if rule.mid is not None:
                constraints.append(
                    Constraint((*at, "paired"), ((*at, "reached_mid"), (*at, "not_reached_mid")))
                )
        tree[instrument] = scales
    return tree, constraints


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
