"""`peer-support demo`'s long Covid group programme as plain data: the same seed tells the same story, each
cohort takes exactly the wave of people waiting when it opens, every register names each current member
once, the member who stops coming is absent twice in a row before being followed up, and the C19-YRSm
scores stay within their scales and mostly improve."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest

from peer_referrals.feeds.fhir.reader import read_fhir
from peer_support_cli.demo.command import DEFAULT_SEED
from peer_support_cli.demo.days import start_for
from peer_support_cli.demo.fhir_documents import fhir_document
from peer_support_cli.demo.group_support import ABSENT, ATTENDED, C19_MAXIMA
from peer_support_cli.demo.scenario import Scenario, build
from peer_support_cli.demo.steps import Feed, Step

TODAY = date(2026, 3, 9)
POST_COVID_SNOMED = "1325161000000102"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build(DEFAULT_SEED, start_for(TODAY))


def _group_steps(scenario: Scenario, action: str, cohort: str | None = None) -> list[Step]:
    return [s for s in scenario.steps if s.action == action and (cohort is None or s.cohort == cohort)]


def test_the_group_story_is_the_seeds_own(scenario: Scenario) -> None:
    assert build(DEFAULT_SEED + 1, start_for(TODAY)).expected_group() != scenario.expected_group()
    # The group story draws from its own generator: the one-to-one figures are those the README quotes
    # (test_demo pins them), and the group people are numbered after the one-to-one mentees.
    assert [r.key for r in scenario.referrals] == [f"R{n:02d}" for n in range(1, 41)] + [
        f"L{n:02d}" for n in range(1, 17)
    ]
    assert scenario.expected("long-covid-group") == {
        "referrals_received": 16,
        "accepted": 16,
        "rejected": 0,
        "matched": 0,  # matching leaves group programmes to the groups service
        "sessions_delivered": 0,
        "sessions_missed": 0,
        "completions": 0,
        "early_endings": 0,
        "baselines_recorded": 0,
        "paired": 0,
    }
    assert scenario.expected_group() == {
        ("cohorts_started",): 2,
        ("cohorts_finished",): 2,
        ("people_enrolled",): 16,
        ("sessions_held",): 12,
        ("attendances",): 83,
        ("member_sessions",): 94,
        ("leavers",): 16,
        ("leavers_by_reason", "stopped-attending"): 1,
        ("measures", "c19-yrsm", "symptom-severity", "paired"): 15,
    }


def test_long_covid_referrals_come_over_fhir_coded_as_post_covid_syndrome(scenario: Scenario) -> None:
    group = [r for r in scenario.referrals if r.condition == "long-covid"]
    assert len(group) == 16 and {r.programme for r in group} == {"long-covid-group"}
    assert Counter(r.feed for r in group) == {Feed.FHIR_BUNDLE: 8, Feed.FHIR_REQUEST: 8}
    for referral in group:
        path, body = fhir_document(referral)
        kind = "Bundle" if path == "/fhir" else "ServiceRequest"
        submission = read_fhir(json.dumps(body).encode(), kind).submission
        assert [r.code for r in submission.reasons] == [POST_COVID_SNOMED]
    # The volunteers are distinct people from the one-to-one mentors.
    emails = [m.email for m in (*scenario.mentors, *scenario.facilitators)]
    assert len(scenario.facilitators) == 3 and len(set(emails)) == len(emails)


def test_each_cohort_takes_the_wave_waiting_when_it_opens(scenario: Scenario) -> None:
    accepted = {s.referral: s.at for s in scenario.steps if s.action == "accept" and s.cohort is None}
    opened = {s.cohort: s.at for s in _group_steps(scenario, "plan-cohort")}
    first, second = scenario.cohorts
    assert len(first.members) == len(second.members) == 8
    assert set(first.members).isdisjoint(second.members)
    # Everyone a cohort takes is accepted before it opens, and the next wave only after: so the waitlist
    # holds exactly its members whatever order the groups service ranks a day's acceptances in.
    assert all(accepted[key] < opened[first.key] for key in first.members)
    assert all(opened[first.key] < accepted[key] < opened[second.key] for key in second.members)
    for cohort in scenario.cohorts:
        assert cohort.opens_on < cohort.starts_on and 1 <= len(cohort.facilitators) <= 2
        [start] = _group_steps(scenario, "start-cohort", cohort.key)
        assert start.at.date() == cohort.starts_on
        held = [s.group_session for s in _group_steps(scenario, "group-session", cohort.key)]
        days = [plan.held_on for plan in held if plan is not None]
        assert days == [cohort.starts_on + timedelta(days=14 * n) for n in range(6)]  # fortnightly
    assert set(first.facilitators).isdisjoint(second.facilitators)


def test_every_register_names_each_current_member_once(scenario: Scenario) -> None:
    [stopped] = _group_steps(scenario, "group-follow-up")
    assert stopped.detail == {"outcome": "stopped"} and stopped.referral is not None
    for cohort in scenario.cohorts:
        current = set(cohort.members)
        runs: Counter[str] = Counter()
        for step in _group_steps(scenario, "group-session", cohort.key):
            plan = step.group_session
            assert plan is not None and plan.held_on == step.at.date()  # logged the day it was held
            if stopped.cohort == cohort.key and step.at > stopped.at:
                current.discard(stopped.referral)
            register = dict(plan.register)
            assert set(register) == current and len(plan.register) == len(register)
            assert all(register[key] == ATTENDED for key in register) or plan.number not in (1, 6)
            for key, presence in register.items():
                runs[key] = runs[key] + 1 if presence == ABSENT else 0
                # Only the member who stops is ever absent twice in a row, just before their follow-up.
                assert runs[key] < 2 or (key == stopped.referral and step.at < stopped.at)
        if stopped.cohort == cohort.key:
            assert stopped.referral not in current


def test_scores_are_taken_at_the_first_and_last_sessions_and_mostly_improve(scenario: Scenario) -> None:
    improved = 0
    for cohort in scenario.cohorts:
        sessions = [s.group_session for s in _group_steps(scenario, "group-session", cohort.key)]
        first, last = sessions[0], sessions[-1]
        assert first is not None and last is not None
        taken: dict[tuple[str, str], dict[str, int]] = {}
        for step in _group_steps(scenario, "measure", cohort.key):
            assert step.measure is not None and step.referral in cohort.members
            day = first.held_on if step.measure.timepoint == "baseline" else last.held_on
            assert step.measure.assessed_on == day == step.at.date()
            scores = dict(step.measure.scores)
            assert set(scores) == set(C19_MAXIMA)
            assert all(0 <= scores[scale] <= top for scale, top in C19_MAXIMA.items())
            taken[step.referral, step.measure.timepoint] = scores
        assert {key for key, timepoint in taken if timepoint == "baseline"} == set(cohort.members)
        ended = [key for key, timepoint in taken if timepoint == "end"]
        assert set(ended) == {key for key, presence in last.register}
        improved += sum(
            1
            for key in ended
            if taken[key, "end"]["symptom-severity"] <= taken[key, "baseline"]["symptom-severity"] - 2
        )
    assert improved == 13  # all but one member of each cohort, by at least the minimal important difference
