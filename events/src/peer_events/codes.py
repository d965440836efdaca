"""Coded value sets and identifier types shared by the event payloads.

Everything that travels on the bus is coded: pseudonymous ids, age bands, postcode districts, enumerated
needs and preferences. No field is free text, so a payload cannot carry a name, an NHS number, an address
or a note by accident: a value outside its pattern or code list is refused when the event is built.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _id(prefix: str) -> StringConstraints:
    return StringConstraints(pattern=rf"^{prefix}_[0-9a-f]{{32}}$", max_length=36)


# One id type per kind, narrower than `PseudonymousId`, so a mentor id can never be passed as a referral id.
ReferralId = Annotated[str, _id("ref")]
MentorId = Annotated[str, _id("mnt")]
MatchId = Annotated[str, _id("mat")]
PairingId = Annotated[str, _id("pai")]
SessionId = Annotated[str, _id("ses")]
GoalId = Annotated[str, _id("gol")]
ConcernId = Annotated[str, _id("sgc")]
PamId = Annotated[str, _id("pam")]
StaffId = Annotated[str, _id("usr")]
CohortId = Annotated[str, _id("coh")]
GroupSessionId = Annotated[str, _id("gss")]
MeasureId = Annotated[str, _id("msr")]
"""A staff user account (coordinator, safeguarding lead): never a name."""

PostcodeDistrict = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")]
"""The outward code only (`SW1A`, `M1`, `B33`): never a full postcode."""

# At least one letter: ODS organisation codes always have one, and it keeps a 10-digit NHS number out.
OdsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]*[A-Z][A-Z0-9]*$", min_length=3, max_length=10)]
"""An NHS Organisation Data Service code of the referring organisation (`A81001`, `RX1`)."""

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
"""ISO 639-1 (`en`, `pa`) or, where there is no two-letter code, ISO 639-3 (`bfi` for BSL)."""

AvailabilitySlot = Annotated[
    str,
    StringConstraints(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)-(morning|afternoon|evening)$"),
]
"""A part of a week day when someone can meet, e.g. `tue-evening`."""

VersionCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*([.-][a-z0-9]+)*$", max_length=32)]
"""A lower-case code that may carry a version, e.g. `pam-13` or `insignia-2024.1`."""

H = TypeVar("H", bound=Hashable)


def _distinct(items: tuple[H, ...]) -> tuple[H, ...]:
    if len(set(items)) != len(items):
        raise ValueError("codes must not repeat")
    return items


CodeSet = Annotated[tuple[H, ...], AfterValidator(_distinct), Field(json_schema_extra={"uniqueItems": True})]
"""An ordered list of distinct codes."""


class Record(BaseModel):
    """Base of the small value objects nested inside event payloads: frozen and closed."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)


class AgeBand(StrEnum):
    """Age at referral in bands; the date of birth stays in the referrals service."""

    AGE_18_24 = "18-24"
    AGE_25_34 = "25-34"
    AGE_35_44 = "35-44"
    AGE_45_54 = "45-54"
    AGE_55_64 = "55-64"
    AGE_65_74 = "65-74"
    AGE_75_PLUS = "75+"


class Gender(StrEnum):
    """Stated gender, as recorded by the referrer."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    NOT_KNOWN = "not-known"


class GenderPreference(StrEnum):
    """The gender of mentor a mentee has asked for (no preference: field absent)."""

    MALE = "male"
    FEMALE = "female"


class EthnicCategory(StrEnum):
    """NHS Data Dictionary ETHNIC CATEGORY (2001 census) codes; not known: field absent."""

    WHITE_BRITISH = "A"
    WHITE_IRISH = "B"
    WHITE_OTHER = "C"
    MIXED_WHITE_BLACK_CARIBBEAN = "D"
    MIXED_WHITE_BLACK_AFRICAN = "E"
    MIXED_WHITE_ASIAN = "F"
    MIXED_OTHER = "G"
    ASIAN_INDIAN = "H"
    ASIAN_PAKISTANI = "J"
    ASIAN_BANGLADESHI = "K"
    ASIAN_OTHER = "L"
    BLACK_CARIBBEAN = "M"
    BLACK_AFRICAN = "N"
    BLACK_OTHER = "P"
    CHINESE = "R"
    OTHER = "S"
    NOT_STATED = "Z"


ETHNIC_CATEGORY_LABELS: dict[str, str] = {
    "A": "White: British",
    "B": "White: Irish",
    "C": "White: any other",
    "D": "Mixed: White and Black Caribbean",
    "E": "Mixed: White and Black African",
    "F": "Mixed: White and Asian",
    "G": "Mixed: any other",
    "H": "Asian: Indian",
    "J": "Asian: Pakistani",
    "K": "Asian: Bangladeshi",
    "L": "Asian: any other",
    "M": "Black: Caribbean",
    "N": "Black: African",
    "P": "Black: any other",
    "R": "Other: Chinese",
    "S": "Other: any other",
    "Z": "Not stated",
    "not-recorded": "Not recorded",
}
"""How reports name each ethnic category (and the group of people with none recorded)."""


class ContactMode(StrEnum):
    """A way of meeting a mentee will accept."""

    IN_PERSON = "in-person"
    PHONE = "phone"
    VIDEO = "video"


class SessionMode(StrEnum):
    """Where or how a session took place: public places, phone or video, never a home address."""

    CAFE = "cafe"
    COMMUNITY_CENTRE = "community-centre"
    LIBRARY = "library"
    OTHER_PUBLIC_SPACE = "other-public-space"
    PHONE = "phone"
    VIDEO = "video"


class Topic(StrEnum):
    """What a session talked about or a goal is about."""

    DIET = "diet"
    PHYSICAL_ACTIVITY = "physical-activity"
    MEDICATION = "medication"
    BLOOD_GLUCOSE_MONITORING = "blood-glucose-monitoring"
    FOOT_CARE = "foot-care"
    EMOTIONAL_WELLBEING = "emotional-wellbeing"
    WORK_AND_MONEY = "work-and-money"
    FAMILY = "family"
    FATIGUE_AND_PACING = "fatigue-and-pacing"
    BREATHING = "breathing"
    MEMORY_AND_CONCENTRATION = "memory-and-concentration"
    SLEEP = "sleep"
    OTHER = "other"


class ExperienceTag(StrEnum):
    """Lived experience a mentee would like their mentor to share (or a mentor has)."""

    NEWLY_DIAGNOSED = "newly-diagnosed"
    INSULIN = "insulin"
    TABLETS = "tablets"
    WEIGHT = "weight"
    DIET = "diet"
    PHYSICAL_ACTIVITY = "physical-activity"
    WORK = "work"
    CARER = "carer"
    PARENT = "parent"
    RETIRED = "retired"
    LIVING_ALONE = "living-alone"
    EMOTIONAL_WELLBEING = "emotional-wellbeing"
    COMPLICATIONS = "complications"
    RELIGIOUS_FASTING = "religious-fasting"
