"""Why not someone who looked better: for each proposal, the mentors whose score (ignoring the hard
constraints) beat the chosen mentor's, and the reasons each could not be chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from peer_matching.domain.eligibility import EligibilityContext, Ineligible, ineligibility
from peer_matching.domain.features import encode, evaluate, weighted_score
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor
from peer_matching.domain.scoring import ScoringRules

SHOWN = 3
"""How many better-looking mentors a proposal lists."""
_CHUNK = 512


@dataclass(frozen=True)
class PassedOver:
    """A mentor who looked better than the one chosen, and why they were not."""

    mentor_id: str
    score: float
    reasons: tuple[Ineligible, ...]


def passed_over(
    chosen: Sequence[tuple[Mentee, Mentor]],
    mentors: Sequence[Mentor],
    loads: Mapping[str, int],
    context: EligibilityContext,
    rules_for: Callable[[str], ScoringRules],
) -> list[tuple[PassedOver, ...]]:
    """For each (mentee, chosen mentor), up to `SHOWN` better-looking mentors, best first.

    "Looking better" compares scores as if every mentor were free (spare capacity aside, a full mentor
    would otherwise never look better). `loads` are the mentors' loads before the round: a mentor who was
    eligible with a free place then lost it to other mentees in the round (`places-taken-in-this-round`).
    """
    if not chosen or not mentors:
        return [() for _ in chosen]
    unloaded = np.zeros(len(mentors), dtype=np.float64)
    index_of = {m.mentor_id: i for i, m in enumerate(mentors)}
    found: list[tuple[PassedOver, ...]] = []
    data = encode([mentee for mentee, _ in chosen], mentors)
    for a in range(0, len(chosen), _CHUNK):
        b = min(len(chosen), a + _CHUNK)
        scores = {}
        for programme in {mentee.programme for mentee, _ in chosen[a:b]}:
            rules = rules_for(programme)
            scores[programme] = weighted_score(evaluate(data, slice(a, b), unloaded, rules), rules)
        for row in range(a, b):
            mentee, mentor = chosen[row]
            looks = scores[mentee.programme][row - a].copy()
            own = looks[index_of[mentor.mentor_id]]
            looks[index_of[mentor.mentor_id]] = -np.inf
            better = np.flatnonzero(looks > own + 1e-9)
            best = better[np.argsort(-looks[better], kind="stable")][:SHOWN]
            found.append(tuple(_why_not(mentors[i], mentee, float(looks[i]), loads, context) for i in best))
    return found


def _why_not(
    mentor: Mentor, mentee: Mentee, score: float, loads: Mapping[str, int], context: EligibilityContext
) -> PassedOver:
    spare = mentor.capacity - loads.get(mentor.mentor_id, 0)
    reasons = ineligibility(mentor, mentee, spare, context) or [Ineligible.PLACES_TAKEN]
    return PassedOver(mentor.mentor_id, round(score, 4), tuple(reasons))
