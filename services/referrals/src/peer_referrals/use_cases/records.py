"""Identifiable records: detail, corrections, subject access export and the mentor's contact card.

Every read of identifiable data writes an audit entry in the same transaction, so a read that could not
be logged is not returned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from peer_referrals.domain.access import AccessRecord, Action, Purpose
from peer_referrals.domain.age import age_band, age_on
from peer_referrals.domain.person import PersonDetails
from peer_referrals.domain.postcode import parse_postcode
from peer_referrals.domain.refusals import person_erased, referral_not_found
from peer_referrals.domain.support import SupportStage, progress
from peer_referrals.domain.validation import valid_email, valid_phone
from peer_referrals.store import audit_repo, people_repo, referrals_repo, triage_repo
from peer_referrals.store.support_repo import facts_of
from peer_shared.auth import Principal
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import FieldProblem, Invalid


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
        raise referral_not_found(referral_id)
    person = await people_repo.get_person(uow.session, referral_id)
    return row, people_repo.person_from_row(person) if person is not None else None


async def correct_details(
    uow: UnitOfWork, referral_id: str, changes: dict[str, Any], *, principal: Principal, reason: str
) -> tuple[PersonDetails, int]:
    """Correct a person's details, keeping the previous version; returns the details and new version.

    `changes` are the fields given (names of `PersonDetails`); each is checked before anything is read.
    """
    changes = checked_corrections(changes)
    before = await people_repo.get_person(uow.session, referral_id, lock=True)
    if before is None:
        if await referrals_repo.get_referral(uow.session, referral_id) is None:
            raise referral_not_found(referral_id)
        raise person_erased(referral_id)
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


def checked_corrections(changes: dict[str, Any]) -> dict[str, Any]:
    """The corrections normalised (postcode spelt out, lists as tuples); `Invalid` naming each bad field."""
    if not changes:
        raise Invalid("no-corrections", "no details to correct")
    changes = dict(changes)
    problems = []
    if "postcode" in changes:
        postcode = parse_postcode(changes["postcode"])
        if postcode is None:
            message = f"{changes['postcode']!r} is not a valid UK postcode"
            problems.append(FieldProblem("body.postcode", message, "postcode-invalid"))
        else:
            changes["postcode"] = postcode.full
    if "phone" in changes and not valid_phone(changes["phone"]):
        problems.append(FieldProblem("body.phone", "not a phone number", "invalid"))
    if "email" in changes and not valid_email(changes["email"]):
        problems.append(FieldProblem("body.email", "not of the form name@domain", "invalid"))
    if problems:
        raise Invalid("invalid-correction", "; ".join(p.message for p in problems), fields=problems)
    for name in ("given_names", "address_lines"):
        if name in changes:
            changes[name] = tuple(changes[name])
    return changes


async def open_contact_card(
    uow: UnitOfWork, referral_id: str, *, principal: Principal, purpose: Purpose
) -> PersonDetails:
    """The person's details for the mentor matched to this referral (audited); for no other mentor."""
    row = await referrals_repo.get_referral(uow.session, referral_id)
    # Another mentor learns nothing, not even whether the referral exists.
    if row is None or row.support_mentor_id != principal.subject:
        raise referral_not_found(referral_id, "no referral matched to you with this id")
    person = await people_repo.get_person(uow.session, referral_id)
    if person is None:
        raise person_erased(referral_id)
    await audit(uow, principal, Action.OPEN_CONTACT_CARD, referral_id, purpose.value)
    return people_repo.person_from_row(person)


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
