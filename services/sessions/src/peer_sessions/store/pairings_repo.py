"""Reading and writing pairings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.sessions import Attendance, PairingEndReason, PairingPauseReason
from peer_sessions.domain.pairing import Pairing, PairingStatus
from peer_sessions.store.tables import mentoring_session, pairing

_STATE_COLUMNS = ("status", "paused_on", "pause_reason", "paused_for_mentor", "finished_on", "end_reason")


async def add(session: AsyncSession, new: Pairing, *, at: datetime) -> bool:
    """Store a new pairing; False when a pairing for the same match exists already."""
    values = _values(new) | {"created_at": at, "updated_at": at}
    statement = pg_insert(pairing).values(values).on_conflict_do_nothing(index_elements=["match_id"])
    result = await session.execute(statement.returning(pairing.c.id))
    return result.scalar_one_or_none() is not None


async def save_state(session: AsyncSession, changed: Pairing, *, at: datetime) -> None:
    """Write a pairing's lifecycle fields back."""
    values = {name: _values(changed)[name] for name in _STATE_COLUMNS}
    await session.execute(update(pairing).where(pairing.c.id == changed.id).values(**values, updated_at=at))


async def get(session: AsyncSession, pairing_id: str, *, for_update: bool = False) -> Pairing | None:
    """One pairing, locked for the rest of the transaction when `for_update`."""
    query = select(pairing).where(pairing.c.id == pairing_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return from_row(row._mapping) if row else None


async def of_referral(session: AsyncSession, referral_id: str, *, for_update: bool = False) -> list[Pairing]:
    """Every pairing of a referral (a referral matched again has more than one)."""
    query = select(pairing).where(pairing.c.referral_id == referral_id).order_by(pairing.c.id)
    return await _all(session, query.with_for_update() if for_update else query)


async def of_mentor(
    session: AsyncSession, mentor_id: str, statuses: Collection[PairingStatus], *, for_update: bool = False
) -> list[Pairing]:
    """A mentor's pairings in the given states, in a stable order (so locks are taken in one order)."""
    query = (
        select(pairing)
        .where(pairing.c.mentor_id == mentor_id, pairing.c.status.in_([s.value for s in statuses]))
        .order_by(pairing.c.id)
    )
    return await _all(session, query.with_for_update() if for_update else query)


async def page(
    session: AsyncSession,
    *,
    mentor_id: str | None,
    status: PairingStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[Pairing], int]:
    """A page of pairings (newest first), and how many match in all."""
    conditions = []
    if mentor_id is not None:
        conditions.append(pairing.c.mentor_id == mentor_id)
    if status is not None:
        conditions.append(pairing.c.status == status.value)
    total = (await session.execute(select(func.count()).select_from(pairing).where(*conditions))).scalar_one()
    query = (
        select(pairing)
        .where(*conditions)
        .order_by(pairing.c.created_at.desc(), pairing.c.id)
        .limit(limit)
        .offset(offset)
    )
    return await _all(session, query), int(total)


async def sessions_attended(session: AsyncSession, pairing_id: str) -> int:
    """How many sessions of a pairing the mentee attended."""
    query = select(func.count()).where(
        mentoring_session.c.pairing_id == pairing_id,
        mentoring_session.c.attendance == Attendance.ATTENDED.value,
    )
    return int((await session.execute(query)).scalar_one())


async def _all(session: AsyncSession, query: Select[Any]) -> list[Pairing]:
    return [from_row(row._mapping) for row in (await session.execute(query)).all()]


def _values(p: Pairing) -> dict[str, Any]:
    return {
        "id": p.id,
        "match_id": p.match_id,
        "referral_id": p.referral_id,
        "mentor_id": p.mentor_id,
        "condition": p.condition,
        "programme": p.programme,
        "status": p.status.value,
        "started_on": p.started_on,
        "planned_end_on": p.planned_end_on,
        "correlation_id": p.correlation_id,
        "paused_on": p.paused_on,
        "pause_reason": p.pause_reason.value if p.pause_reason else None,
        "paused_for_mentor": p.paused_for_mentor,
        "finished_on": p.finished_on,
        "end_reason": p.end_reason.value if p.end_reason else None,
    }


def from_row(row: Any) -> Pairing:
    """A pairing from a row of the pairing table (or a query selecting all its columns)."""
    return Pairing(
        id=row["id"],
        match_id=row["match_id"],
        referral_id=row["referral_id"],
        mentor_id=row["mentor_id"],
        condition=row["condition"],
        programme=row["programme"],
        started_on=row["started_on"],
        planned_end_on=row["planned_end_on"],
        correlation_id=row["correlation_id"],
        status=PairingStatus(row["status"]),
        paused_on=row["paused_on"],
        pause_reason=PairingPauseReason(row["pause_reason"]) if row["pause_reason"] else None,
        paused_for_mentor=row["paused_for_mentor"],
        finished_on=row["finished_on"],
        end_reason=PairingEndReason(row["end_reason"]) if row["end_reason"] else None,
    )
