"""Response bodies of the HTTP API, and how each is made from the service's records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row

from peer_events.codes import Gender, MentorId
from peer_matching.api.bodies import ContactIn, TrainingRecord
from peer_matching.domain.mentor import Expiry, Mentor
from peer_matching.domain.training import Check, CheckRules, TrainingModule, missing_modules
from peer_matching.store.mentors_repo import Contact


class MentorOut(BaseModel):
    """A mentor as the coordinator sees them (contact details included: coordinators only)."""

    mentor_id: MentorId
    status: str
    contact: ContactIn | None
    conditions: list[str]
    training: list[TrainingRecord]
    missing_modules: list[TrainingModule]
    dbs_checked_on: date | None
    dbs_expires_on: date | None
    safeguarding_refreshed_on: date | None
    safeguarding_expires_on: date | None
    capacity: int
    load: int
    postcode_district: str
    travel_km: float
    gender: Gender
    languages: list[str]
    availability: list[str]
    experience: list[str]
    interests: list[str]
    contact_modes: list[str]
    registered_on: date

    @classmethod
    def of(cls, mentor: Mentor, contact: Contact | None, load: int, rules: CheckRules) -> MentorOut:
        """The view of a mentor, with their contact details, current load and check expiry dates."""
        return cls(
            mentor_id=mentor.mentor_id,
            status=mentor.status.value,
            contact=ContactIn(**contact.__dict__) if contact else None,
            conditions=list(mentor.conditions),
            training=[TrainingRecord(module=m, completed_on=d) for m, d in sorted(mentor.training.items())],
            missing_modules=missing_modules(mentor.training),
            dbs_checked_on=mentor.dbs_checked_on,
            dbs_expires_on=(
                rules.expires_on(Check.DBS, mentor.dbs_checked_on) if mentor.dbs_checked_on else None
            ),
            safeguarding_refreshed_on=mentor.safeguarding_refreshed_on,
            safeguarding_expires_on=(
                rules.expires_on(Check.SAFEGUARDING_REFRESHER, mentor.safeguarding_refreshed_on)
                if mentor.safeguarding_refreshed_on
                else None
            ),
            capacity=mentor.capacity,
            load=load,
            postcode_district=mentor.postcode_district,
            travel_km=mentor.travel_km,
            gender=mentor.gender,
            languages=list(mentor.languages),
            availability=sorted(mentor.availability),
            experience=sorted(x.value for x in mentor.experience),
            interests=sorted(mentor.interests),
            contact_modes=sorted(x.value for x in mentor.contact_modes),
            registered_on=mentor.registered_on,
        )


class ExpiringCheck(BaseModel):
    """A DBS check or safeguarding refresher that runs out soon (or has run out)."""

    mentor_id: str
    status: str
    check: str
    expires_on: date
    days_left: int

    @classmethod
    def of(cls, expiry: Expiry, today: date) -> ExpiringCheck:
        """The view of a check's expiry, counted from today."""
        return cls(
            mentor_id=expiry.mentor.mentor_id,
            status=expiry.mentor.status.value,
            check=expiry.check.value,
            expires_on=expiry.expires_on,
            days_left=(expiry.expires_on - today).days,
        )


class MatchOut(BaseModel):
    """A proposal or match, with its score breakdown and the better-looking mentors passed over."""

    match_id: str
    referral_id: str
    mentor_id: str
    condition: str
    programme: str
    status: str
    mode: str
    score: float
    priority: float
    distance_km: float | None
    components: list[dict[str, Any]]
    reasons: list[str]
    passed_over: list[dict[str, Any]]
    proposed_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    override_of: str | None
    override_reason: str | None
    ended_at: datetime | None
    end_reason: str | None

    @classmethod
    def of(cls, row: Row[Any]) -> MatchOut:
        """The view of a stored match."""
        return cls(**row._mapping)


class WaitlistEntry(BaseModel):
    """A mentee on the waitlist."""

    referral_id: str
    condition: str
    programme: str
    position: int
    waiting_since: datetime | None
    rematch: bool
    reason_code: str | None
    reason: str | None
    funnel: dict[str, int] | None

    @classmethod
    def listed(cls, rows: list[Row[Any]]) -> list[WaitlistEntry]:
        """Waiting mentees, in the order they will be served, numbered per condition."""
        positions: dict[str, int] = {}
        entries = []
        for row in rows:
            positions[row.condition] = positions.get(row.condition, 0) + 1
            entries.append(
                cls(
                    referral_id=row.referral_id,
                    condition=row.condition,
                    programme=row.programme,
                    position=positions[row.condition],
                    waiting_since=row.waiting_since,
                    rematch=row.rematch,
                    reason_code=row.wait_code,
                    reason=row.wait_message,
                    funnel=row.wait_funnel,
                )
            )
        return entries


class MenteeOut(BaseModel):
    """Where a referral is in matching."""

    referral_id: str
    condition: str
    programme: str
    state: str
    rematch: bool
    waiting_since: datetime | None
    reason_code: str | None
    reason: str | None
    open_match_id: str | None

    @classmethod
    def of(cls, row: Row[Any], open_match: Row[Any] | None) -> MenteeOut:
        """The view of a mentee row and their open match."""
        return cls(
            referral_id=row.referral_id,
            condition=row.condition,
            programme=row.programme,
            state=row.state,
            rematch=row.rematch,
            waiting_since=row.waiting_since,
            reason_code=row.wait_code,
            reason=row.wait_message,
            open_match_id=open_match.match_id if open_match else None,
        )


class RoundOut(BaseModel):
    """What a round did."""

    matched: int
    waiting: int
