"""What the coordinator, referrer and mentor endpoints answer, and how stored rows become those views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from peer_referrals.api.paging import encode_cursor
from peer_referrals.domain.support import SupportStage, progress


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


class ContactCard(BaseModel):
    """What the matched mentor needs to arrange the first meeting, and nothing more."""

    referral_id: str
    name: str
    preferred_contact: str
    phone: str | None
    email: str | None


def summary(row: Any, today: date) -> ReferralSummary:
    """A referral row as a pseudonymous summary; a closed referral stopped waiting when it closed."""
    stage = SupportStage(row.support_stage) if row.support_stage else None
    waited_until: date = row.closed_on or row.accepted_on or today
    return ReferralSummary(
        referral_id=row.id,
        status=progress(row.triage_status, stage),
        triage_status=row.triage_status,
        condition=row.condition,
        programme=row.programme,
        source=row.source,
        received_at=row.received_at,
        days_waiting=max(0, (waited_until - row.received_on).days),
        referrer_ods_code=row.referrer_ods_code,
        age_band=row.age_band,
        gender=row.gender,
        postcode_district=row.postcode_district,
        needs_review=row.needs_review,
        duplicate_of=row.duplicate_of,
        rejection_reason=row.rejection_reason,
        withdrawal_reason=row.withdrawal_reason,
    )


def page(rows: list[Any], limit: int, today: date) -> Page:
    """A page of summaries with the cursor for the next one."""
    items = [summary(row, today) for row in rows]
    more = len(rows) == limit
    cursor = encode_cursor(rows[-1].received_at, rows[-1].id) if more else None
    return Page(items=items, next_cursor=cursor)


def person_view(row: Any) -> PersonView:
    """The `people` row as the API shows it."""
    values = dict(row._mapping)
    values.pop("referral_id")
    return PersonView(**values)
