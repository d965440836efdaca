"""Batch assignment: exact optimum (checked by brute force), never worse than first-come greedy."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peer_matching.domain.assignment import (
    Assignment,
    Problem,
    greedy_assignment,
    optimal_assignment,
    total_weight,
)

TOLERANCE = 1e-4


def problem(
    n_mentees: int,
    free: list[int],
    pairs: list[tuple[int, int, float]],
    penalty_step: list[float] | None = None,
) -> Problem:
    steps = penalty_step or [0.0] * len(free)
    return Problem(
        n_mentees=n_mentees,
        free=np.array(free, dtype=np.int64),
        pair_mentee=np.array([p[0] for p in pairs], dtype=np.int64),
        pair_mentor=np.array([p[1] for p in pairs], dtype=np.int64),
        pair_weight=np.array([p[2] for p in pairs], dtype=np.float64),
        slot_penalty=[step * np.arange(f, dtype=np.float64) for f, step in zip(free, steps, strict=True)],
    )


@st.composite
def problems(draw: st.DrawFn, max_mentees: int = 8, max_mentors: int = 4) -> Problem:
    n_mentees = draw(st.integers(1, max_mentees))
    n_mentors = draw(st.integers(1, max_mentors))
    free = draw(st.lists(st.integers(0, 3), min_size=n_mentors, max_size=n_mentors))
    cells = list(itertools.product(range(n_mentees), range(n_mentors)))
    chosen = draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells)))
    weights = st.floats(0, 1.5, allow_nan=False)
    pairs = [(i, m, draw(weights)) for i, m in chosen]
    steps = draw(st.lists(st.floats(0, 0.2), min_size=n_mentors, max_size=n_mentors))
    return problem(n_mentees, free, pairs, steps)


def assert_feasible(p: Problem, assignment: Assignment) -> None:
    edges = set(zip(p.pair_mentee.tolist(), p.pair_mentor.tolist(), strict=True))
    for i, m in assignment.items():
        assert (i, m) in edges, f"mentee {i} given to mentor {m} without an eligible pair"
    counts = np.bincount(np.fromiter(assignment.values(), dtype=np.int64), minlength=p.n_mentors)
    assert (counts <= p.free).all(), "a mentor got more mentees than free places"


def brute_force(p: Problem) -> tuple[int, float]:
    """The best (number matched, total weight) over every feasible assignment."""
    options: dict[int, list[int | None]] = {i: [None] for i in range(p.n_mentees)}
    for i, m in zip(p.pair_mentee.tolist(), p.pair_mentor.tolist(), strict=True):
        options[i].append(m)
    best = (0, 0.0)
    for choice in itertools.product(*options.values()):
        assignment = {i: m for i, m in enumerate(choice) if m is not None}
        counts = np.bincount(np.array(list(assignment.values()), dtype=np.int64), minlength=p.n_mentors)
        if (counts > p.free).any():
            continue
        best = max(best, (len(assignment), total_weight(p, assignment)))
    return best


@settings(max_examples=150, deadline=None)
@given(problems(max_mentees=5, max_mentors=3))
def test_the_optimiser_finds_the_brute_force_optimum(p: Problem) -> None:
    found = optimal_assignment(p)
    assert_feasible(p, found)
    count, total = brute_force(p)
    assert len(found) == count
    assert total_weight(p, found) >= total - TOLERANCE


@settings(max_examples=200, deadline=None)
@given(problems(max_mentees=25, max_mentors=8), st.randoms(use_true_random=False))
def test_the_optimiser_never_matches_fewer_or_scores_lower_than_greedy(p: Problem, rng: object) -> None:
    order = list(range(p.n_mentees))
    rng.shuffle(order)  # type: ignore[attr-defined]
    best, greedy = optimal_assignment(p), greedy_assignment(p, order)
    assert_feasible(p, best)
    assert_feasible(p, greedy)
    assert len(best) >= len(greedy)
    if len(best) == len(greedy):
        assert total_weight(p, best) >= total_weight(p, greedy) - TOLERANCE


@settings(max_examples=150, deadline=None)
@given(problems(max_mentees=30, max_mentors=8), st.randoms(use_true_random=False))
def test_pruned_candidates_keep_the_maximum_matched_and_never_fall_below_greedy(
    p: Problem, rng: object
) -> None:
    order = list(range(p.n_mentees))
    rng.shuffle(order)  # type: ignore[attr-defined]
    exact = optimal_assignment(p)
    pruned = optimal_assignment(p, exact_pairs=0, candidates=1)  # as pruned as it gets
    greedy = greedy_assignment(p, range(p.n_mentees))
    assert_feasible(p, pruned)
    assert len(pruned) == len(exact)
    assert total_weight(p, exact) >= total_weight(p, pruned) - TOLERANCE
    if len(pruned) == len(greedy):
        assert total_weight(p, pruned) >= total_weight(p, greedy) - TOLERANCE


def test_greedy_matches_fewer_when_the_first_comer_takes_the_only_mentor_of_another() -> None:
    # Mentee 0 came first and slightly prefers mentor 0, the only mentor mentee 1 can have.
    p = problem(2, [1, 1], [(0, 0, 0.9), (0, 1, 0.8), (1, 0, 0.5)])
    assert greedy_assignment(p, [0, 1]) == {0: 0}
    assert optimal_assignment(p) == {0: 1, 1: 0}


def test_greedy_scores_lower_when_both_are_matched_either_way() -> None:
    # Both can have either mentor; mentee 1 fits mentor 0 far better than mentee 0 does.
    p = problem(2, [1, 1], [(0, 0, 0.8), (0, 1, 0.7), (1, 0, 0.9), (1, 1, 0.2)])
    greedy = greedy_assignment(p, [0, 1])
    best = optimal_assignment(p)
    assert greedy == {0: 0, 1: 1}
    assert best == {0: 1, 1: 0}
    assert total_weight(p, best) == 1.6
    assert round(total_weight(p, greedy), 6) == 1.0


def test_places_fill_in_order_and_load_is_spread_when_it_pays() -> None:
    # One mentor with two places and a penalty for the second, another with one place: the optimiser
    # spreads the two mentees when the second place costs more than the gap between mentors.
    p = problem(2, [2, 1], [(0, 0, 0.9), (1, 0, 0.9), (0, 1, 0.85), (1, 1, 0.85)], [0.2, 0.0])
    best = optimal_assignment(p)
    assert sorted(best.values()) == [0, 1]
    assert round(total_weight(p, best), 6) == 1.75


def test_no_pairs_or_no_places_match_nobody() -> None:
    assert optimal_assignment(problem(3, [2], [])) == {}
    assert optimal_assignment(problem(1, [0], [(0, 0, 1.0)])) == {}
