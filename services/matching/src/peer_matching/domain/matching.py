"""A matching round for one condition: who gets which mentor, with scores and reasons, and who waits.

The round runs in stages: mentees being rematched (their pairing ended early or their mentor left) go
first, then everyone else, one programme at a time (programmes weigh criteria differently). Each stage
is an optimal batch assignment over the eligible pairs (`assignment.py`), whose pair weight is the pair's
score plus the mentee's waiting priority.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

import numpy as np

from peer_events.events.matching import MatchReason, ScoreComponent
from peer_matching.domain.assignment import Assignment, Problem, optimal_assignment
from peer_matching.domain.eligibility import EligibilityContext, mentor_problems
from peer_matching.domain.explanation import PassedOver, passed_over
from peer_matching.domain.features import Block, Encoded, encode, evaluate, weighted_score
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor
from peer_matching.domain.scoring import ScoreBreakdown, ScoringRules, score_pair, waiting_priority
from peer_matching.domain.waitlist import Funnel, WaitReason, queue_key, wait_reason

CHUNK_ROWS = 512
"""Mentees evaluated at once: bounds memory to a few chunk x mentors matrices."""


@dataclass(frozen=True)
class RoundInput:
    """Everything a round decides on; `mentors` are the condition's mentors who have not left."""

    condition: str
    mentees: Sequence[Mentee]
    mentors: Sequence[Mentor]
    loads: Mapping[str, int]
    """Mentees each mentor holds now (matched, or proposed and awaiting confirmation)."""
    now: datetime
    context: EligibilityContext
    rules_for: Callable[[str], ScoringRules]
    """The scoring rules of a programme."""


@dataclass(frozen=True)
class Proposal:
    """A mentor chosen for a mentee, with the score breakdown and who was passed over and why."""

    mentee: Mentee
    mentor: Mentor
    breakdown: ScoreBreakdown
    priority: float
    passed_over: tuple[PassedOver, ...]


@dataclass(frozen=True)
class RoundResult:
    """The round's proposals, and the reason each unmatched mentee waits."""

    proposals: list[Proposal]
    waiting: dict[str, WaitReason]


Strategy = Callable[[Problem], Assignment]


def plan_round(round_: RoundInput, assign: Strategy = optimal_assignment) -> RoundResult:
    """Assign the waiting mentees of one condition to mentors with free places.

    `assign` solves each stage; the default is the optimal batch assignment (a benchmark passes the
    first-come greedy rule to compare).
    """
    mentees = sorted(round_.mentees, key=lambda m: queue_key(m.rematch, m.waiting_since, m.referral_id))
    mentees.sort(key=lambda m: (not m.rematch, m.programme))  # stable: each stage stays in queue order
    pool = [m for m in round_.mentors if not mentor_problems(m, round_.condition, round_.context)]
    loads = np.array([round_.loads.get(m.mentor_id, 0) for m in pool], dtype=np.float64)
    free = np.array([max(0, m.capacity - round_.loads.get(m.mentor_id, 0)) for m in pool], dtype=np.int64)
    free_at_start = free.copy()
    data = encode(mentees, pool)
    funnels: dict[int, Funnel] = {}
    eligible_with_places = np.zeros(len(mentees), dtype=np.int64)
    assigned: dict[int, int] = {}
    start = 0
    for (_, programme), group in groupby(mentees, key=lambda m: (not m.rematch, m.programme)):
        stop = start + len(list(group))
        rules = round_.rules_for(programme)
        problem = _stage_problem(
            data, mentees, pool, start, stop, loads, free, free_at_start, rules, round_, funnels
        )
        eligible_with_places[start:stop] = np.bincount(problem.pair_mentee, minlength=stop - start)
        for i, m in assign(problem).items():
            assigned[start + i] = m
            loads[m] += 1
            free[m] -= 1
        start = stop
    proposals = _proposals(mentees, pool, assigned, eligible_with_places, round_)
    waiting = {
        mentee.referral_id: wait_reason(funnels[row])
        for row, mentee in enumerate(mentees)
        if row not in assigned
    }
    return RoundResult(proposals, waiting)


def _stage_problem(
    data: Encoded,
    mentees: Sequence[Mentee],
    pool: Sequence[Mentor],
    start: int,
    stop: int,
    loads: np.ndarray,
    free: np.ndarray,
    free_at_start: np.ndarray,
    rules: ScoringRules,
    round_: RoundInput,
    funnels: dict[int, Funnel],
) -> Problem:
    pair_mentee, pair_mentor, pair_weight = [], [], []
    priority = np.array([waiting_priority(m, round_.now, rules) for m in mentees[start:stop]])
    for a in range(start, stop, CHUNK_ROWS):
        b = min(stop, a + CHUNK_ROWS)
        block = evaluate(data, slice(a, b), loads, rules)
        eligible = block.eligible & (free > 0)[None, :]
        # Counted against the places free when the round began: a place an earlier stage took is
        # "taken in this round", not "at capacity".
        had_places = block.eligible & (free_at_start > 0)[None, :]
        _record_funnels(block, had_places, a, len(round_.mentors), len(pool), funnels)
        rows, cols = np.nonzero(eligible)
        pair_mentee.append(rows + (a - start))
        pair_mentor.append(cols)
        pair_weight.append(weighted_score(block, rules)[rows, cols] + priority[rows + (a - start)])
    spare_weight = rules.weights.normalised()[ScoreComponent.SPARE_CAPACITY]
    return Problem(
        n_mentees=stop - start,
        free=free.copy(),
        pair_mentee=np.concatenate(pair_mentee).astype(np.int64, copy=False),
        pair_mentor=np.concatenate(pair_mentor).astype(np.int64, copy=False),
        pair_weight=np.concatenate(pair_weight).astype(np.float64, copy=False),
        slot_penalty=[
            spare_weight * np.arange(f, dtype=np.float64) / m.capacity
            for f, m in zip(free, pool, strict=True)
        ],
    )


def _record_funnels(
    block: Block,
    eligible: np.ndarray,
    first_row: int,
    registered: int,
    active: int,
    funnels: dict[int, Funnel],
) -> None:
    gender = block.gender_ok
    language = gender & block.language_ok
    mode = language & block.mode_ok
    counts = np.stack(
        [gender.sum(1), language.sum(1), mode.sum(1), (mode & block.distance_ok).sum(1), eligible.sum(1)],
        axis=1,
    )
    for offset, row in enumerate(counts.tolist()):
        funnels[first_row + offset] = Funnel(registered, active, *row)


def _proposals(
    mentees: Sequence[Mentee],
    pool: Sequence[Mentor],
    assigned: Mapping[int, int],
    eligible_with_places: np.ndarray,
    round_: RoundInput,
) -> list[Proposal]:
    taken: dict[int, int] = {}
    chosen: list[tuple[Mentee, Mentor, ScoreBreakdown, float]] = []
    for row in sorted(assigned):
        mentee, mentor = mentees[row], pool[assigned[row]]
        rules = round_.rules_for(mentee.programme)
        # Places of a mentor fill in order, so the k-th mentee given to a mentor sees its load + k.
        rank = taken.get(assigned[row], 0)
        taken[assigned[row]] = rank + 1
        breakdown = score_pair(mentor, mentee, round_.loads.get(mentor.mentor_id, 0) + rank, rules)
        if eligible_with_places[row] == 1:
            reasons = (*breakdown.reasons, MatchReason.ONLY_MENTOR_AVAILABLE)
            breakdown = ScoreBreakdown(
                breakdown.score, breakdown.values, breakdown.weights, reasons, breakdown.distance_km
            )
        chosen.append((mentee, mentor, breakdown, waiting_priority(mentee, round_.now, rules)))
    explanations = passed_over(
        [(mentee, mentor) for mentee, mentor, _, _ in chosen],
        round_.mentors,
        round_.loads,
        round_.context,
        round_.rules_for,
    )
    return [
        Proposal(mentee, mentor, breakdown, priority, explanation)
        for (mentee, mentor, breakdown, priority), explanation in zip(chosen, explanations, strict=True)
    ]
