"""Request and response bodies of the coordinator, referrer and mentor endpoints (OpenAPI documented)."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from peer_referrals.domain.person import ContactMethod
from peer_referrals.domain.triage import ContactOutcome
from peer_referrals.store.referrals_repo import Cursor
from peer_shared.contracts.codes import Gender
from peer_shared.contracts.events.referrals import MenteePreferences, RejectionReason, WithdrawalReason

Reason = Annotated[str, Field(min_length=3, max_length=500)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferralSummary(BaseModel):
    """A referral in a list: pseudonymous, so listing it is not an access to identifiable data."""

    referral_id: str
    status: str
    """Where the referral is: received, contacted, accepted, matched, started, paused, completed, ended
    (early), rejected or withdrawn."""
    triage_status: str
    condition: str
    programme: str
    source: str
    received_at: datetime
    days_waiting: int
    """Days from receipt to acceptance or closure (to today while it is still in triage)."""
    referrer_ods_code: str
    age_band: str
    gender: str
    postcode_district: str
    needs_review: bool
    duplicate_of: str | None
    rejection_reason: str | None
    withdrawal_reason: str | None


class Page(BaseModel):
    """One page of a list; pass `next_cursor` as `cursor` for the next one (null: no more)."""

    items: list[ReferralSummary]
    next_cursor: str | None


class PersonView(BaseModel):
    """The person's identifiable details (returned only on audited reads)."""

    nhs_number: str
    given_names: list[str]
    family_name: str
    birth_date: date
    gender: str
    address_lines: list[str]
    postcode: str
    phone: str | None
    email: str | None
    preferred_contact: str
    ubrn: str | None
    notes: str | None
    version: int


class ReferralDetail(BaseModel):
    """A referral with the person's details (null once erased)."""

    referral: ReferralSummary
    person: PersonView | None
    requester: str | None
    preferences: dict[str, Any]
    ethnic_category: str | None
    preferred_language: str | None
    erased_at: datetime | None


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


class ContactCard(BaseModel):
    """What the matched mentor needs to arrange the first meeting, and nothing more."""

    referral_id: str
    name: str
    preferred_contact: str
    phone: str | None
    email: str | None


def encode_cursor(received_at: datetime, referral_id: str) -> str:
    """An opaque cursor for keyset pagination."""
    raw = json.dumps([received_at.isoformat(), referral_id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> Cursor:
    """The position an opaque cursor stands for; ValueError if it was not made by `encode_cursor`."""
    try:
        at, referral_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return Cursor(datetime.fromisoformat(at), str(referral_id))
    except Exception as exc:
        raise ValueError("not a cursor from this API") from exc
