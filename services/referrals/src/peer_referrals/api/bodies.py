"""Request bodies of the coordinator endpoints (OpenAPI documented): unknown fields are refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from peer_events.codes import Gender
from peer_events.events.referrals import MenteePreferences, RejectionReason, WithdrawalReason
from peer_referrals.domain.person import ContactMethod
from peer_referrals.domain.triage import ContactOutcome

Reason = Annotated[str, Field(min_length=3, max_length=500)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactAttemptIn(_Body):
    """A contact attempt the coordinator made."""

    method: ContactMethod
    outcome: ContactOutcome
    note: str | None = Field(None, max_length=2000)


class ConsentIn(_Body):
    """Consent given by the person, as recorded by the coordinator."""

    peer_support: Literal[True]
    """Consent to be matched with a volunteer mentor (a refusal is a rejection, reason `declined`)."""
    share_outcomes_with_referrer: bool
    contact_for_evaluation: bool
    given_on: date


class AcceptIn(_Body):
    """Accept the referral, with the preferences confirmed with the person (omitted: as referred)."""

    preferences: MenteePreferences | None = None


class RejectIn(_Body):
    """Turn the referral down."""

    reason: RejectionReason


class WithdrawIn(_Body):
    """Withdraw the referral; `consent_withdrawn` erases the person's identifiable data."""

    reason: WithdrawalReason
    consent_withdrawn: bool


class CorrectionIn(_Body):
    """Corrected details (only the fields given change) and why."""

    reason: Reason
    given_names: list[str] | None = None
    family_name: str | None = Field(None, min_length=1)
    birth_date: date | None = None
    gender: Gender | None = None
    address_lines: list[str] | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_contact: ContactMethod | None = None
