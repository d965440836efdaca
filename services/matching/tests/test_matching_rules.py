"""Eligibility and scoring, pair by pair, and the array version of the same rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peer_events.codes import ContactMode, ExperienceTag, Gender, GenderPreference
from peer_events.events.matching import MatchReason, ScoreComponent
from peer_matching.domain.eligibility import Ineligible, ineligibility, pair_problems
from peer_matching.domain.features import encode, evaluate, weighted_score
from peer_matching.domain.geography import distance_km, is_known_district
from peer_matching.domain.mentee import MenteeState, after_accepted, after_received
from peer_matching.domain.mentor import MentorStatus, activate, check_update, initial_status, pause, retire
from peer_matching.domain.scoring import ScoringRules, Weights, score_pair, waiting_priority
from peer_matching.domain.training import Check, CheckRules, TrainingModule, expired_checks, missing_modules
from peer_shared.refusals import Conflict, Invalid
from peer_testkit.matching import CONTEXT, NOW, RULES, TODAY, mentee, mentees, mentor, mentors


def test_distances_between_districts_come_from_the_shipped_centroids() -> None:
    assert is_known_district("SW1A") and is_known_district("m1")
    assert not is_known_district("ZZ9")
    km = distance_km("M1", "M20")
    assert km is not None and 5 < km < 8  # Manchester centre to Didsbury
    assert distance_km("M1", "ZZ9") is None
    assert distance_km("ZZ9", "ZZ9") == 0.0


def test_training_and_checks_expire_by_the_rules() -> None:
    optional = {TrainingModule.MENTORING, TrainingModule.GROUP_FACILITATION}
    assert missing_modules({TrainingModule.MENTORING: TODAY}) == sorted(set(TrainingModule) - optional)
    rules = CheckRules(dbs_valid_days=10, safeguarding_valid_days=5)
    done = {Check.DBS: date(2026, 1, 1), Check.SAFEGUARDING_REFRESHER: date(2026, 1, 1)}
    assert expired_checks(done, date(2026, 1, 5), rules) == []
    assert expired_checks(done, date(2026, 1, 6), rules) == [Check.SAFEGUARDING_REFRESHER]
    assert expired_checks(done, date(2026, 1, 11), rules) == list(Check)
    assert expired_checks({Check.DBS: None}, date(2026, 1, 1), rules) == list(Check)


def test_an_expired_dbs_check_keeps_a_mentor_from_becoming_active() -> None:
    applicant = mentor(status=MentorStatus.IN_TRAINING, dbs_checked_on=date(2022, 1, 1))
    with pytest.raises(Conflict) as refused:
        activate(applicant, TODAY, CheckRules())
    assert refused.value.code == "not-ready" and "dbs" in refused.value.message
    assert (
        activate(replace(applicant, dbs_checked_on=date(2025, 1, 1)), TODAY, CheckRules()).status == "active"
    )


def test_lifecycle_moves_only_where_it_may() -> None:
    active = mentor()
    with pytest.raises(Conflict, match="already active"):
        activate(active, TODAY, CheckRules())
    paused = pause(active)
    with pytest.raises(Conflict, match="only an active mentor"):
        pause(paused)
    left = retire(paused)
    assert left.status is MentorStatus.LEFT
    with pytest.raises(Conflict) as refused:
        activate(left, TODAY, CheckRules())
    assert refused.value.code == "mentor-left"


def test_asking_for_an_unfit_mentor_is_invalid_rather_than_a_conflict() -> None:
    unfit = mentor(status=MentorStatus.APPLICANT, dbs_checked_on=date(2022, 1, 1))
    with pytest.raises(Invalid) as refused:
        initial_status(unfit, MentorStatus.ACTIVE, TODAY, CheckRules())
    assert refused.value.code == "not-ready"
    with pytest.raises(Invalid, match="cannot start as paused"):
        initial_status(unfit, MentorStatus.PAUSED, TODAY, CheckRules())
    active = mentor()
    with pytest.raises(Invalid) as refused:
        check_update(active, replace(active, dbs_checked_on=date(2022, 1, 1)), TODAY, CheckRules())
    assert refused.value.code == "not-ready"
    left = mentor(status=MentorStatus.LEFT)
    with pytest.raises(Invalid) as refused:
        check_update(left, replace(left, capacity=3), TODAY, CheckRules())
    assert refused.value.code == "mentor-left"


def test_referral_events_in_either_order_make_the_mentee_ready_once() -> None:
    assert after_accepted(after_received(None)) is MenteeState.WAITING
    assert after_received(after_accepted(None)) is MenteeState.WAITING
    assert after_received(MenteeState.MATCHED) is MenteeState.MATCHED
    assert after_accepted(MenteeState.CLOSED) is MenteeState.CLOSED


def test_each_hard_constraint_is_named() -> None:
    wants_woman = mentee(preferred_mentor_gender=GenderPreference.FEMALE)
    assert pair_problems(mentor(gender=Gender.MALE), wants_woman) == [Ineligible.GENDER_PREFERENCE]
    assert pair_problems(mentor(languages=("en",)), mentee(languages=("pa",))) == [
        Ineligible.NO_SHARED_LANGUAGE
    ]
    far = mentor(postcode_district="BL1", travel_km=5)  # Bolton is ~17 km from Manchester centre
    assert pair_problems(far, mentee()) == [Ineligible.TOO_FAR]
    # A mentee who chose phone is not bound by the mentor's travel distance.
    assert pair_problems(far, mentee(contact_modes=frozenset({ContactMode.PHONE}))) == []
    video_only = mentor(contact_modes=frozenset({ContactMode.VIDEO}))
    assert pair_problems(video_only, mentee()) == [Ineligible.NO_SHARED_CONTACT_MODE]
    # In date today, but the DBS runs out before the likely first session.
    expiring = mentor(dbs_checked_on=TODAY - timedelta(days=3 * 365 - 5))
    assert ineligibility(expiring, mentee(), 1, CONTEXT) == [Ineligible.CHECKS_EXPIRE]
    assert ineligibility(mentor(conditions=("long-covid",)), mentee(), 0, CONTEXT) == [
        Ineligible.OTHER_CONDITION,
        Ineligible.NO_CAPACITY,
    ]


def test_a_score_breaks_down_into_weighted_criteria_with_reasons() -> None:
    person = mentee(
        availability=frozenset({"tue-evening", "sat-morning"}),
        experience=frozenset({ExperienceTag.INSULIN, ExperienceTag.WORK}),
        languages=("pa", "en"),
        contact_modes=frozenset({ContactMode.IN_PERSON}),
    )
    match = mentor(
        availability=frozenset({"tue-evening"}),
        experience=frozenset({ExperienceTag.INSULIN}),
        languages=("en", "pa"),
        capacity=2,
    )
    breakdown = score_pair(match, person, load=1, rules=RULES)
    assert breakdown.values == {
        ScoreComponent.DISTANCE: 1.0,
        ScoreComponent.LANGUAGE: 1.0,
        ScoreComponent.AVAILABILITY: 0.5,
        ScoreComponent.EXPERIENCE: 0.5,
        ScoreComponent.SPARE_CAPACITY: 0.5,
    }
    assert sum(breakdown.weights.values()) == pytest.approx(1.0)
    assert breakdown.score == pytest.approx(0.3 + 0.1 + 0.25 * 0.5 + 0.2 * 0.5 + 0.15 * 0.5)
    assert set(breakdown.reasons) == {
        MatchReason.NEARBY,
        MatchReason.SHARED_LANGUAGE,
        MatchReason.AVAILABILITY_OVERLAP,
        MatchReason.CONTACT_MODE_FIT,
        MatchReason.SHARED_EXPERIENCE,
    }


def test_weights_are_configurable_and_must_make_sense() -> None:
    only_distance = ScoringRules(weights=Weights(0, 0, 1, 0, 0))
    near, far = mentor(), mentor(postcode_district="M20")
    assert score_pair(near, mentee(), 0, only_distance).score == 0.0 + 1.0 * 1.0  # availability: no wish
    assert score_pair(far, mentee(), 0, ScoringRules(weights=Weights(1, 0, 0, 0, 0))).score < 1.0
    with pytest.raises(ValueError):
        Weights(0, 0, 0, 0, 0)


def test_waiting_raises_priority_up_to_a_ceiling() -> None:
    rules = ScoringRules(waiting_weight=0.5, waiting_horizon_days=10)
    assert waiting_priority(mentee(waiting_since=NOW), NOW, rules) == 0.0
    assert waiting_priority(mentee(waiting_since=NOW - timedelta(days=5)), NOW, rules) == 0.25
    assert waiting_priority(mentee(waiting_since=NOW - timedelta(days=50)), NOW, rules) == 0.5


@settings(max_examples=60, deadline=None)
@given(st.lists(mentees(), min_size=1, max_size=6), st.lists(mentors(), min_size=1, max_size=6))
def test_the_array_rules_agree_with_the_pair_rules(people: list, volunteers: list) -> None:
    loads = np.array([i % 2 for i in range(len(volunteers))], dtype=np.float64)
    data = encode(people, volunteers)
    block = evaluate(data, slice(0, len(people)), loads, RULES)
    scores = weighted_score(block, RULES)
    for i, person in enumerate(people):
        for j, volunteer in enumerate(volunteers):
            assert bool(block.eligible[i, j]) == (not pair_problems(volunteer, person)), (person, volunteer)
            expected = score_pair(volunteer, person, int(loads[j]), RULES).score
            assert scores[i, j] == pytest.approx(expected, abs=1e-9)
