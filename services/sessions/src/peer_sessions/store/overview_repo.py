"""Coordinator read models computed from the sessions table: activity per pairing, quiet pairings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, DateTime, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.sessions import Attendance
from peer_sessions.domain.overview import PairingActivity
from peer_sessions.domain.pairing import Pairing, PairingStatus
from peer_sessions.store.pairings_repo import from_row
from peer_sessions.store.tables import mentoring_session, pairing

_attended = mentoring_session.c.attendance == Attendance.ATTENDED.value
_activity = (
    select(
        mentoring_session.c.pairing_id,
        func.count().label("sessions"),
        func.count().filter(_attended).label("attended"),
        func.max(mentoring_session.c.starts_at).filter(_attended).label("last_contact"),
    )
    .group_by(mentoring_session.c.pairing_id)
    .subquery()
)


async def activity(session: AsyncSession, pairing_ids: Collection[str]) -> dict[str, PairingActivity]:
    """Activity of each given pairing (pairings without sessions get zeros)."""
    query = select(_activity).where(_activity.c.pairing_id.in_(list(pairing_ids)))
    found = {
        row.pairing_id: PairingActivity(row.sessions, row.attended, row.last_contact)
        for row in (await session.execute(query)).all()
    }
    return {pid: found.get(pid, PairingActivity(0, 0, None)) for pid in pairing_ids}


async def quiet_pairings(
    session: AsyncSession, *, since: datetime, limit: int, offset: int
) -> tuple[list[tuple[Pairing, PairingActivity]], int]:
    """Active pairings whose mentee and mentor have not met since `since` (longest quiet first)."""
    last_met = _activity.c.last_contact
    quiet: ColumnElement[bool] = and_(
        pairing.c.status == PairingStatus.ACTIVE.value,
        or_(last_met < since, and_(last_met.is_(None), pairing.c.started_on < since.date())),
    )
    joined = pairing.outerjoin(_activity, _activity.c.pairing_id == pairing.c.id)
    total = (await session.execute(select(func.count()).select_from(joined).where(quiet))).scalar_one()
    query = (
        select(pairing, _activity.c.sessions, _activity.c.attended, last_met)
        .select_from(joined)
        .where(quiet)
        .order_by(func.coalesce(last_met, cast(pairing.c.started_on, DateTime(timezone=True))), pairing.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).all()
    return [
        (from_row(row._mapping), PairingActivity(row.sessions or 0, row.attended or 0, row.last_contact))
        for row in rows
    ], int(total)
