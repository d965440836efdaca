"""Reading and writing members' outcome measures (current revision, and every revision kept)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.groups import Instrument, MeasureTimepoint, Scale
from peer_groups.domain.measures import Measure, MemberPlace
from peer_groups.store.tables import cohort, cohort_member, measure, measure_revision, waitlist_entry


async def places_of(
    session: AsyncSession, referral_id: str, *, cohort_id: str | None = None
) -> list[MemberPlace]:
    """Every cohort place a person has held (in one cohort, when given), the current one first."""
    query = (
        select(
            cohort_member.c.cohort_id,
            cohort_member.c.referral_id,
            cohort_member.c.enrolled_on,
            (cohort_member.c.status == "enrolled").label("enrolled"),
            cohort.c.condition,
            cohort.c.programme,
            cohort.c.facilitators,
            func.coalesce(waitlist_entry.c.correlation_id, cohort.c.correlation_id).label("correlation_id"),
        )
        .join(cohort, cohort.c.id == cohort_member.c.cohort_id)
        .outerjoin(waitlist_entry, waitlist_entry.c.referral_id == cohort_member.c.referral_id)
        .where(cohort_member.c.referral_id == referral_id)
        .order_by((cohort_member.c.status == "enrolled").desc(), cohort_member.c.enrolled_on.desc())
    )
    if cohort_id is not None:
        query = query.where(cohort_member.c.cohort_id == cohort_id)
    rows = (await session.execute(query)).all()
    return [MemberPlace(**(dict(row._mapping) | {"facilitators": tuple(row.facilitators)})) for row in rows]


async def facilitators_of(session: AsyncSession, cohort_id: str) -> tuple[str, ...] | None:
    """The mentors a cohort names as its facilitators; None when there is no such cohort."""
    query = select(cohort.c.facilitators).where(cohort.c.id == cohort_id)
    found = (await session.execute(query)).scalar_one_or_none()
    return None if found is None else tuple(found)


async def lock_referral_measures(session: AsyncSession, referral_id: str) -> None:
    """Serialise measure changes for one member until the transaction ends (two entries at once)."""
    key = func.hashtextextended(f"groups-measures:{referral_id}", 0)
    await session.execute(select(func.pg_advisory_xact_lock(key)))


async def get(session: AsyncSession, measure_id: str, *, for_update: bool = False) -> Measure | None:
    """One measure at its current revision."""
    query = select(measure).where(measure.c.id == measure_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return None if row is None else _measure(row._mapping)


async def of_referral(session: AsyncSession, referral_id: str) -> list[Measure]:
    """A member's measures at their current revision, oldest assessment first."""
    query = (
        select(measure)
        .where(measure.c.referral_id == referral_id)
        .order_by(measure.c.assessed_on, measure.c.id)
    )
    return [_measure(row._mapping) for row in await session.execute(query)]


async def page(
    session: AsyncSession,
    *,
    referral_id: str | None,
    cohort_ids: Collection[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[Measure], int]:
    """A page of measures of one member and/or some cohorts (oldest assessment first), and the total."""
    conditions = []
    if referral_id is not None:
        conditions.append(measure.c.referral_id == referral_id)
    if cohort_ids is not None:
        conditions.append(measure.c.cohort_id.in_(list(cohort_ids)))
    total = (await session.execute(select(func.count()).select_from(measure).where(*conditions))).scalar_one()
    query = (
        select(measure)
        .where(*conditions)
        .order_by(measure.c.assessed_on, measure.c.referral_id, measure.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [_measure(row._mapping) for row in await session.execute(query)], int(total)


async def save(
    session: AsyncSession, saved: Measure, *, entered_by: str, entered_at: datetime, event_id: uuid.UUID
) -> None:
    """Write a new measure (revision 1) or a correction, keeping every revision."""
    values = _columns(saved) | {"entered_by": entered_by, "entered_at": entered_at}
    if saved.revision == 1:
        await session.execute(
            insert(measure).values(
                id=saved.measure_id,
                referral_id=saved.referral_id,
                cohort_id=saved.cohort_id,
                revision=1,
                **values,
            )
        )
    else:
        await session.execute(
            update(measure).where(measure.c.id == saved.measure_id).values(revision=saved.revision, **values)
        )
    await session.execute(
        insert(measure_revision).values(
            measure_id=saved.measure_id, revision=saved.revision, event_id=event_id, **values
        )
    )


async def revisions(session: AsyncSession, measure_id: str) -> list[dict[str, Any]]:
    """Every revision of a measure, first to last (what was entered, by whom, when)."""
    query = (
        select(measure_revision)
        .where(measure_revision.c.measure_id == measure_id)
        .order_by(measure_revision.c.revision)
    )
    return [dict(row._mapping) for row in await session.execute(query)]


def _columns(saved: Measure) -> dict[str, Any]:
    return {
        "instrument": saved.instrument.value,
        "instrument_version": saved.instrument_version,
        "timepoint": saved.timepoint.value,
        "assessed_on": saved.assessed_on,
        "scores": {scale.value: score for scale, score in saved.scores.items()},
    }


def _measure(row: Any) -> Measure:
    return Measure(
        measure_id=row["id"],
        referral_id=row["referral_id"],
        cohort_id=row["cohort_id"],
        revision=row["revision"],
        instrument=Instrument(row["instrument"]),
        instrument_version=row["instrument_version"],
        timepoint=MeasureTimepoint(row["timepoint"]),
        assessed_on=row["assessed_on"],
        scores={Scale(name): int(score) for name, score in row["scores"].items()},
    )
