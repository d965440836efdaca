"""Every event the referrals service publishes: ReferralReceived, -Accepted, -Rejected and -Withdrawn.

Each is addressed like the referral it is about (condition, programme, subject) and carries the
referral's correlation id, so the events of one referral can be followed across the services.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.referrals import (
    Consent,
    MenteePreferences,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
    RejectionReason,
    WithdrawalReason,
)
from peer_referrals.domain.triage import ConsentRecord
from peer_referrals.domain.validation import ValidReferral
from peer_shared.clock import Clock


class StoredReferral(Protocol):
    """What an event needs of a stored referral (a `referrals` row)."""

    id: str
    condition: str
    programme: str
    correlation_id: uuid.UUID


def referral_received(
    clock: Clock,
    referral_id: str,
    referral: ValidReferral,
    *,
    received_on: date,
    duplicate_of: str | None,
    correlation_id: uuid.UUID,
) -> CloudEvent[EventData]:
    """A new referral was stored (pseudonymous: no identifiable detail of the person)."""
    data = ReferralReceived(
        referral_id=referral_id,
        received_on=received_on,
        source=referral.source,
        referrer_ods_code=referral.referrer_ods_code,
        age_band=referral.age_band,
        gender=referral.person.gender,
        postcode_district=referral.postcode_district,
        ethnic_category=referral.ethnic_category,
        preferred_language=referral.preferred_language,
        preferences=referral.preferences,
        duplicate_of=duplicate_of,
    )
    return new_event(
        data,
        clock=clock,
        condition=referral.route.condition,
        programme=referral.route.programme,
        subject=referral_id,
        correlation_id=correlation_id,
    )


def referral_accepted(
    clock: Clock,
    row: StoredReferral,
    *,
    accepted_on: date,
    consent: ConsentRecord,
    preferences: MenteePreferences,
) -> CloudEvent[EventData]:
    """The coordinator accepted a consented referral, with the preferences confirmed with the person."""
    data = ReferralAccepted(
        referral_id=row.id,
        accepted_on=accepted_on,
        consent=Consent(
            peer_support=True,
            share_outcomes_with_referrer=consent.share_outcomes_with_referrer,
            contact_for_evaluation=consent.contact_for_evaluation,
        ),
        preferences=preferences,
    )
    return _about(clock, row, data)


def referral_rejected(
    clock: Clock,
    row: StoredReferral,
    *,
    rejected_on: date,
    reason: RejectionReason,
    duplicate_of: str | None,
) -> CloudEvent[EventData]:
    """The referral was turned down with a coded reason."""
    data = ReferralRejected(
        referral_id=row.id, rejected_on=rejected_on, reason=reason, duplicate_of=duplicate_of
    )
    return _about(clock, row, data)


def referral_withdrawn(
    clock: Clock, row: StoredReferral, *, withdrawn_on: date, reason: WithdrawalReason, erase: bool
) -> CloudEvent[EventData]:
    """The referral was withdrawn; `erase` tells the other services to erase the person's data too."""
    data = ReferralWithdrawn(
        referral_id=row.id, withdrawn_on=withdrawn_on, reason=reason, erase_personal_data=erase
    )
    return _about(clock, row, data)


def _about(clock: Clock, row: StoredReferral, data: EventData) -> CloudEvent[EventData]:
    return new_event(
        data,
        clock=clock,
        condition=row.condition,
        programme=row.programme,
        subject=row.id,
        correlation_id=row.correlation_id,
    )
