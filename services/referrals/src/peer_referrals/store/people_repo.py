"""Reading and writing the person's identifiable details (the `people` table and its versions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.codes import Gender
from peer_referrals.domain.person import ContactMethod, PersonDetails
from peer_referrals.store.tables import contact_attempts, people, person_versions


def person_row(referral_id: str, person: PersonDetails, version: int = 1) -> dict[str, Any]:
    """The `people` row for a person's details."""
    return {
        "referral_id": referral_id,
        "nhs_number": person.nhs_number,
        "given_names": list(person.given_names),
        "family_name": person.family_name,
        "birth_date": person.birth_date,
        "gender": person.gender.value,
        "address_lines": list(person.address_lines),
        "postcode": person.postcode,
        "phone": person.phone,
        "email": person.email,
        "preferred_contact": person.preferred_contact.value,
        "ubrn": person.ubrn,
        "notes": person.notes,
        "version": version,
    }


def person_from_row(row: Any) -> PersonDetails:
    """Rebuild a person's details from a `people` row."""
    return PersonDetails(
        nhs_number=row.nhs_number,
        given_names=tuple(row.given_names),
        family_name=row.family_name,
        birth_date=row.birth_date,
        gender=Gender(row.gender),
        address_lines=tuple(row.address_lines),
        postcode=row.postcode,
        phone=row.phone,
        email=row.email,
        preferred_contact=ContactMethod(row.preferred_contact),
        ubrn=row.ubrn,
        notes=row.notes,
    )


def details_json(person: PersonDetails) -> dict[str, Any]:
    """A person's details as JSON (for version history and subject access exports)."""
    row = person_row("", person)
    row.pop("referral_id")
    row.pop("version")
    row["birth_date"] = person.birth_date.isoformat()
    return row


async def add_people(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Store the details of newly referred people."""
    if rows:
        await session.execute(insert(people), list(rows))


async def get_person(session: AsyncSession, referral_id: str, *, lock: bool = False) -> Any | None:
    """The `people` row of a referral, or None (never stored, or erased)."""
    query = select(people).where(people.c.referral_id == referral_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).one_or_none()


async def replace_person(
    session: AsyncSession,
    referral_id: str,
    before: Any,
    after: PersonDetails,
    *,
    changed_at: datetime,
    changed_by: str,
    reason: str,
) -> int:
    """Store corrected details, keeping the previous version; returns the new version number."""
    await session.execute(
        insert(person_versions).values(
            referral_id=referral_id,
            version=before.version,
            details=details_json(person_from_row(before)),
            changed_at=changed_at,
            changed_by=changed_by,
            reason=reason,
        )
    )
    version = int(before.version) + 1
    values = person_row(referral_id, after, version)
    await session.execute(update(people).where(people.c.referral_id == referral_id).values(values))
    return version


async def versions_of(session: AsyncSession, referral_id: str) -> list[dict[str, Any]]:
    """Earlier versions of a person's details, oldest first."""
    query = (
        select(person_versions)
        .where(person_versions.c.referral_id == referral_id)
        .order_by(person_versions.c.version)
    )
    return [dict(row._mapping) for row in await session.execute(query)]


async def referrals_of_person(session: AsyncSession, nhs_number: str) -> list[str]:
    """Every referral held for one NHS number."""
    query = select(people.c.referral_id).where(people.c.nhs_number == nhs_number)
    return list((await session.execute(query)).scalars())


async def erase_people(session: AsyncSession, referral_ids: Iterable[str]) -> None:
    """Delete identifiable details, their history and free-text contact notes for these referrals."""
    ids = list(referral_ids)
    await session.execute(delete(person_versions).where(person_versions.c.referral_id.in_(ids)))
    await session.execute(delete(people).where(people.c.referral_id.in_(ids)))
    await session.execute(
        update(contact_attempts).where(contact_attempts.c.referral_id.in_(ids)).values(note=None)
    )
