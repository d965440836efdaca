"""The waitlist: why a mentee is waiting, and in what order waiting mentees are served.

The reason is found by narrowing the condition's mentors rule by rule (active and in date, then the
mentee's gender and language requirements, contact modes, distance, free places); the first rule that
leaves nobody is the reason shown, with the counts, so a coordinator sees what would unblock the mentee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from peer_matching.domain.eligibility import Ineligible


class WaitCode(StrEnum):
    """Why a mentee has no mentor yet."""

    NO_MENTOR_FOR_CONDITION = "no-mentor-for-condition"
    NO_ACTIVE_MENTOR = "no-active-mentor"
    GENDER_PREFERENCE = Ineligible.GENDER_PREFERENCE.value
    NO_SHARED_LANGUAGE = Ineligible.NO_SHARED_LANGUAGE.value
    NO_SHARED_CONTACT_MODE = Ineligible.NO_SHARED_CONTACT_MODE.value
    TOO_FAR = Ineligible.TOO_FAR.value
    MENTORS_AT_CAPACITY = "mentors-at-capacity"
    PLACES_TAKEN = Ineligible.PLACES_TAKEN.value


_MESSAGES = {
    WaitCode.NO_MENTOR_FOR_CONDITION: "no mentor is registered for this condition",
    WaitCode.NO_ACTIVE_MENTOR: "no mentor for this condition is active, trained and in date for checks",
    WaitCode.GENDER_PREFERENCE: "no active mentor is of the gender the mentee asked for",
    WaitCode.NO_SHARED_LANGUAGE: "no active mentor meeting the gender preference speaks a language of theirs",
    WaitCode.NO_SHARED_CONTACT_MODE: "no remaining mentor offers a way of meeting the mentee accepts",
    WaitCode.TOO_FAR: "the mentee meets in person and every remaining mentor lives too far away",
    WaitCode.MENTORS_AT_CAPACITY: "every suitable mentor is at capacity",
    WaitCode.PLACES_TAKEN: "the free places of suitable mentors went to other mentees in this round",
}


@dataclass(frozen=True)
class Funnel:
    """How many of the condition's mentors remain after each rule, for one mentee."""

    registered: int
    active: int
    gender: int
    language: int
    contact_mode: int
    distance: int
    with_places: int


@dataclass(frozen=True)
class WaitReason:
    """Why one mentee waits, with the counts behind it."""

    code: WaitCode
    message: str
    funnel: Funnel


def wait_reason(funnel: Funnel) -> WaitReason:
    """The first rule that leaves no mentor for this mentee."""
    steps = (
        (funnel.registered, WaitCode.NO_MENTOR_FOR_CONDITION),
        (funnel.active, WaitCode.NO_ACTIVE_MENTOR),
        (funnel.gender, WaitCode.GENDER_PREFERENCE),
        (funnel.language, WaitCode.NO_SHARED_LANGUAGE),
        (funnel.contact_mode, WaitCode.NO_SHARED_CONTACT_MODE),
        (funnel.distance, WaitCode.TOO_FAR),
        (funnel.with_places, WaitCode.MENTORS_AT_CAPACITY),
    )
    code = next((code for count, code in steps if count == 0), WaitCode.PLACES_TAKEN)
    return WaitReason(code, _MESSAGES[code], funnel)


def queue_key(rematch: bool, waiting_since: datetime, referral_id: str) -> tuple[bool, datetime, str]:
    """Waitlist order: people being rematched first, then longest waiting first."""
    return (not rematch, waiting_since, referral_id)
