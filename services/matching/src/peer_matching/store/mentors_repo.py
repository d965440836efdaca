"""The mentor registry's repository: mentors, their training, and their contact details."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.codes import ContactMode, ExperienceTag, Gender
from peer_matching.domain.mentor import Mentor, MentorStatus
from peer_matching.domain.training import TrainingModule
from peer_matching.store.tables import mentor, mentor_contact, mentor_training


@dataclass(frozen=True)
class Contact:
    """How the coordinator reaches a mentor: personal data, kept in this service only."""

    full_name: str
    email: str | None = None
    phone: str | None = None


async def add(session: AsyncSession, new: Mentor, contact: Contact, now: datetime) -> None:
    """Register a mentor with their contact details and training."""
    await session.execute(insert(mentor).values(**_columns(new), updated_at=now))
    await session.execute(insert(mentor_contact).values(mentor_id=new.mentor_id, **contact.__dict__))
    await _put_training(session, new)


async def save(session: AsyncSession, changed: Mentor, now: datetime) -> None:
    """Write a changed mentor (and their training) back."""
    values = _columns(changed)
    del values["mentor_id"]
    await session.execute(
        update(mentor).where(mentor.c.mentor_id == changed.mentor_id).values(**values, updated_at=now)
    )
    await session.execute(delete(mentor_training).where(mentor_training.c.mentor_id == changed.mentor_id))
    await _put_training(session, changed)


async def save_contact(session: AsyncSession, mentor_id: str, contact: Contact) -> None:
    """Replace a mentor's contact details."""
    await session.execute(
        update(mentor_contact).where(mentor_contact.c.mentor_id == mentor_id).values(**contact.__dict__)
    )


async def get(session: AsyncSession, mentor_id: str, *, for_update: bool = False) -> Mentor | None:
    """One mentor, optionally locked for a change."""
    query = select(mentor).where(mentor.c.mentor_id == mentor_id)
    if for_update:
        query = query.with_for_update()
    found = await _load(session, query)
    return found[0] if found else None


async def contact_of(session: AsyncSession, mentor_id: str) -> Contact | None:
    """A mentor's contact details."""
    row = (
        await session.execute(select(mentor_contact).where(mentor_contact.c.mentor_id == mentor_id))
    ).one_or_none()
    return Contact(row.full_name, row.email, row.phone) if row else None


async def listed(session: AsyncSession, status: MentorStatus | None = None) -> list[Mentor]:
    """Every mentor (or those with one status), in registration order."""
    query = select(mentor).order_by(mentor.c.registered_on, mentor.c.mentor_id)
    if status is not None:
        query = query.where(mentor.c.status == status.value)
    return await _load(session, query)


async def for_condition(session: AsyncSession, condition: str) -> list[Mentor]:
    """The condition's mentors who have not left (everyone a round might consider or explain)."""
    query = (
        select(mentor)
        .where(mentor.c.conditions.any_() == condition, mentor.c.status != MentorStatus.LEFT.value)
        .order_by(mentor.c.mentor_id)
    )
    return await _load(session, query)


async def _load(session: AsyncSession, query: Any) -> list[Mentor]:
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    training: dict[str, dict[TrainingModule, date]] = defaultdict(dict)
    trained = select(mentor_training).where(mentor_training.c.mentor_id.in_([r.mentor_id for r in rows]))
    for t in (await session.execute(trained)).all():
        training[t.mentor_id][TrainingModule(t.module)] = t.completed_on
    return [_mentor(row, training[row.mentor_id]) for row in rows]


def _mentor(row: Row[Any], training: dict[TrainingModule, date]) -> Mentor:
    return Mentor(
        mentor_id=row.mentor_id,
        status=MentorStatus(row.status),
        conditions=tuple(row.conditions),
        postcode_district=row.postcode_district,
        travel_km=row.travel_km,
        gender=Gender(row.gender),
        registered_on=row.registered_on,
        capacity=row.capacity,
        languages=tuple(row.languages),
        availability=frozenset(row.availability),
        experience=frozenset(ExperienceTag(x) for x in row.experience),
        interests=frozenset(row.interests),
        contact_modes=frozenset(ContactMode(x) for x in row.contact_modes),
        training=training,
        dbs_checked_on=row.dbs_checked_on,
        safeguarding_refreshed_on=row.safeguarding_refreshed_on,
    )


def _columns(m: Mentor) -> dict[str, Any]:
    return {
        "mentor_id": m.mentor_id,
        "status": m.status.value,
        "conditions": list(m.conditions),
        "capacity": m.capacity,
        "postcode_district": m.postcode_district,
        "travel_km": m.travel_km,
        "gender": m.gender.value,
        "languages": list(m.languages),
        "availability": sorted(m.availability),
        "experience": sorted(x.value for x in m.experience),
        "interests": sorted(m.interests),
        "contact_modes": sorted(x.value for x in m.contact_modes),
        "dbs_checked_on": m.dbs_checked_on,
        "safeguarding_refreshed_on": m.safeguarding_refreshed_on,
        "registered_on": m.registered_on,
    }


async def _put_training(session: AsyncSession, m: Mentor) -> None:
    rows: Sequence[dict[str, Any]] = [
        {"mentor_id": m.mentor_id, "module": module.value, "completed_on": on}
        for module, on in m.training.items()
    ]
    if rows:
        await session.execute(insert(mentor_training), list(rows))
