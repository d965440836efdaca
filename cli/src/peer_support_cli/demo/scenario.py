"""The demo's scenario as plain data: seeded cohorts and everything that happens to them, step by step.

Twenty mentors are registered on the first Monday; forty referrals arrive over the next two weeks
(FHIR, HL7 v2 and CSV); the coordinator contacts, gets consent from and accepts all but two; each mentee
meets their mentor weekly for sixteen weeks, with PAM taken at the first session and a week after the
last. One pairing ends early (the mentee moves away) and one session raises a safeguarding concern.
Alongside, a long Covid group programme runs (`group_scenario`): sixteen people referred over FHIR,
two cohorts of eight meeting fortnightly. The same seed and start give the same scenario; the driver
plays it against the real services.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from peer_events.programmes import KNOWN_PROGRAMMES, T2D_ONE_TO_ONE, DeliveryFormat
from peer_support_cli.demo.days import at, weekdays_from
from peer_support_cli.demo.group_scenario import group_figures, group_story
from peer_support_cli.demo.group_support import CohortPlan
from peer_support_cli.demo.people import MentorProfile, mentors, people, preferences, slot_of
from peer_support_cli.demo.steps import PRACTICES, Feed, Referral, Step
from peer_support_cli.demo.support import WEEKS, PamPlan, pam_scores, sessions

MENTORS, REFERRALS = 20, 40
GENDER_WISH = "mentor-gender:female"


@dataclass(frozen=True)
class Scenario:
    """The people, the steps in time order, and the figures the reports should end up showing."""

    seed: int
    start: datetime
    mentors: tuple[MentorProfile, ...]
    referrals: tuple[Referral, ...]
    """Both programmes' referrals: one-to-one (R01...) first, then the groups' (L01...)."""
    steps: tuple[Step, ...]
    facilitators: tuple[MentorProfile, ...]
    """The volunteers trained in group facilitation."""
    cohorts: tuple[CohortPlan, ...]

    @property
    def end(self) -> datetime:
        """When the last step happens."""
        return self.steps[-1].at

    @property
    def programmes(self) -> tuple[str, ...]:
        """The programmes the referrals are for, one-to-one first."""
        return tuple(dict.fromkeys(r.programme for r in self.referrals))

    def expected(self, programme: str = T2D_ONE_TO_ONE.code) -> dict[str, int]:
        """The counts the programme report's figures for `programme` must reach once every event has been
        taken in."""
        keys = {r.key for r in self.referrals if r.programme == programme}
        steps = [step for step in self.steps if step.referral in keys]
        actions = Counter(step.action for step in steps)
        logged = [step.session for step in steps if step.session is not None]
        missed = ("mentee-did-not-attend", "cancelled-by-mentee")
        one_to_one = KNOWN_PROGRAMMES[programme].delivery is DeliveryFormat.ONE_TO_ONE
        return {
            "referrals_received": actions["arrive"],
            "accepted": actions["accept"],
            "rejected": actions["reject"],
            "matched": actions["accept"] if one_to_one else 0,
            "sessions_delivered": sum(1 for s in logged if s.attended),
            "sessions_missed": sum(1 for s in logged if s.attendance in missed),
            "completions": actions["complete"],
            "early_endings": actions["end"],
            "baselines_recorded": actions["baseline"],
            "paired": actions["follow-up"],
        }

    def expected_group(self) -> dict[tuple[str, ...], int]:
        """The counts the report's group programme section must reach (paths inside the section)."""
        return group_figures(self.steps)


def build(seed: int, start: date) -> Scenario:
    """The whole scenario for a seed, starting on the Monday `start`."""
    rng = random.Random(seed)
    cohort = mentors(rng, MENTORS, start)
    steps = [Step(at(start, 9), None, "register-mentors")]
    feeds = [Feed.FHIR_BUNDLE] * 8 + [Feed.FHIR_REQUEST] * 8 + [Feed.HL7] * 12 + [Feed.CSV] * 12
    rng.shuffle(feeds)
    intake_days = [weekdays_from(start, n) for n in range(10)]
    referrals, csv_seen = [], 0
    for n, (person, feed) in enumerate(zip(people(rng, REFERRALS, start), feeds, strict=True)):
        if feed is Feed.CSV:
            arrives, csv_seen = intake_days[1 if csv_seen < 6 else 6], csv_seen + 1
        else:
            arrives = rng.choice(intake_days)
        referral = Referral(
            key=f"R{n + 1:02d}",
            person=person,
            practice=rng.choice(PRACTICES),
            feed=feed,
            authored_on=arrives - timedelta(days=rng.randint(0, 3)),
            preferences=preferences(rng, person, slot=n),
            condition="t2d",
        )
        referrals.append(referral)
        steps.append(Step(at(arrives, 9, 30), referral.key, "arrive"))
    unreachable, declining, moving, worrying = rng.sample(range(REFERRALS), 4)
    for n, referral in enumerate(referrals):
        arrived = steps[n + 1].at.date()
        contact_day = weekdays_from(arrived, rng.randint(1, 3))
        if n == unreachable:
            for k, outcome in enumerate(("no-answer", "left-message", "no-answer")):
                steps.append(_contact(weekdays_from(contact_day, k), referral, outcome))
            gave_up = at(weekdays_from(contact_day, 2), 11, 5)
            steps.append(Step(gave_up, referral.key, "reject", {"reason": "unable-to-contact"}))
            continue
        if rng.random() < 0.15:
            steps.append(_contact(contact_day, referral, "no-answer"))
            contact_day = weekdays_from(contact_day, 1)
        steps.append(_contact(contact_day, referral, "reached"))
        if n == declining:
            steps.append(Step(at(contact_day, 11, 5), referral.key, "reject", {"reason": "declined"}))
            continue
        steps.append(Step(at(contact_day, 11, 5), referral.key, "consent", {"given_on": contact_day}))
        confirmed: dict[str, object] = {"preferences": referral.preferences}
        steps.append(Step(at(contact_day, 11, 10), referral.key, "accept", confirmed))
        steps += _support(rng, referral, n, contact_day, early=n == moving, concern=n == worrying)
    steps.sort(key=lambda step: step.at)  # stable: a referral's steps at one time keep their order
    women = sum(m.capacity for m in cohort if m.gender == "female")
    groups = group_story(seed, start, referrals_before=REFERRALS, mentors_before=MENTORS)
    # Stable again: at a time both programmes have steps, the one-to-one ones come first.
    merged = sorted([*_any_mentor_once(steps, women), *groups.steps], key=lambda step: step.at)
    return Scenario(
        seed,
        at(start, 9),
        tuple(cohort),
        (*referrals, *groups.referrals),
        tuple(merged),
        groups.facilitators,
        groups.cohorts,
    )


def _any_mentor_once(steps: list[Step], places: int) -> list[Step]:
    """Mentees accepted once women mentors' `places` could all be taken agree to a mentor of any gender.

    Matching runs as acceptances arrive, in rounds whose make-up depends on timing, and mentees with no
    preference may take women's places first; so a wish for a woman mentor is kept only while fewer
    mentees than there are such places have been accepted. Then everyone is matched whatever the order.
    """
    accepted = [step.at for step in steps if step.action == "accept"]
    kept = []
    for step in steps:
        codes = step.detail.get("preferences")
        if isinstance(codes, tuple) and sum(1 for when in accepted if when <= step.at) > places:
            step = replace(step, detail={"preferences": tuple(c for c in codes if c != GENDER_WISH)})
        kept.append(step)
    return kept


def _contact(day: date, referral: Referral, outcome: str) -> Step:
    return Step(at(day, 11), referral.key, "contact", {"method": "phone", "outcome": outcome})


def _support(
    rng: random.Random, referral: Referral, n: int, accepted: date, *, early: bool, concern: bool
) -> list[Step]:
    weekday, hour = slot_of(n)
    first = accepted + timedelta(days=3)
    first += timedelta(days=(weekday - first.weekday()) % 7)
    modes = tuple(code.split(":")[1] for code in referral.preferences if code.startswith("contact-mode:"))
    planned = sessions(rng, at(first, hour), modes, attend=frozenset({4, 6}))
    if early:
        planned = planned[:6]
    baseline, follow_up = pam_scores(rng)
    key = referral.key
    steps = [Step(at(first, 19), key, "baseline", pam=PamPlan(first, baseline))]
    for session in planned:
        logged_at = at(session.starts_at.date(), 19)
        steps.append(Step(logged_at, key, "session", session=session))
        if concern and session.number == 4:
            detail = {"category": "self-neglect", "urgency": "within-24-hours", "action": "gp-informed"}
            steps.append(Step(logged_at, key, "concern", detail | {"session": 4}))
    last = planned[-1].starts_at.date()
    if early:
        return [*steps, Step(at(last + timedelta(days=2), 11), key, "end", {"reason": "moved-away"})]
    assert len(planned) == WEEKS
    review = last + timedelta(days=7)
    return [
        *steps,
        Step(at(last + timedelta(days=1), 11), key, "complete"),
        Step(at(review, 19), key, "follow-up", pam=PamPlan(review, follow_up)),
    ]
