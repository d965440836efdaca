"""Matching rounds: hard constraints and capacity always hold, the batch beats first-come matching,
and every outcome is explained (score breakdown, passed-over mentors, waitlist reason)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peer_events.codes import Gender, GenderPreference
from peer_events.events.matching import MatchReason
from peer_matching.domain.eligibility import Ineligible, ineligibility
from peer_matching.domain.matching import RoundResult, plan_round
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor, MentorStatus
from peer_matching.domain.scoring import waiting_priority
from peer_matching.domain.waitlist import WaitCode
from peer_testkit.matching import CONTEXT, NOW, RULES, TODAY, mentee, mentees, mentor, mentors, round_input

TOLERANCE = 1e-5


def matched(result: RoundResult) -> dict[str, str]:
    return {p.mentee.referral_id: p.mentor.mentor_id for p in result.proposals}


def one_at_a_time(people: list[Mentee], volunteers: list[Mentor], loads: dict[str, int]) -> RoundResult:
    """First come, first served: a round per mentee in queue order, as matching on arrival would do."""
    loads = dict(loads)
    proposals, waiting = [], {}
    for person in sorted(people, key=lambda m: (m.waiting_since, m.referral_id)):
        result = plan_round(round_input([person], volunteers, loads))
        proposals += result.proposals
        waiting |= result.waiting
        for proposal in result.proposals:
            loads[proposal.mentor.mentor_id] = loads.get(proposal.mentor.mentor_id, 0) + 1
    return RoundResult(proposals, waiting)


def total(result: RoundResult) -> float:
    return sum(p.breakdown.score + p.priority for p in result.proposals)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(mentees(), min_size=1, max_size=12, unique_by=lambda m: m.referral_id),
    st.lists(mentors(), min_size=1, max_size=6, unique_by=lambda m: m.mentor_id),
    st.data(),
)
def test_no_proposal_breaks_a_hard_constraint_or_a_capacity(people: list, volunteers: list, data) -> None:
    loads = {m.mentor_id: data.draw(st.integers(0, m.capacity)) for m in volunteers}
    result = plan_round(round_input(people, volunteers, loads))
    given_to = Counter(p.mentor.mentor_id for p in result.proposals)
    for proposal in result.proposals:
        assert ineligibility(proposal.mentor, proposal.mentee, 1, CONTEXT) == []
    for volunteer in volunteers:
        assert loads[volunteer.mentor_id] + given_to[volunteer.mentor_id] <= volunteer.capacity
    assert len(result.proposals) + len(result.waiting) == len(people)
    assert not set(matched(result)) & set(result.waiting)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(mentees(), min_size=1, max_size=12, unique_by=lambda m: m.referral_id),
    st.lists(mentors(), min_size=1, max_size=6, unique_by=lambda m: m.mentor_id),
)
def test_the_batch_never_matches_fewer_or_scores_lower_than_first_come(
    people: list, volunteers: list
) -> None:
    batch, first_come = plan_round(round_input(people, volunteers)), one_at_a_time(people, volunteers, {})
    assert len(batch.proposals) >= len(first_come.proposals)
    if len(batch.proposals) == len(first_come.proposals):
        assert total(batch) >= total(first_come) - TOLERANCE


def test_first_come_leaves_someone_waiting_whom_the_batch_matches() -> None:
    near_woman = mentor(gender=Gender.FEMALE, capacity=1)
    man_nearby = mentor(gender=Gender.MALE, postcode_district="M4", capacity=1)
    first = mentee(waiting_since=NOW - timedelta(days=9))  # no preference; prefers the nearer mentor
    wants_woman = mentee(preferred_mentor_gender=GenderPreference.FEMALE)
    people, volunteers = [first, wants_woman], [near_woman, man_nearby]

    greedy = one_at_a_time(people, volunteers, {})
    assert matched(greedy) == {first.referral_id: near_woman.mentor_id}
    assert greedy.waiting[wants_woman.referral_id].code is WaitCode.MENTORS_AT_CAPACITY

    batch = plan_round(round_input(people, volunteers))
    assert matched(batch) == {
        first.referral_id: man_nearby.mentor_id,
        wants_woman.referral_id: near_woman.mentor_id,
    }
    assert batch.waiting == {}
    # The first mentee sees why the nearer mentor was not theirs.
    (proposal,) = [p for p in batch.proposals if p.mentee is first]
    assert [(p.mentor_id, p.reasons) for p in proposal.passed_over] == [
        (near_woman.mentor_id, (Ineligible.PLACES_TAKEN,))
    ]


def test_a_proposal_names_better_looking_mentors_and_why_they_were_not_chosen() -> None:
    expiring = mentor(dbs_checked_on=TODAY - timedelta(days=3 * 365 - 3))  # out before the first session
    full = mentor(postcode_district="M4", capacity=1)
    chosen = mentor(postcode_district="M14")
    person = mentee()
    result = plan_round(round_input([person], [expiring, full, chosen], {full.mentor_id: 1}))
    (proposal,) = result.proposals
    assert proposal.mentor is chosen
    assert [(p.mentor_id, p.reasons) for p in proposal.passed_over] == [
        (expiring.mentor_id, (Ineligible.CHECKS_EXPIRE,)),
        (full.mentor_id, (Ineligible.NO_CAPACITY,)),
    ]
    assert MatchReason.ONLY_MENTOR_AVAILABLE in proposal.breakdown.reasons
    assert proposal.passed_over[0].score > proposal.breakdown.score


@pytest.mark.parametrize(
    ("volunteers", "loads", "code"),
    [
        ([], {}, WaitCode.NO_MENTOR_FOR_CONDITION),
        ([mentor(status=MentorStatus.PAUSED)], {}, WaitCode.NO_ACTIVE_MENTOR),
        ([mentor(gender=Gender.MALE)], {}, WaitCode.GENDER_PREFERENCE),
        ([mentor(postcode_district="BL1", travel_km=5)], {}, WaitCode.TOO_FAR),
        (
            [mentor(mentor_id="mnt_" + "0" * 32, capacity=1)],
            {"mnt_" + "0" * 32: 1},
            WaitCode.MENTORS_AT_CAPACITY,
        ),
    ],
)
def test_a_waiting_mentee_is_told_what_blocks_them(volunteers: list, loads: dict, code: WaitCode) -> None:
    person = mentee(preferred_mentor_gender=GenderPreference.FEMALE)
    result = plan_round(round_input([person], volunteers, loads))
    assert result.proposals == []
    reason = result.waiting[person.referral_id]
    assert reason.code is code
    assert reason.funnel.registered == len(volunteers)


def test_rematched_mentees_are_served_first() -> None:
    place = mentor(capacity=1)
    long_waiting = mentee(waiting_since=NOW - timedelta(days=60))
    rematch = mentee(waiting_since=NOW, rematch=True)
    result = plan_round(round_input([long_waiting, rematch], [place]))
    assert matched(result) == {rematch.referral_id: place.mentor_id}
    assert result.waiting[long_waiting.referral_id].code is WaitCode.PLACES_TAKEN


def test_a_long_wait_outweighs_a_lower_score() -> None:
    place = mentor(capacity=1)
    near_new = mentee(waiting_since=NOW)
    far_waited = mentee(postcode_district="M20", waiting_since=NOW - timedelta(days=56))
    assert waiting_priority(far_waited, NOW, RULES) == RULES.waiting_weight
    assert matched(plan_round(round_input([near_new, far_waited], [place]))) == {
        far_waited.referral_id: place.mentor_id
    }
    near_waited = mentee(waiting_since=NOW - timedelta(days=56))
    assert matched(plan_round(round_input([near_waited, far_waited], [place]))) == {
        near_waited.referral_id: place.mentor_id
    }
