"""Identifiable records: detail, corrections, subject access export and the mentor's contact card.

Every read of identifiable data writes an audit entry in the same transaction, so a read that could not
be logged is not returned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from peer_referrals.domain.access import AccessRecord, Action
from peer_referrals.domain.age import age_band, age_on
from peer_referrals.domain.person import PersonDetails
from peer_referrals.domain.support import SupportStage, progress
from peer_referrals.service_layer.errors import PersonErased, ReferralNotFound
from peer_referrals.store import audit_repo, people_repo, referrals_repo, triage_repo
from peer_referrals.store.support_repo import facts_of
from peer_shared.auth import Principal
from peer_shared.messaging.unit_of_work import UnitOfWork


async def audit(
    uow: UnitOfWork,
    principal: Principal,
    action: Action,
    referral_id: str | None,
    purpose: str,
    **detail: Any,
) -> None:
    """Log an access to identifiable data by `principal`."""
    record = AccessRecord(
        at=uow.clock.now(),
        actor_role=principal.role.value,
        actor=principal.subject,
        action=action,
        referral_id=referral_id,
        purpose=purpose,
        detail=detail,
    )
    await audit_repo.add(uow.session, record)


async def referral_and_person(uow: UnitOfWork, referral_id: str) -> tuple[Any, PersonDetails | None]:
    """The referral row and the person's details (None once erased)."""
    row = await referrals_repo.get_referral(uow.session, referral_id)
    if row is None:
        raise ReferralNotFound(referral_id)
    person = await people_repo.get_person(uow.session, referral_id)
    return row, people_repo.person_from_row(person) if person is not None else None


async def correct_details(
    uow: UnitOfWork, referral_id: str, changes: dict[str, Any], *, principal: Principal, reason: str
) -> tuple[PersonDetails, int]:
    """Correct a person's details, keeping the previous version; returns the details and new version."""
    before = await people_repo.get_person(uow.session, referral_id, lock=True)
    if before is None:
        if await referrals_repo.get_referral(uow.session, referral_id) is None:
            raise ReferralNotFound(referral_id)
        raise PersonErased(referral_id)
    after = replace(people_repo.person_from_row(before), **changes)
    version = await people_repo.replace_person(
        uow.session,
        referral_id,
        before,
        after,
        changed_at=uow.clock.now(),
        changed_by=principal.subject,
        reason=reason,
    )
    # The pseudonymous facts derived from the details follow them (they were wrong too).
    row = await referrals_repo.get_referral(uow.session, referral_id)
    assert row is not None
    await referrals_repo.update_referral(
        uow.session,
        referral_id,
        postcode_district=after.postcode.split(" ")[0],
        age_band=age_band(age_on(after.birth_date, row.authored_on or row.received_on)).value,
        gender=after.gender.value,
        updated_at=uow.clock.now(),
    )
    await audit(uow, principal, Action.CORRECT_DETAILS, referral_id, reason, fields=sorted(changes))
    return after, version


async def subject_access_export(uow: UnitOfWork, referral_id: str) -> dict[str, Any]:
    """Everything this service holds about the person of a referral (all their referrals), as JSON."""
    _, person = await referral_and_person(uow, referral_id)
    ids = [referral_id]
    if person is not None:
        ids = sorted(set(await people_repo.referrals_of_person(uow.session, person.nhs_number)))
    referrals = []
    for each in ids:
        each_row, each_person = await referral_and_person(uow, each)
        referrals.append(
            {
                "referral": _jsonable(dict(each_row._mapping)),
                "status": progress(each_row.triage_status, _stage(each_row.support_stage)),
                "person": people_repo.details_json(each_person) if each_person else None,
                "earlier_versions": _jsonable(await people_repo.versions_of(uow.session, each)),
                "consents": _jsonable(await triage_repo.consent_history(uow.session, each)),
                "contact_attempts": _jsonable(await triage_repo.contact_log(uow.session, each)),
                "support": [_jsonable(vars(f)) for f in await facts_of(uow.session, each)],
                "access_log": _jsonable(
                    await audit_repo.entries(uow.session, referral_id=each, after_id=None, limit=10_000)
                ),
            }
        )
    return {"referrals": referrals}


def _stage(value: str | None) -> SupportStage | None:
    return SupportStage(value) if value else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
