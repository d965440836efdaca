"""The long Covid group programme's story as plain data, played alongside the one-to-one programme.

Three volunteers trained in group facilitation are registered on the first Monday. Sixteen people with
post-COVID-19 syndrome are referred by their GP practices over FHIR in two waves; the coordinator
contacts them, gets their consent and accepts them, and the groups service puts each on the waitlist.
Once a wave of eight is waiting, the coordinator plans a cohort in a community venue and opens it (its
places go to the waitlist in order); it meets fortnightly for six sessions, with C19-YRSm taken at the
first session and at the last (all but one member of each cohort improve). One member of the first
cohort stops coming: absent twice in a row, they are flagged, followed up and recorded as stopped. The
story has its own generator (from the seed), so the one-to-one story is the same with or without it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from peer_support_cli.demo.days import at, weekdays_from
from peer_support_cli.demo.group_support import (
    ATTENDED,
    CURRICULUM,
    CohortPlan,
    GroupSessionPlan,
    MeasurePlan,
    c19_scores,
    registers,
)
from peer_support_cli.demo.people import MentorProfile, Person, mentors, people
from peer_support_cli.demo.steps import PRACTICES, Feed, Referral, Step

CONDITION = "long-covid"
FACILITATORS, GROUP_REFERRALS, COHORT_SIZE = 3, 16, 8
GROUP_SESSIONS, CADENCE_DAYS = 6, 14
STOPS_AT = 3
"""The session from which the member who stops coming is absent (twice in a row, then followed up)."""
COHORTS = (
    ("C1", "Long Covid group A (Harehills)", "Harehills Community Centre, room 2", 9, 15, (0, 1)),
    ("C2", "Long Covid group B (Armley)", "Armley Community Centre, main hall", 19, 31, (2,)),
)
"""Key, name, venue, weekdays from the start to the day it is planned and opened, days from the start to
its first session, facilitators. Each opens after its wave is accepted and before the next wave is."""
WAVES = (range(0, 5), range(10, 15))
"""The weekdays (counted from the start) each wave's referrals arrive on."""


@dataclass(frozen=True)
class GroupStory:
    """The group programme's people, cohorts and steps (in time order)."""

    facilitators: tuple[MentorProfile, ...]
    referrals: tuple[Referral, ...]
    cohorts: tuple[CohortPlan, ...]
    steps: tuple[Step, ...]


def group_story(seed: int, start: date, *, referrals_before: int, mentors_before: int) -> GroupStory:
    """The group programme for a seed, from the Monday `start`; people and volunteers are numbered after
    the one-to-one programme's (`referrals_before`, `mentors_before`) so nobody shares a number."""
    rng = random.Random(f"{seed}/long-covid-groups")
    facilitators = mentors(rng, FACILITATORS, start, first=mentors_before)
    steps = [Step(at(start, 9), None, "register-facilitators")]
    feeds = [Feed.FHIR_BUNDLE, Feed.FHIR_REQUEST] * (GROUP_REFERRALS // 2)
    rng.shuffle(feeds)
    found = people(rng, GROUP_REFERRALS, start, first=referrals_before + 1)
    waves: list[list[str]] = [[] for _ in WAVES]
    referrals = []
    for n, (person, feed) in enumerate(zip(found, feeds, strict=True)):
        wave = n // COHORT_SIZE
        arrives = weekdays_from(start, rng.choice(WAVES[wave]))
        referral = Referral(
            key=f"L{n + 1:02d}",
            person=person,
            practice=rng.choice(PRACTICES),
            feed=feed,
            authored_on=arrives - timedelta(days=rng.randint(0, 3)),
            preferences=_preferences(rng, person),
            condition=CONDITION,
        )
        referrals.append(referral)
        waves[wave].append(referral.key)
        steps += _triage(rng, referral, arrives)
    cohorts = []
    for (key, name, venue, opens, starts, chosen), members in zip(COHORTS, waves, strict=True):
        cohort = CohortPlan(
            key=key,
            name=name,
            venue=venue,
            starts_on=start + timedelta(days=starts),
            planned_sessions=GROUP_SESSIONS,
            cadence_days=CADENCE_DAYS,
            facilitators=chosen,
            members=tuple(members),
            opens_on=weekdays_from(start, opens),
        )
        cohorts.append(cohort)
        steps += _cohort(rng, cohort, stops=rng.choice(members) if key == "C1" else None)
    steps.sort(key=lambda step: step.at)  # stable: steps at one time keep their order
    return GroupStory(tuple(facilitators), tuple(referrals), tuple(cohorts), tuple(steps))


def _preferences(rng: random.Random, person: Person) -> tuple[str, ...]:
    modes = rng.choice((("in-person", "phone"), ("in-person",), ("in-person", "video")))
    codes = [f"contact-mode:{mode}" for mode in modes]
    if person.language:
        codes += [f"language:{person.language}", "language:en"]
    return tuple(codes)


def _triage(rng: random.Random, referral: Referral, arrives: date) -> list[Step]:
    """Arrival, then the coordinator's calls: reached within two working days (sometimes a day later)."""
    key = referral.key
    steps = [Step(at(arrives, 9, 30), key, "arrive")]
    contact_day = weekdays_from(arrives, rng.randint(1, 2))
    reached: dict[str, object] = {"method": "phone", "outcome": "reached"}
    if rng.random() < 0.15:
        steps.append(Step(at(contact_day, 11), key, "contact", reached | {"outcome": "no-answer"}))
        contact_day = weekdays_from(contact_day, 1)
    return [
        *steps,
        Step(at(contact_day, 11), key, "contact", reached),
        Step(at(contact_day, 11, 5), key, "consent", {"given_on": contact_day}),
        Step(at(contact_day, 11, 10), key, "accept", {"preferences": referral.preferences}),
    ]


def _cohort(rng: random.Random, cohort: CohortPlan, *, stops: str | None) -> list[Step]:
    """Plan and open, start on the first session day with baselines, take the register fortnightly,
    follow up the member who stops, end measures at the last session, and finish."""
    key = cohort.key
    days = [cohort.starts_on + timedelta(days=cohort.cadence_days * n) for n in range(GROUP_SESSIONS)]
    steady = rng.choice([m for m in cohort.members if m != stops])
    scores = {m: c19_scores(rng, improves=m != steady) for m in cohort.members}
    steps = [
        Step(at(cohort.opens_on, 14), None, "plan-cohort", cohort=key),
        Step(at(days[0], 10), None, "start-cohort", cohort=key),
    ]
    steps += [_measure(at_day=days[0], member=m, key=key, scores=scores[m][0]) for m in cohort.members]
    for number, (day, register) in enumerate(
        zip(days, registers(rng, cohort.members, days, stops=stops, stops_at=STOPS_AT), strict=True),
        start=1,
    ):
        plan = GroupSessionPlan(
            number=number,
            held_on=day,
            duration_minutes=rng.choice((80, 90, 90, 100)),
            topics=CURRICULUM[number - 1],
            facilitators=cohort.facilitators,
            register=tuple(sorted(register.items())),
        )
        steps.append(Step(at(day, 13), None, "group-session", cohort=key, group_session=plan))
    if stops is not None:
        followed_up = at(days[STOPS_AT] + timedelta(days=1), 11)
        steps.append(Step(followed_up, stops, "group-follow-up", {"outcome": "stopped"}, cohort=key))
    stayed = [m for m in cohort.members if m != stops]
    steps += [_measure(at_day=days[-1], member=m, key=key, scores=scores[m][1], end=True) for m in stayed]
    return [*steps, Step(at(days[-1], 16), None, "finish-cohort", cohort=key)]


def _measure(*, at_day: date, member: str, key: str, scores: dict[str, int], end: bool = False) -> Step:
    timepoint = "end" if end else "baseline"
    plan = MeasurePlan(timepoint, at_day, tuple(sorted(scores.items())))
    return Step(
        at(at_day, 13, 30) if end else at(at_day, 10, 30), member, "measure", cohort=key, measure=plan
    )


def group_figures(steps: Sequence[Step]) -> dict[tuple[str, ...], int]:
    """The counts the report's section for the group programme must reach (paths inside the section)."""
    actions = Counter(step.action for step in steps)
    held = [step.group_session for step in steps if step.group_session is not None]
    timepoints = Counter(step.measure.timepoint for step in steps if step.measure is not None)
    return {
        ("cohorts_started",): actions["start-cohort"],
        ("cohorts_finished",): actions["finish-cohort"],
        ("people_enrolled",): timepoints["baseline"],
        ("sessions_held",): len(held),
        ("attendances",): sum(plan.count(ATTENDED) for plan in held),
        ("member_sessions",): sum(len(plan.register) for plan in held),
        ("leavers",): timepoints["baseline"],
        ("leavers_by_reason", "stopped-attending"): actions["group-follow-up"],
        ("measures", "c19-yrsm", "symptom-severity", "paired"): timepoints["end"],
    }
