"""The coordinator's work queue and triage actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from peer_referrals.api import views
from peer_referrals.api.bodies import AcceptIn, ConsentIn, ContactAttemptIn, RejectIn, WithdrawIn
from peer_referrals.api.paging import BAD_CURSOR, After
from peer_referrals.api.views import Page, ReferralSummary
from peer_referrals.domain.access import Action, Purpose
from peer_referrals.domain.triage import ConsentRecord, TriageStatus
from peer_referrals.store import referrals_repo, triage_repo
from peer_referrals.use_cases import records, triage, withdrawal
from peer_shared.http.dependencies import Coordinator, Runtime, Today
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    404, 409, 422, s404="No such referral", s409="Not allowed in the referral's triage status"
)
router = APIRouter(prefix="/referrals", tags=["triage"], responses=ERRORS)


@router.get("", summary="The work queue", responses=BAD_CURSOR)
async def work_queue(
    _: Coordinator,
    runtime: Runtime,
    today: Today,
    after: After,
    status: Annotated[list[TriageStatus] | None, Query(description="Triage statuses to include")] = None,
    condition: str | None = None,
    postcode_district: str | None = None,
    referrer_ods_code: str | None = None,
    min_days_waiting: Annotated[int | None, Query(ge=0)] = None,
    needs_review: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    """Referrals oldest first, filtered by status, condition, locality, referrer and age of referral."""
    now = runtime.clock.now()
    where = referrals_repo.QueueFilter(
        statuses=[s.value for s in status] if status else None,
        condition=condition,
        postcode_district=postcode_district.upper() if postcode_district else None,
        referrer_ods_code=referrer_ods_code.upper() if referrer_ods_code else None,
        received_before=now - timedelta(days=min_days_waiting) if min_days_waiting else None,
        needs_review=needs_review,
    )
    async with runtime.sessions() as session:
        rows = await referrals_repo.list_referrals(session, where, after=after, limit=limit)
    return views.page(rows, limit, today)


@router.post("/{referral_id}/contact-attempts", status_code=201, summary="Log a contact attempt")
async def log_contact_attempt(
    referral_id: str, body: ContactAttemptIn, principal: Coordinator, runtime: Runtime, today: Today
) -> ReferralSummary:
    """Log an attempt to reach the person; the first moves the referral from received to contacted."""
    async with runtime.unit_of_work() as uow:
        await triage.log_contact(
            uow,
            referral_id,
            by=principal.subject,
            method=body.method.value,
            outcome=body.outcome,
            note=body.note,
        )
    return await _summary(runtime, referral_id, today)


@router.get("/{referral_id}/contact-attempts", summary="The contact log (audited)")
async def contact_log(
    referral_id: str, purpose: Purpose, principal: Coordinator, runtime: Runtime
) -> list[dict[str, object]]:
    """Every contact attempt with its notes; the read is written to the audit log."""
    async with runtime.unit_of_work() as uow:
        await records.referral_and_person(uow, referral_id)
        attempts = await triage_repo.contact_log(uow.session, referral_id)
        await records.audit(uow, principal, Action.READ_CONTACT_LOG, referral_id, purpose.value)
    return attempts


@router.post("/{referral_id}/consent", status_code=201, summary="Record consent")
async def record_consent(
    referral_id: str, body: ConsentIn, principal: Coordinator, runtime: Runtime, today: Today
) -> ReferralSummary:
    """Record the person's consent to peer support and to sharing data, with date and recorder."""
    consent = ConsentRecord(
        peer_support=body.peer_support,
        share_outcomes_with_referrer=body.share_outcomes_with_referrer,
        contact_for_evaluation=body.contact_for_evaluation,
        given_on=body.given_on,
        recorded_by=principal.subject,
    )
    async with runtime.unit_of_work() as uow:
        await triage.record_consent(uow, referral_id, consent)
    return await _summary(runtime, referral_id, today)


@router.post("/{referral_id}/accept", summary="Accept (needs consent)")
async def accept(
    referral_id: str, body: AcceptIn, _: Coordinator, runtime: Runtime, today: Today
) -> ReferralSummary:
    """Accept a contacted, consented referral; publishes ReferralAccepted, which matching waits for."""
    async with runtime.unit_of_work() as uow:
        await triage.accept(uow, referral_id, preferences=body.preferences)
    return await _summary(runtime, referral_id, today)


@router.post("/{referral_id}/reject", summary="Reject with a coded reason")
async def reject(
    referral_id: str, body: RejectIn, _: Coordinator, runtime: Runtime, today: Today
) -> ReferralSummary:
    """Turn the referral down; publishes ReferralRejected."""
    async with runtime.unit_of_work() as uow:
        await triage.reject(uow, referral_id, reason=body.reason)
    return await _summary(runtime, referral_id, today)


@router.post("/{referral_id}/withdraw", summary="Withdraw (and erase on consent withdrawal)")
async def withdraw(
    referral_id: str, body: WithdrawIn, principal: Coordinator, runtime: Runtime, today: Today
) -> ReferralSummary:
    """Withdraw the referral; if the person withdrew consent, erase their identifiable data everywhere."""
    async with runtime.unit_of_work() as uow:
        erased = await withdrawal.withdraw(
            uow, referral_id, reason=body.reason, consent_withdrawn=body.consent_withdrawn
        )
        if body.consent_withdrawn:
            await records.audit(
                uow, principal, Action.ERASE, referral_id, "consent-withdrawn", referrals=erased
            )
    return await _summary(runtime, referral_id, today)


async def _summary(runtime: Runtime, referral_id: str, today: date) -> ReferralSummary:
    async with runtime.sessions() as session:
        row = await referrals_repo.get_referral(session, referral_id)
    assert row is not None
    return views.summary(row, today)
