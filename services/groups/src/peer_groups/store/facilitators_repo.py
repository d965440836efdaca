"""What groups knows of mentors as facilitators (from the matching service's events)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_groups.domain.facilitators import Facilitator, FacilitatorStatus
from peer_groups.store.tables import facilitator

_UNSET: Any = object()


async def record(
    session: AsyncSession,
    mentor_id: str,
    *,
    at: datetime,
    status: FacilitatorStatus | None = None,
    conditions: Collection[str] | None = None,
    group_facilitator: bool | None = None,
    checks_valid_until: date | None = _UNSET,
) -> None:
    """Create or update what is known of a mentor; only the fields given change.

    A mentor first heard of through anything but registration is stored as registered (or with the
    status the news gives), so news that arrives out of order still lands; leaving is final.
    """
    changes: dict[str, Any] = {"updated_at": at}
    if status is not None:
        # Leaving is final: an activation or pause redelivered after the departure changes nothing.
        left = FacilitatorStatus.LEFT.value
        changes["status"] = case((facilitator.c.status == left, left), else_=status.value)
    if conditions is not None:
        changes["conditions"] = list(conditions)
    if group_facilitator is not None:
        changes["group_facilitator"] = group_facilitator
    if checks_valid_until is not _UNSET:
        changes["checks_valid_until"] = checks_valid_until
    first_heard = changes | {"mentor_id": mentor_id, "status": (status or FacilitatorStatus.REGISTERED).value}
    insert = pg_insert(facilitator).values(first_heard)
    await session.execute(insert.on_conflict_do_update(index_elements=["mentor_id"], set_=changes))


async def of(session: AsyncSession, mentor_ids: Collection[str]) -> dict[str, Facilitator]:
    """The named mentors groups knows of."""
    query = select(facilitator).where(facilitator.c.mentor_id.in_(list(mentor_ids)))
    return {f.mentor_id: f for f in (_facilitator(r._mapping) for r in await session.execute(query))}


async def every(session: AsyncSession) -> list[Facilitator]:
    """Every mentor groups knows of, by id."""
    query = select(facilitator).order_by(facilitator.c.mentor_id)
    return [_facilitator(row._mapping) for row in await session.execute(query)]


def _facilitator(row: Any) -> Facilitator:
    return Facilitator(
        mentor_id=row["mentor_id"],
        status=FacilitatorStatus(row["status"]),
        group_facilitator=row["group_facilitator"],
        checks_valid_until=row["checks_valid_until"],
        conditions=tuple(row["conditions"]),
    )
