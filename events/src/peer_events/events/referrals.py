"""Events published by the referrals service: a referral arriving, and the outcome of its triage.

Patient identity (name, NHS number, date of birth, address, contact details) never leaves the referrals
service. These events carry the pseudonymous referral id and the coded, non-identifying facts that matching,
sessions and reporting need. Subjects: `peer.<condition>.referrals.<event>.v1`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from peer_events.codes import (
    AgeBand,
    AvailabilitySlot,
    CodeSet,
    ContactMode,
    EthnicCategory,
    ExperienceTag,
    Gender,
    GenderPreference,
    LanguageCode,
    OdsCode,
    PostcodeDistrict,
    Record,
    ReferralId,
)
from peer_events.envelope import EventData
from peer_events.registry import register


class ReferralSource(StrEnum):
    """The feed a referral arrived on."""

    FHIR = "fhir"
    HL7V2 = "hl7v2"
    CSV = "csv"
    MANUAL = "manual"


class RejectionReason(StrEnum):
    """Why triage turned a referral down."""

    NOT_ELIGIBLE = "not-eligible"
    DECLINED = "declined"
    UNABLE_TO_CONTACT = "unable-to-contact"
    DUPLICATE = "duplicate"
    OTHER_SERVICE = "other-service"
    OTHER = "other"


class WithdrawalReason(StrEnum):
    """Why an accepted referral left the programme before or during support."""

    MENTEE_REQUEST = "mentee-request"
    REFERRER_REQUEST = "referrer-request"
    MOVED_AWAY = "moved-away"
    NO_LONGER_ELIGIBLE = "no-longer-eligible"
    UNABLE_TO_CONTACT = "unable-to-contact"
    OTHER = "other"


class MenteePreferences(Record):
    """What the mentee would like from a mentor. An empty list means no preference."""

    preferred_mentor_gender: GenderPreference | None = None
    """The gender of mentor asked for; absent when the mentee has no preference."""
    languages: CodeSet[LanguageCode] = Field(default=(), max_length=10)
    """Languages the mentee is happy to talk in, most preferred first."""
    availability: CodeSet[AvailabilitySlot] = Field(default=(), max_length=21)
    """Parts of the week when the mentee can meet."""
    contact_modes: CodeSet[ContactMode] = Field(default=(), max_length=len(ContactMode))
    """Ways of meeting the mentee will accept."""
    experience: CodeSet[ExperienceTag] = Field(default=(), max_length=len(ExperienceTag))
    """Lived experience the mentee would like a mentor to share."""


class Consent(Record):
    """What the mentee agreed to at triage."""

    peer_support: Literal[True]
    """Consent to be matched with a volunteer mentor: a referral is never accepted without it."""
    share_outcomes_with_referrer: bool
    """Whether progress and PAM results may be reported back to the referring organisation."""
    contact_for_evaluation: bool
    """Whether the mentee may be contacted to evaluate the programme."""


class _ReferralEvent(EventData):
    producer: ClassVar[str] = "referrals"

    referral_id: ReferralId
    """The referral's pseudonymous id: the key every later event about this person carries."""


@register
class ReferralReceived(_ReferralEvent):
    """A referral has arrived and awaits triage.

    Published once per referral, including suspected duplicates (see `duplicate_of`). The envelope's
    `condition` and `programme` say what the person was referred for.
    """

    event_name: ClassVar[str] = "referral-received"

    received_on: date
    """The day the referral reached the service (UK local date)."""
    source: ReferralSource
    """The feed the referral came in on."""
    referrer_ods_code: OdsCode
    """ODS code of the referring organisation (GP practice or community team), never a person."""
    age_band: AgeBand
    """Age band at referral."""
    gender: Gender
    """Stated gender."""
    postcode_district: PostcodeDistrict
    """Outward code of the home postcode, for finding a mentor nearby."""
    ethnic_category: EthnicCategory | None = None
    """Ethnic category, for equality monitoring; absent when not known."""
    preferred_language: LanguageCode | None = None
    """The person's main language when it is not English; absent otherwise or when not known."""
    preferences: MenteePreferences = Field(default_factory=MenteePreferences)
    """Preferences sent by the referrer; triage may revise them (see ReferralAccepted)."""
    duplicate_of: ReferralId | None = None
    """An earlier referral this one appears to repeat; triage decides."""


@register
class ReferralAccepted(_ReferralEvent):
    """Triage accepted the referral: the mentee consented and is ready to be matched with a mentor."""

    event_name: ClassVar[str] = "referral-accepted"

    accepted_on: date
    """The day triage accepted the referral."""
    consent: Consent
    """What the mentee consented to."""
    preferences: MenteePreferences
    """Preferences as confirmed with the mentee; they replace those sent with ReferralReceived."""


@register
class ReferralRejected(_ReferralEvent):
    """Triage turned the referral down; nothing further happens for it."""

    event_name: ClassVar[str] = "referral-rejected"

    rejected_on: date
    """The day triage rejected the referral."""
    reason: RejectionReason
    """Why it was rejected."""
    duplicate_of: ReferralId | None = None
    """The referral this one repeats, when the reason is `duplicate`."""

    @model_validator(mode="after")
    def _duplicate_of_only_for_duplicates(self) -> Self:
        if self.duplicate_of is not None and self.reason is not RejectionReason.DUPLICATE:
            raise ValueError("duplicate_of is only given when the reason is 'duplicate'")
        return self


@register
class ReferralWithdrawn(_ReferralEvent):
    """The referral left the programme after acceptance; any pairing for it ends."""

    event_name: ClassVar[str] = "referral-withdrawn"

    withdrawn_on: date
    """The day the withdrawal was recorded."""
    reason: WithdrawalReason
    """Why the referral was withdrawn."""
    erase_personal_data: bool
    """The person asked for their data to be erased: every consumer deletes what it holds about this
    referral, keeping only what it must by law and anonymous counts."""
