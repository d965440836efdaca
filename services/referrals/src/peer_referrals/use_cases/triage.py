"""Where triage decisions are made and `ReferralAccepted` / `ReferralRejected` are published."""

from __future__ import annotations

from typing import Any

from peer_events.events.referrals import MenteePreferences, RejectionReason
from peer_referrals import events_out
from peer_referrals.domain.refusals import referral_not_found
from peer_referrals.domain.triage import ConsentRecord, ContactOutcome, Triage, TriageStatus
from peer_referrals.store import referrals_repo, triage_repo
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def load(uow: UnitOfWork, referral_id: str) -> tuple[Any, Triage]:
    """The referral row (locked for this transaction) and its triage state."""
    row = await referrals_repo.get_referral(uow.session, referral_id, lock=True)
    if row is None:
        raise referral_not_found(referral_id)
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
    today = uk_today(uow.clock)
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
    await uow.emit(
        events_out.referral_accepted(
            uow.clock, row, accepted_on=today, consent=consent, preferences=confirmed
        )
    )
    log.info("referral accepted", referral_id=referral_id)


async def reject(uow: UnitOfWork, referral_id: str, *, reason: RejectionReason) -> None:
    """Turn a referral down with a coded reason and publish `ReferralRejected`."""
    row, triage = await load(uow, referral_id)
    triage.reject()
    now = uow.clock.now()
    today = uk_today(uow.clock)
    await referrals_repo.update_referral(
        uow.session,
        referral_id,
        **referrals_repo.closed_values(
            today, now, triage_status=triage.status.value, rejection_reason=reason.value, needs_review=False
        ),
    )
    duplicate_of = row.duplicate_of if reason is RejectionReason.DUPLICATE else None
    await uow.emit(
        events_out.referral_rejected(
            uow.clock, row, rejected_on=today, reason=reason, duplicate_of=duplicate_of
        )
    )
    log.info("referral rejected", referral_id=referral_id, reason=reason.value)
