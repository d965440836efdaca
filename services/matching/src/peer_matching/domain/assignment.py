"""Batch assignment of waiting mentees to mentors' free places: as many matched as possible, then the best
total weight among such assignments; and the first-come greedy rule it replaces, for comparison.

The problem is a maximum-weight matching on a bipartite graph whose right side has one node per free place
("slot") of each mentor (capacity expansion). Only eligible pairs are edges, so the graph is sparse, and
scipy's LAPJVsp solves it exactly. Taking a mentor's k-th free place costs `slot_penalty[m][k]` (the
load-balancing criterion), the same for every mentee, non-decreasing in k; so which of a mentor's mentees
holds which place does not change the total, and the places are filled in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import (  # type: ignore[import-untyped]
    maximum_bipartite_matching,
    min_weight_full_bipartite_matching,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_EXACT_LIMIT = 2.0**50
"""Integer costs stay exact in float64 below 2**53; keep the solver's totals well under it."""


@dataclass(frozen=True)
class Problem:
    """Eligible pairs with their weights, and each mentor's free places."""

    n_mentees: int
    free: IntArray
    """Free places per mentor (index = mentor)."""
    pair_mentee: IntArray
    pair_mentor: IntArray
    pair_weight: FloatArray
    """Weight of a pair when the mentor's first free place is used."""
    slot_penalty: Sequence[FloatArray]
    """Per mentor: what using its k-th free place takes off the weight (first 0, non-decreasing)."""

    @property
    def n_mentors(self) -> int:
        """How many mentors the problem has."""
        return len(self.free)


Assignment = dict[int, int]
"""Mentee index -> mentor index."""


def total_weight(problem: Problem, assignment: Assignment) -> float:
    """The total weight of an assignment: pair weights less each mentor's penalties for places used."""
    weight_of = {
        (int(i), int(m)): float(w)
        for i, m, w in zip(problem.pair_mentee, problem.pair_mentor, problem.pair_weight, strict=True)
    }
    total = sum(weight_of[(i, m)] for i, m in assignment.items())
    counts = np.bincount(np.fromiter(assignment.values(), dtype=np.int64), minlength=problem.n_mentors)
    return total - sum(float(problem.slot_penalty[m][:c].sum()) for m, c in enumerate(counts) if c)


EXACT_PAIRS = 400_000
"""Up to this many eligible pairs a stage is solved exactly over all of them."""
CANDIDATES_PER_MENTEE = 32


def optimal_assignment(
    problem: Problem, exact_pairs: int = EXACT_PAIRS, candidates: int = CANDIDATES_PER_MENTEE
) -> Assignment:
    """Match as many mentees as possible; among those assignments, the one of greatest total weight.

    Exact up to `exact_pairs` eligible pairs. Beyond that (thousands of mentees who all accept phone or
    video, say) the solver sees each mentee's `CANDIDATES_PER_MENTEE` best mentors plus the pairs of the
    first-come greedy assignment and, when needed, of a maximum-cardinality matching of the whole
    graph: the number matched stays the maximum, and the total is never below greedy's.
    """
    usable = problem.free[problem.pair_mentor] > 0
    if int(usable.sum()) <= exact_pairs:
        return _solve(problem, usable)
    keep = usable & _best_per_mentee(problem, candidates)
    keep[_pair_index(problem, greedy_assignment(problem, range(problem.n_mentees)))] = True
    found = _solve(problem, keep)
    if len(found) < _cardinality_bound(problem, usable):
        widest = _maximum_cardinality(problem, usable)
        if len(widest) > len(found):
            keep[_pair_index(problem, widest)] = True
            found = _solve(problem, keep)
    return found


def _solve(problem: Problem, keep: npt.NDArray[np.bool_]) -> Assignment:
    """The exact optimum over the pairs in `keep`."""
    mentee, mentor, weight = problem.pair_mentee[keep], problem.pair_mentor[keep], problem.pair_weight[keep]
    if mentee.size == 0:
        return {}
    # Capacity expansion: one edge per (pair, free place of the pair's mentor).
    repeats = problem.free[mentor]
    mentee, mentor, weight = (
        np.repeat(mentee, repeats),
        np.repeat(mentor, repeats),
        np.repeat(weight, repeats),
    )
    slot = np.arange(mentee.size) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    penalties = np.concatenate([np.asarray(p[: problem.free[m]]) for m, p in enumerate(problem.slot_penalty)])
    slot_start = np.cumsum(problem.free) - problem.free
    weight = weight - penalties[slot_start[mentor] + slot]
    left, left_index = np.unique(mentee, return_inverse=True)
    right, right_index = np.unique(slot_start[mentor] + slot, return_inverse=True)
    if left.size <= right.size:
        rows, cols, n_rows, n_cols = left_index, right_index, left.size, right.size
    else:
        rows, cols, n_rows, n_cols = right_index, left_index, right.size, left.size
    cost = _integer_costs(weight, n_rows)
    # A dummy column per row ("unmatched") makes a full matching always exist; its cost exceeds what any
    # number of real edges could save, so every extra real match is worth more than any weight.
    big = float(n_rows) * (cost.max() + 1.0) + 1.0
    graph = csr_matrix(
        (
            np.concatenate([cost, np.full(n_rows, big)]),
            (np.concatenate([rows, np.arange(n_rows)]), np.concatenate([cols, n_cols + np.arange(n_rows)])),
        ),
        shape=(n_rows, n_cols + n_rows),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    real = matched_cols < n_cols
    row_hit, col_hit = matched_rows[real], matched_cols[real]
    mentee_hit, slot_hit = (row_hit, col_hit) if left.size <= right.size else (col_hit, row_hit)
    mentor_of_slot = np.repeat(np.arange(problem.n_mentors), problem.free)
    return {int(left[i]): int(mentor_of_slot[right[s]]) for i, s in zip(mentee_hit, slot_hit, strict=True)}


def _best_per_mentee(problem: Problem, k: int) -> npt.NDArray[np.bool_]:
    """Pairs among each mentee's `k` heaviest."""
    weight = problem.pair_weight
    span = float(weight.max() - weight.min()) + 1.0
    # One float key sorts by mentee, then by weight descending: cheaper than a two-key lexsort.
    order = np.argsort(problem.pair_mentee * span + (weight.max() - weight), kind="stable")
    sorted_mentee = problem.pair_mentee[order]
    first = np.searchsorted(sorted_mentee, sorted_mentee, side="left")
    keep = np.zeros(weight.size, dtype=np.bool_)
    keep[order[np.arange(order.size) - first < k]] = True
    return keep


def _pair_index(problem: Problem, assignment: Assignment) -> IntArray:
    """Where each (mentee, mentor) of an assignment sits in the problem's pair arrays."""
    if not assignment:
        return np.zeros(0, dtype=np.int64)
    key = problem.pair_mentee * problem.n_mentors + problem.pair_mentor
    order = np.argsort(key, kind="stable")
    wanted = np.array([i * problem.n_mentors + m for i, m in assignment.items()], dtype=np.int64)
    return np.asarray(order[np.searchsorted(key[order], wanted)], dtype=np.int64)


def _cardinality_bound(problem: Problem, usable: npt.NDArray[np.bool_]) -> int:
    """No assignment matches more than the mentees with a usable pair, nor more than the places."""
    mentees = np.bincount(problem.pair_mentee[usable], minlength=problem.n_mentees) > 0
    mentors = np.bincount(problem.pair_mentor[usable], minlength=problem.n_mentors) > 0
    return min(int(mentees.sum()), int(problem.free[mentors].sum()))


def _maximum_cardinality(problem: Problem, usable: npt.NDArray[np.bool_]) -> Assignment:
    """A maximum-cardinality assignment, weights ignored (Hopcroft-Karp on the expanded graph)."""
    mentee, mentor = problem.pair_mentee[usable], problem.pair_mentor[usable]
    repeats = problem.free[mentor]
    slot_start = np.cumsum(problem.free) - problem.free
    slot = np.arange(repeats.sum()) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    columns = slot_start[np.repeat(mentor, repeats)] + slot
    graph = csr_matrix(
        (np.ones(columns.size, dtype=np.int8), (np.repeat(mentee, repeats), columns)),
        shape=(problem.n_mentees, int(problem.free.sum())),
    )
    matched = maximum_bipartite_matching(graph, perm_type="column")
    mentor_of_slot = np.repeat(np.arange(problem.n_mentors), problem.free)
    return {int(i): int(mentor_of_slot[s]) for i, s in enumerate(matched) if s >= 0}


def greedy_assignment(problem: Problem, order: Sequence[int]) -> Assignment:
    """First come, first served: each mentee in `order` takes their best mentor with a free place left."""
    by_mentee = np.argsort(problem.pair_mentee, kind="stable")
    starts = np.searchsorted(problem.pair_mentee[by_mentee], np.arange(problem.n_mentees + 1))
    used = np.zeros(problem.n_mentors, dtype=np.int64)
    penalty_next = np.array([p[0] if len(p) else 0.0 for p in problem.slot_penalty], dtype=np.float64)
    assignment: Assignment = {}
    for i in order:
        edges = by_mentee[starts[i] : starts[i + 1]]
        mentors = problem.pair_mentor[edges]
        open_ = used[mentors] < problem.free[mentors]
        if not open_.any():
            continue
        gain = np.where(open_, problem.pair_weight[edges] - penalty_next[mentors], -np.inf)
        m = int(mentors[int(np.argmax(gain))])
        assignment[int(i)] = m
        used[m] += 1
        if used[m] < problem.free[m]:
            penalty_next[m] = problem.slot_penalty[m][used[m]]
    return assignment


def _integer_costs(weight: FloatArray, n_rows: int) -> FloatArray:
    """Positive integer-valued costs (max weight -> 1), scaled as finely as exactness allows."""
    span = float(weight.max() - weight.min())
    scale = 1e6
    while scale > 1 and n_rows * (n_rows * (span * scale + 2) + 1) > _EXACT_LIMIT:
        scale /= 10
    scaled = np.rint(weight * scale)
    costs: FloatArray = scaled.max() - scaled + 1.0
    return costs
