"""Reading and writing sessions. A correction adds a revision row; the current row mirrors the latest."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.codes import SessionMode, Topic
from peer_events.events.sessions import Attendance
from peer_sessions.domain.session_rules import (
    MAX_DURATION_MINUTES,
    BookedTime,
    Revision,
    SessionRecord,
    StoredSession,
)
from peer_sessions.store.tables import mentoring_session, session_revision


async def add(session: AsyncSession, stored: StoredSession, *, recorded_by: str) -> None:
    """Store a new session with its first revision."""
    await session.execute(insert(mentoring_session).values(_values(stored)))
    await _add_revision(session, stored, recorded_by=recorded_by)


async def correct(session: AsyncSession, stored: StoredSession, *, recorded_by: str) -> None:
    """Store a corrected session: the current row changes, and the new revision joins the history."""
    values = _values(stored)
    del values["id"], values["logged_at"]
    await session.execute(update(mentoring_session).where(mentoring_session.c.id == stored.id).values(values))
    await _add_revision(session, stored, recorded_by=recorded_by)


async def _add_revision(session: AsyncSession, stored: StoredSession, *, recorded_by: str) -> None:
    record = stored.record
    await session.execute(
        insert(session_revision).values(
            session_id=stored.id,
            revision=stored.revision,
            starts_at=record.starts_at,
            duration_minutes=record.duration_minutes,
            mode=record.mode.value,
            attendance=record.attendance.value,
            topics=[t.value for t in record.topics],
            notes=record.notes,
            recorded_at=stored.updated_at,
            recorded_by=recorded_by,
        )
    )


async def get(session: AsyncSession, session_id: str) -> StoredSession | None:
    """One session at its latest revision."""
    row = (
        await session.execute(select(mentoring_session).where(mentoring_session.c.id == session_id))
    ).one_or_none()
    return _stored(row._mapping) if row else None


async def count_in_pairing(session: AsyncSession, pairing_id: str) -> int:
    """How many sessions a pairing has (the next one's number is one more)."""
    query = select(func.count()).where(mentoring_session.c.pairing_id == pairing_id)
    return int((await session.execute(query)).scalar_one())


async def booked_times(
    session: AsyncSession, mentor_id: str, around: SessionRecord, *, excluding: str | None = None
) -> list[BookedTime]:
    """The mentor's sessions that took place and could overlap `around` (the rule is the domain's)."""
    ends_at = around.ends_at or around.starts_at
    query = select(mentoring_session.c.id, mentoring_session.c.starts_at, mentoring_session.c.ends_at).where(
        mentoring_session.c.mentor_id == mentor_id,
        mentoring_session.c.ends_at.is_not(None),
        mentoring_session.c.starts_at > around.starts_at - timedelta(minutes=MAX_DURATION_MINUTES),
        mentoring_session.c.starts_at < ends_at,
    )
    if excluding is not None:
        query = query.where(mentoring_session.c.id != excluding)
    rows = (await session.execute(query)).all()
    return [BookedTime(row.id, row.starts_at, row.ends_at) for row in rows]


async def page_of_pairing(
    session: AsyncSession, pairing_id: str, *, limit: int, offset: int
) -> tuple[list[StoredSession], int]:
    """A page of a pairing's sessions in the order they happened, and how many there are."""
    total = await count_in_pairing(session, pairing_id)
    query = (
        select(mentoring_session)
        .where(mentoring_session.c.pairing_id == pairing_id)
        .order_by(mentoring_session.c.starts_at, mentoring_session.c.number)
        .limit(limit)
        .offset(offset)
    )
    return [_stored(row._mapping) for row in (await session.execute(query)).all()], total


async def revisions(session: AsyncSession, session_id: str) -> list[Revision]:
    """Every version of a session, oldest first."""
    query = (
        select(session_revision)
        .where(session_revision.c.session_id == session_id)
        .order_by(session_revision.c.revision)
    )
    return [
        Revision(row.revision, _record(row._mapping), row.recorded_at, row.recorded_by)
        for row in (await session.execute(query)).all()
    ]


async def erase_notes(session: AsyncSession, pairing_ids: Collection[str]) -> int:
    """Erase the free-text notes of these pairings' sessions, in every revision; returns sessions touched."""
    if not pairing_ids:
        return 0
    in_pairings = mentoring_session.c.pairing_id.in_(list(pairing_ids))
    await session.execute(
        update(session_revision)
        .where(session_revision.c.session_id.in_(select(mentoring_session.c.id).where(in_pairings)))
        .values(notes=None)
    )
    result = await session.execute(update(mentoring_session).where(in_pairings).values(notes=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _values(stored: StoredSession) -> dict[str, Any]:
    record = stored.record
    return {
        "id": stored.id,
        "pairing_id": stored.pairing_id,
        "mentor_id": stored.mentor_id,
        "number": stored.number,
        "revision": stored.revision,
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "duration_minutes": record.duration_minutes,
        "mode": record.mode.value,
        "attendance": record.attendance.value,
        "topics": [t.value for t in record.topics],
        "notes": record.notes,
        "goals_set": stored.goals_set,
        "goals_reviewed": stored.goals_reviewed,
        "logged_at": stored.logged_at,
        "updated_at": stored.updated_at,
    }


def _record(row: Any) -> SessionRecord:
    return SessionRecord(
        starts_at=row["starts_at"],
        duration_minutes=row["duration_minutes"],
        mode=SessionMode(row["mode"]),
        attendance=Attendance(row["attendance"]),
        topics=tuple(Topic(t) for t in row["topics"]),
        notes=row["notes"],
    )


def _stored(row: Any) -> StoredSession:
    return StoredSession(
        id=row["id"],
        pairing_id=row["pairing_id"],
        mentor_id=row["mentor_id"],
        number=row["number"],
        revision=row["revision"],
        record=_record(row),
        goals_set=row["goals_set"],
        goals_reviewed=row["goals_reviewed"],
        logged_at=row["logged_at"],
        updated_at=row["updated_at"],
    )
