"""Reading and writing the programmes' waitlists."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_groups.domain.waitlist import Entry, EntryStatus
from peer_groups.store.tables import waitlist_entry


async def add(session: AsyncSession, new: Entry, *, at: datetime) -> bool:
    """Put a referral on its programme's waitlist; False when it was there already (in any state)."""
    values = {
        "referral_id": new.referral_id,
        "programme": new.programme,
        "condition": new.condition,
        "waitlisted_on": new.waitlisted_on,
        "correlation_id": new.correlation_id,
        "status": new.status.value,
        "cohort_id": new.cohort_id,
        "created_at": at,
        "updated_at": at,
    }
    statement = (
        pg_insert(waitlist_entry).values(values).on_conflict_do_nothing(index_elements=["referral_id"])
    )
    result = await session.execute(statement.returning(waitlist_entry.c.referral_id))
    return result.scalar_one_or_none() is not None


async def get(session: AsyncSession, referral_id: str, *, for_update: bool = False) -> Entry | None:
    """One referral's entry, locked for the rest of the transaction when `for_update`."""
    query = select(waitlist_entry).where(waitlist_entry.c.referral_id == referral_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return _entry(row._mapping) if row else None


async def set_status(
    session: AsyncSession, referral_id: str, status: EntryStatus, cohort_id: str | None, *, at: datetime
) -> None:
    """Move a referral on the waitlist: waiting, enrolled in a cohort, done or withdrawn."""
    await session.execute(
        update(waitlist_entry)
        .where(waitlist_entry.c.referral_id == referral_id)
        .values(status=status.value, cohort_id=cohort_id, updated_at=at)
    )


async def of_programme(
    session: AsyncSession, programme: str, statuses: Collection[EntryStatus], *, for_update: bool = False
) -> list[Entry]:
    """A programme's entries in the given states, in waitlist order."""
    query = (
        select(waitlist_entry)
        .where(
            waitlist_entry.c.programme == programme,
            waitlist_entry.c.status.in_([s.value for s in statuses]),
        )
        .order_by(waitlist_entry.c.waitlisted_on, waitlist_entry.c.referral_id)
    )
    rows = await session.execute(query.with_for_update() if for_update else query)
    return [_entry(row._mapping) for row in rows]


def _entry(row: Any) -> Entry:
    return Entry(
        referral_id=row["referral_id"],
        programme=row["programme"],
        condition=row["condition"],
        waitlisted_on=row["waitlisted_on"],
        correlation_id=row["correlation_id"],
        status=EntryStatus(row["status"]),
        cohort_id=row["cohort_id"],
    )
