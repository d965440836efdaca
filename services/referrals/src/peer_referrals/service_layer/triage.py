"""Where triage decisions are made and `ReferralAccepted` / `ReferralRejected` are published."""

from __future__ import annotations

from typing import Any

from peer_referrals.domain.triage import ConsentRecord, ContactOutcome, Triage, TriageStatus
from peer_referrals.service_layer.errors import ReferralNotFound
from peer_referrals.store import referrals_repo, triage_repo
from peer_shared.clock import to_london
from peer_shared.contracts.envelope import new_event
from peer_shared.contracts.events.referrals import (
    Consent,
    MenteePreferences,
    ReferralAccepted,
    ReferralRejected,
    RejectionReason,
)
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def load(uow: UnitOfWork, referral_id: str) -> tuple[Any, Triage]:
    """The referral row (locked for this transaction) and its triage state."""
    row = await referrals_repo.get_referral(uow.session, referral_id, lock=True)
    if row is None:
        raise ReferralNotFound(referral_id)
    consent = await triage_repo.latest_consent(uow.session, referral_id)
    return row, Triage(TriageStatus(row.triage_status), consent)


async def log_contact(
    uow: UnitOfWork, referral_id: str, *, by: str, method: str, outcome: ContactOutcome, note: str | None
) -> int:
    """Log a contact attempt; the first moves a received referral to contacted. Returns the attempt id."""
    _, triage = await load(uow, referral_id)
    triage.log_contact()
    now = uow.clock.now()
    attempt = await triage_repo.add_contact_attempt(
        uow.session,
        referral_id,
        attempted_at=now,
        attempted_by=by,
        method=method,
        outcome=outcome.value,
        note=note,
    )
    await referrals_repo.update_referral(
        uow.session, referral_id, triage_status=triage.status.value, updated_at=now
    )
    return attempt


async def record_consent(uow: UnitOfWork, referral_id: str, consent: ConsentRecord) -> None:
    """Record the person's consent, with the day it was given and who recorded it."""
    _, triage = await load(uow, referral_id)
    triage.record_consent(consent)
    await triage_repo.add_consent(uow.session, referral_id, consent, uow.clock.now())


async def accept(uow: UnitOfWork, referral_id: str, *, preferences: MenteePreferences | None) -> None:
    """Accept a consented referral, confirming the preferences, and publish `ReferralAccepted`."""
    row, triage = await load(uow, referral_id)
    consent = triage.accept()
    now = uow.clock.now()
    today = to_london(now).date()
    confirmed = preferences or MenteePreferences.model_validate(row.preferences)
    await referrals_repo.update_referral(
        uow.session,
        referral_id,
        triage_status=triage.status.value,
        accepted_on=today,
        preferences=confirmed.model_dump(mode="json"),
        needs_review=False,
        updated_at=now,
    )
    data = ReferralAccepted(
        referral_id=referral_id,
        accepted_on=today,
        consent=Consent(
            peer_support=True,
            share_outcomes_with_referrer=consent.share_outcomes_with_referrer,
            contact_for_evaluation=consent.contact_for_evaluation,
        ),
        preferences=confirmed,
    )
    await uow.emit(event_for(uow, row, data))
    log.info("referral accepted", referral_id=referral_id)


async def reject(uow: UnitOfWork, referral_id: str, *, reason: RejectionReason) -> None:
    """Turn a referral down with a coded reason and publish `ReferralRejected`."""
    row, triage = await load(uow, referral_id)
    triage.reject()
    now = uow.clock.now()
    today = to_london(now).date()
    await referrals_repo.update_referral(
        uow.session,
        referral_id,
        **referrals_repo.closed_values(
            today, now, triage_status=triage.status.value, rejection_reason=reason.value, needs_review=False
        ),
    )
    duplicate_of = row.duplicate_of if reason is RejectionReason.DUPLICATE else None
    data = ReferralRejected(
        referral_id=referral_id, rejected_on=today, reason=reason, duplicate_of=duplicate_of
    )
    await uow.emit(event_for(uow, row, data))
    log.info("referral rejected", referral_id=referral_id, reason=reason.value)


def event_for(uow: UnitOfWork, row: Any, data: Any) -> Any:
    return new_event(
        data,
        clock=uow.clock,
        condition=row.condition,
        programme=row.programme,
        subject=row.id,
        correlation_id=row.correlation_id,
    )
