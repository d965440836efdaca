"""Hard constraints: whether a mentor may be matched with a mentee at all, and if not, why.

These are the readable rules, one check per constraint; `features.py` applies the same rules to whole
arrays of mentors at once for speed, and a property test holds the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from peer_events.codes import ContactMode
from peer_matching.domain.geography import distance_km
from peer_matching.domain.mentee import REMOTE_MODES, Mentee
from peer_matching.domain.mentor import Mentor, MentorStatus
from peer_matching.domain.training import CheckRules, expired_checks, missing_modules


class Ineligible(StrEnum):
    """Why a mentor cannot be matched with a mentee (stable codes, shown to coordinators)."""

    OTHER_CONDITION = "other-condition"
    NOT_ACTIVE = "not-active"
    TRAINING_INCOMPLETE = "training-incomplete"
    CHECKS_EXPIRE = "checks-expire-before-first-session"
    GENDER_PREFERENCE = "gender-preference"
    NO_SHARED_LANGUAGE = "no-shared-language"
    NO_SHARED_CONTACT_MODE = "no-shared-contact-mode"
    TOO_FAR = "too-far"
    NO_CAPACITY = "no-capacity"
    PLACES_TAKEN = "places-taken-in-this-round"
    """Eligible with a free place, but the batch gave that place to another mentee (more people matched
    overall, a better total, or someone waiting longer or being rematched first)."""


@dataclass(frozen=True)
class EligibilityContext:
    """What eligibility depends on beyond the two people: the likely first session and the check rules."""

    first_session_on: date
    rules: CheckRules


def mentor_problems(mentor: Mentor, condition: str, context: EligibilityContext) -> list[Ineligible]:
    """What rules the mentor out for any mentee with `condition`, whoever the mentee is."""
    problems = []
    if condition not in mentor.conditions:
        problems.append(Ineligible.OTHER_CONDITION)
    if mentor.status is not MentorStatus.ACTIVE:
        problems.append(Ineligible.NOT_ACTIVE)
    if missing_modules(mentor.training):
        problems.append(Ineligible.TRAINING_INCOMPLETE)
    if expired_checks(mentor.checks, context.first_session_on, context.rules):
        problems.append(Ineligible.CHECKS_EXPIRE)
    return problems


def meeting_modes(mentor: Mentor, mentee: Mentee) -> frozenset[ContactMode]:
    """The ways these two could meet: common modes, in person only within the mentor's travel distance."""
    common = mentee.accepted_modes & mentor.contact_modes
    if ContactMode.IN_PERSON in common and not within_travel(mentor, mentee):
        common -= {ContactMode.IN_PERSON}
    return common


def within_travel(mentor: Mentor, mentee: Mentee) -> bool:
    """Whether the mentee's district is within the distance the mentor will travel (unknown: no)."""
    km = distance_km(mentor.postcode_district, mentee.postcode_district)
    return km is not None and km <= mentor.travel_km


def pair_problems(mentor: Mentor, mentee: Mentee) -> list[Ineligible]:
    """What rules this pair out because of the mentee's hard preferences or the distance."""
    problems = []
    wanted = mentee.preferred_mentor_gender
    if wanted is not None and mentor.gender.value != wanted.value:
        problems.append(Ineligible.GENDER_PREFERENCE)
    if mentee.languages and not set(mentee.languages) & set(mentor.languages):
        problems.append(Ineligible.NO_SHARED_LANGUAGE)
    common = mentee.accepted_modes & mentor.contact_modes
    if not common:
        problems.append(Ineligible.NO_SHARED_CONTACT_MODE)
    elif not common & REMOTE_MODES and not within_travel(mentor, mentee):
        # In person is the only way they could meet, so the mentor's travel distance is binding.
        problems.append(Ineligible.TOO_FAR)
    return problems


def ineligibility(
    mentor: Mentor, mentee: Mentee, spare: int, context: EligibilityContext
) -> list[Ineligible]:
    """Every reason the mentor cannot take this mentee now; empty when they can."""
    problems = mentor_problems(mentor, mentee.condition, context) + pair_problems(mentor, mentee)
    if spare <= 0:
        problems.append(Ineligible.NO_CAPACITY)
    return problems
