"""The demo's scenario as plain data: a seeded cohort and everything that happens to it, step by step.

Twenty mentors are registered on the first Monday; forty referrals arrive over the next two weeks
(FHIR, HL7 v2 and CSV); the coordinator contacts, gets consent from and accepts all but two; each mentee
meets their mentor weekly for sixteen weeks, with PAM taken at the first session and a week after the
last. One pairing ends early (the mentee moves away) and one session raises a safeguarding concern.
The same seed and start give the same scenario; the driver plays it against the real services.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from peer_support_cli.demo.days import at, weekdays_from
from peer_support_cli.demo.people import MentorProfile, Person, mentors, people, preferences, slot_of
from peer_support_cli.demo.support import WEEKS, PamPlan, SessionPlan, pam_scores, sessions

MENTORS, REFERRALS = 20, 40
GENDER_WISH = "mentor-gender:female"
PRACTICES = (
    ("B86001", "Harehills Medical Practice", "Dr Chidi Okafor"),
    ("B86008", "Chapel Allerton Surgery", "Dr Ruth Fielding"),
    ("B86015", "Roundhay Road Health Centre", "Dr Asif Malik"),
    ("B86024", "Armley Moor Medical Centre", "Dr Helen Birch"),
    ("B86042", "Kirkstall Lane Surgery", "Dr Owen Price"),
)


class Feed(StrEnum):
    """How a referral reaches the referrals service."""

    FHIR_BUNDLE = "fhir-bundle"
    FHIR_REQUEST = "fhir-service-request"
    HL7 = "hl7v2"
    CSV = "csv"

    @property
    def source(self) -> str:
        """The source the reports count it under."""
        return "fhir" if self.value.startswith("fhir") else self.value


@dataclass(frozen=True)
class Referral:
    """One person referred by their GP practice, and their main preferences."""

    key: str
    person: Person
    practice: tuple[str, str, str]
    """ODS code, practice name, referring clinician."""
    feed: Feed
    authored_on: date
    preferences: tuple[str, ...]
    """Preference codes as referred (`contact-mode:phone`); the coordinator confirms them at acceptance."""


@dataclass(frozen=True)
class Step:
    """Something that happens at `at` (scenario time); `referral` is the key of the referral it is about."""

    at: datetime
    referral: str | None
    action: str
    """register-mentors, arrive, contact, consent, accept, reject, baseline, session, concern, end,
    complete or follow-up."""
    detail: dict[str, object] = field(default_factory=dict)
    session: SessionPlan | None = None
    pam: PamPlan | None = None


@dataclass(frozen=True)
class Scenario:
    """The cohort, the steps in time order, and the figures the reports should end up showing."""

    seed: int
    start: datetime
    mentors: tuple[MentorProfile, ...]
    referrals: tuple[Referral, ...]
    steps: tuple[Step, ...]

    @property
    def end(self) -> datetime:
        """When the last step happens."""
        return self.steps[-1].at

    def expected(self) -> dict[str, int]:
        """The counts the programme report must reach once every event has been taken in."""
        actions = Counter(step.action for step in self.steps)
        logged = [step.session for step in self.steps if step.session is not None]
        missed = ("mentee-did-not-attend", "cancelled-by-mentee")
        return {
            "referrals_received": actions["arrive"],
            "accepted": actions["accept"],
            "rejected": actions["reject"],
            "matched": actions["accept"],
            "sessions_delivered": sum(1 for s in logged if s.attended),
            "sessions_missed": sum(1 for s in logged if s.attendance in missed),
            "completions": actions["complete"],
            "early_endings": actions["end"],
            "baselines_recorded": actions["baseline"],
            "paired": actions["follow-up"],
        }


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
    return Scenario(
        seed, at(start, 9), tuple(cohort), tuple(referrals), tuple(_any_mentor_once(steps, women))
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
