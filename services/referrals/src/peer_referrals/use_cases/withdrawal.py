"""Where a referral is withdrawn and `ReferralWithdrawn` is published, with erasure on consent withdrawal.

Erasure deletes the person's identifiable details (NHS number, name, date of birth, address and full
postcode, phone, email, UBRN, the referrer's notes), every earlier version of them, and the free-text notes
of contact attempts, for every referral held for that NHS number. What stays is pseudonymous and needed for
reporting: the referral id, dates, codes (age band, gender, postcode district, condition), triage outcome,
consent flags, and the audit log (which never holds identifiable data).
"""

from __future__ import annotations

from typing import Any

from peer_events.events.referrals import WithdrawalReason
from peer_referrals import events_out
from peer_referrals.domain.triage import OPEN_STATUSES, TriageStatus
from peer_referrals.store import people_repo, referrals_repo
from peer_referrals.use_cases import triage as triage_cases
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def withdraw(
    uow: UnitOfWork, referral_id: str, *, reason: WithdrawalReason, consent_withdrawn: bool
) -> list[str]:
    """Withdraw a referral; when the person withdrew consent, erase them. Returns the referrals changed.

    Withdrawal without erasure needs an open referral. Erasure may follow at any time, even after the
    referral closed, and reaches every referral held for the same person.
    """
    row, triage = await triage_cases.load(uow, referral_id)
    if not consent_withdrawn:
        triage.withdraw()
        await _record(uow, row, reason, erase=False)
        return [referral_id]
    erased = []
    for other_id in await _same_person(uow, referral_id):
        other, other_triage = await triage_cases.load(uow, other_id)
        if other.erased_at is not None:
            continue
        if other_triage.status in OPEN_STATUSES:
            other_triage.withdraw()
            await _record(uow, other, reason, erase=True)
        elif other_triage.status is TriageStatus.WITHDRAWN:
            # Withdrawn earlier without erasure: tell the other services again, now to erase.
            await _emit(uow, other, WithdrawalReason(other.withdrawal_reason), erase=True)
        erased.append(other_id)
    await people_repo.erase_people(uow.session, erased)
    now = uow.clock.now()
    for other_id in erased:
        await referrals_repo.update_referral(uow.session, other_id, erased_at=now, updated_at=now)
    log.info("person erased", referral_ids=erased)
    return erased


async def _same_person(uow: UnitOfWork, referral_id: str) -> list[str]:
    """This referral and every other one held for the same NHS number, in a fixed (lock) order."""
    person = await people_repo.get_person(uow.session, referral_id)
    if person is None:
        return [referral_id]
    return sorted({referral_id, *await people_repo.referrals_of_person(uow.session, person.nhs_number)})


async def _record(uow: UnitOfWork, row: Any, reason: WithdrawalReason, *, erase: bool) -> None:
    now = uow.clock.now()
    values = referrals_repo.closed_values(
        uk_today(uow.clock), now, triage_status=TriageStatus.WITHDRAWN.value, withdrawal_reason=reason.value
    )
    await referrals_repo.update_referral(uow.session, row.id, **values)
    await _emit(uow, row, reason, erase=erase)


async def _emit(uow: UnitOfWork, row: Any, reason: WithdrawalReason, *, erase: bool) -> None:
    today = uk_today(uow.clock)
    await uow.emit(
        events_out.referral_withdrawn(uow.clock, row, withdrawn_on=today, reason=reason, erase=erase)
    )
