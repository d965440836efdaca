"""Identifiable records: referral detail, corrections, subject access, the mentor's contact card, audit.

Every endpoint here that returns identifiable data asks why (`purpose`) and writes the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from peer_referrals.api import views
from peer_referrals.api.bodies import CorrectionIn
from peer_referrals.api.views import ContactCard, ReferralDetail
from peer_referrals.domain.access import Action, Purpose
from peer_referrals.domain.person import ContactMethod
from peer_referrals.store import audit_repo, people_repo
from peer_referrals.use_cases import records
from peer_shared.http.dependencies import Coordinator, Mentor, Runtime, Today
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    404, 410, 422, s404="No such referral", s410="The person's identifiable details were erased"
)
router = APIRouter(tags=["records"], responses=ERRORS)


@router.get("/referrals/{referral_id}", summary="A referral with the person's details (audited)")
async def referral_detail(
    referral_id: str, purpose: Purpose, principal: Coordinator, runtime: Runtime, today: Today
) -> ReferralDetail:
    """The referral and the person's identifiable details; the read is written to the audit log."""
    async with runtime.unit_of_work() as uow:
        row, _ = await records.referral_and_person(uow, referral_id)
        person = await people_repo.get_person(uow.session, referral_id)
        await records.audit(uow, principal, Action.READ_DETAILS, referral_id, purpose.value)
    return ReferralDetail(
        referral=views.summary(row, today),
        person=views.person_view(person) if person is not None else None,
        requester=row.requester,
        preferences=row.preferences,
        ethnic_category=row.ethnic_category,
        preferred_language=row.preferred_language,
        erased_at=row.erased_at,
    )


@router.patch("/referrals/{referral_id}/person", summary="Correct the person's details (versioned, audited)")
async def correct_person(
    referral_id: str, body: CorrectionIn, principal: Coordinator, runtime: Runtime
) -> dict[str, Any]:
    """Change some of the person's details; the previous version is kept and the change is audited."""
    changes = body.model_dump(exclude_none=True, exclude={"reason"})
    async with runtime.unit_of_work() as uow:
        _, version = await records.correct_details(
            uow, referral_id, changes, principal=principal, reason=body.reason
        )
    return {"referral_id": referral_id, "version": version, "changed": sorted(changes)}


@router.get("/referrals/{referral_id}/subject-access", summary="Subject access export (audited)")
async def subject_access(referral_id: str, principal: Coordinator, runtime: Runtime) -> dict[str, Any]:
    """Everything this service holds about the person of this referral, across all their referrals."""
    async with runtime.unit_of_work() as uow:
        await records.audit(
            uow, principal, Action.SUBJECT_ACCESS_EXPORT, referral_id, Purpose.SUBJECT_ACCESS_REQUEST.value
        )
        return await records.subject_access_export(uow, referral_id)


@router.get("/referrals/{referral_id}/contact-card", summary="The matched mentor's contact card (audited)")
async def contact_card(
    referral_id: str,
    principal: Mentor,
    runtime: Runtime,
    purpose: Purpose = Purpose.ARRANGE_FIRST_MEETING,
) -> ContactCard:
    """Name and preferred contact for the mentor matched to this referral, and for no other mentor."""
    async with runtime.unit_of_work() as uow:
        person = await records.open_contact_card(uow, referral_id, principal=principal, purpose=purpose)
    by_phone = person.preferred_contact in (ContactMethod.PHONE, ContactMethod.SMS)
    return ContactCard(
        referral_id=referral_id,
        name=person.display_name,
        preferred_contact=person.preferred_contact.value,
        phone=person.phone if by_phone or person.preferred_contact is ContactMethod.LETTER else None,
        email=person.email if person.preferred_contact is ContactMethod.EMAIL else None,
    )


@router.get("/audit", summary="The audit log of access to identifiable data")
async def audit_log(
    _: Coordinator,
    runtime: Runtime,
    referral_id: str | None = None,
    after: Annotated[int | None, Query(ge=0, description="The last id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Who read or changed identifiable data, when, what and why (oldest first, paginated by id)."""
    async with runtime.sessions() as session:
        items = await audit_repo.entries(session, referral_id=referral_id, after_id=after, limit=limit)
    return {"items": items, "next_after": items[-1]["id"] if len(items) == limit else None}
