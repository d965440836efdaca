"""Soft criteria: how good an eligible mentor is for a mentee, as a score from 0 to 1 with its breakdown.

Each criterion gives a value from 0 (not at all) to 1 (fully); the score is their weighted mean with the
programme's weights. A criterion the mentee expressed no wish about scores 1 for every mentor, so it never
tips a choice. Waiting time is not part of a pair's score: it raises a mentee's priority in the batch
(see `waiting_priority`), so nobody waits for ever because they score low.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peer_events.codes import ContactMode
from peer_events.events.matching import MatchReason, ScoreComponent
from peer_matching.domain.eligibility import meeting_modes
from peer_matching.domain.geography import distance_km
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Weights:
    """The relative weight of each criterion (normalised to sum to 1 when scoring)."""

    distance: float = 0.3
    language: float = 0.1
    availability: float = 0.25
    experience: float = 0.2
    spare_capacity: float = 0.15

    def __post_init__(self) -> None:
        values = self.as_dict().values()
        if any(value < 0 for value in values) or sum(values) <= 0:
            raise ValueError("weights must be non-negative and not all zero")

    def as_dict(self) -> dict[ScoreComponent, float]:
        """Weight by criterion."""
        return {
            ScoreComponent.DISTANCE: self.distance,
            ScoreComponent.LANGUAGE: self.language,
            ScoreComponent.AVAILABILITY: self.availability,
            ScoreComponent.EXPERIENCE: self.experience,
            ScoreComponent.SPARE_CAPACITY: self.spare_capacity,
        }

    def normalised(self) -> dict[ScoreComponent, float]:
        """Weights that add up to 1, as published with a match."""
        weights = self.as_dict()
        total = sum(weights.values())
        return {component: weight / total for component, weight in weights.items()}


@dataclass(frozen=True)
class ScoringRules:
    """A programme's scoring policy."""

    weights: Weights = Weights()
    distance_reference_km: float = 20.0
    """Distance at which the distance criterion falls to 0 (it is 1 in the mentee's own district)."""
    waiting_weight: float = 0.5
    """Priority a mentee gains, in score units, by waiting `waiting_horizon_days` (then it stops rising)."""
    waiting_horizon_days: float = 56.0

    def __post_init__(self) -> None:
        if self.distance_reference_km <= 0 or self.waiting_horizon_days <= 0 or self.waiting_weight < 0:
            raise ValueError("distance reference and waiting horizon must be positive, waiting weight >= 0")


@dataclass(frozen=True)
class ScoreBreakdown:
    """A pair's score and how it was made up."""

    score: float
    values: dict[ScoreComponent, float]
    weights: dict[ScoreComponent, float]
    reasons: tuple[MatchReason, ...]
    distance_km: float | None


def criterion_values(
    mentor: Mentor, mentee: Mentee, load: int, rules: ScoringRules
) -> tuple[dict[ScoreComponent, float], float | None]:
    """Each criterion's value for this pair (`load`: the mentor's mentees before this one), and the km."""
    km = distance_km(mentor.postcode_district, mentee.postcode_district)
    if ContactMode.IN_PERSON not in mentee.accepted_modes:
        distance = 1.0  # the mentee will only meet remotely: where the mentor lives does not matter
    elif km is None:
        distance = 0.0
    else:
        distance = max(0.0, 1.0 - km / rules.distance_reference_km)
    wanted = mentee.wanted_language
    if wanted is None or wanted in mentor.languages:
        language = 1.0
    else:
        language = 0.5 if set(mentee.languages) & set(mentor.languages) else 0.0
    availability = _share(mentee.availability, mentor.availability)
    experience = _share(frozenset(mentee.experience), mentor.shares)
    spare = max(0.0, (mentor.capacity - load) / mentor.capacity)
    values = {
        ScoreComponent.DISTANCE: distance,
        ScoreComponent.LANGUAGE: language,
        ScoreComponent.AVAILABILITY: availability,
        ScoreComponent.EXPERIENCE: experience,
        ScoreComponent.SPARE_CAPACITY: spare,
    }
    return values, km


def score_pair(mentor: Mentor, mentee: Mentee, load: int, rules: ScoringRules) -> ScoreBreakdown:
    """Score an eligible pair, with the breakdown and the plain-language reasons."""
    values, km = criterion_values(mentor, mentee, load, rules)
    weights = rules.weights.normalised()
    score = min(1.0, sum(weights[c] * v for c, v in values.items()))
    return ScoreBreakdown(score, values, weights, _reasons(mentor, mentee, load, km, rules), km)


def waiting_priority(mentee: Mentee, now: datetime, rules: ScoringRules) -> float:
    """How much the batch favours this mentee for having waited (0 on arrival, rising to the weight)."""
    days = max(0.0, (now - mentee.waiting_since).total_seconds() / SECONDS_PER_DAY)
    return rules.waiting_weight * min(1.0, days / rules.waiting_horizon_days)


def _share(wanted: frozenset[str], offered: frozenset[str]) -> float:
    return 1.0 if not wanted else len(wanted & offered) / len(wanted)


def _reasons(
    mentor: Mentor, mentee: Mentee, load: int, km: float | None, rules: ScoringRules
) -> tuple[MatchReason, ...]:
    modes = meeting_modes(mentor, mentee)
    found = []
    if ContactMode.IN_PERSON in modes and km is not None and km <= rules.distance_reference_km / 2:
        found.append(MatchReason.NEARBY)
    if mentee.wanted_language is not None and mentee.wanted_language in mentor.languages:
        found.append(MatchReason.SHARED_LANGUAGE)
    if mentee.preferred_mentor_gender is not None:
        found.append(MatchReason.GENDER_PREFERENCE_MET)
    if mentee.availability & mentor.availability:
        found.append(MatchReason.AVAILABILITY_OVERLAP)
    if mentee.contact_modes and modes:
        found.append(MatchReason.CONTACT_MODE_FIT)
    if frozenset(mentee.experience) & mentor.shares:
        found.append(MatchReason.SHARED_EXPERIENCE)
    if load == 0:
        found.append(MatchReason.SPARE_CAPACITY)
    return tuple(found)
