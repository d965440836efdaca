"""Reading and writing group sessions, their registers and their revisions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.codes import Topic
from peer_events.events.groups import CancellationReason, GroupSetting, Presence
from peer_groups.domain.group_session import SessionRecord, SessionStatus, StoredSession
from peer_groups.store.tables import group_session, group_session_revision, session_register


async def save(session: AsyncSession, stored: StoredSession, *, at: datetime, by: str) -> None:
    """Write a session's current version (new or corrected), its register, and a revision row."""
    record = stored.record
    assert record.setting is not None, "defaults are filled before a record is saved"
    values: dict[str, Any] = {
        "number": stored.number,
        "revision": stored.revision,
        "status": record.status.value,
        "held_on": record.held_on,
        "duration_minutes": record.duration_minutes,
        "setting": record.setting.value,
        "topics": [t.value for t in record.topics],
        "facilitators": list(record.facilitators),
        "cancel_reason": record.cancel_reason.value if record.cancel_reason else None,
        "notes": record.notes,
        "updated_at": at,
    }
    if stored.revision == 1:
        await session.execute(
            group_session.insert().values(
                values | {"id": stored.id, "cohort_id": stored.cohort_id, "recorded_at": at}
            )
        )
    else:
        await session.execute(update(group_session).where(group_session.c.id == stored.id).values(values))
        await session.execute(delete(session_register).where(session_register.c.session_id == stored.id))
    register = {rid: p.value for rid, p in (record.register or {}).items()}
    if register:
        await session.execute(
            session_register.insert(),
            [{"session_id": stored.id, "referral_id": rid, "presence": p} for rid, p in register.items()],
        )
    snapshot = {k: v for k, v in values.items() if k not in ("notes", "updated_at")}
    snapshot |= {"held_on": record.held_on.isoformat(), "register": register}
    await session.execute(
        group_session_revision.insert().values(
            session_id=stored.id,
            revision=stored.revision,
            record=snapshot,
            notes=record.notes,
            recorded_at=at,
            recorded_by=by,
        )
    )


async def get(session: AsyncSession, session_id: str, *, for_update: bool = False) -> StoredSession | None:
    """One session with its register."""
    query = select(group_session).where(group_session.c.id == session_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    if row is None:
        return None
    registers = await _registers(session, [session_id])
    return _stored(row._mapping, registers[session_id])


async def of_cohort(session: AsyncSession, cohort_id: str) -> list[StoredSession]:
    """Every recorded session of a cohort, in number order, with registers."""
    query = (
        select(group_session).where(group_session.c.cohort_id == cohort_id).order_by(group_session.c.number)
    )
    rows = [row._mapping for row in await session.execute(query)]
    registers = await _registers(session, [row["id"] for row in rows])
    return [_stored(row, registers[row["id"]]) for row in rows]


async def counts(session: AsyncSession, cohort_ids: Collection[str]) -> dict[str, dict[SessionStatus, int]]:
    """Sessions held and cancelled per cohort."""
    query = (
        select(group_session.c.cohort_id, group_session.c.status, func.count())
        .where(group_session.c.cohort_id.in_(list(cohort_ids)))
        .group_by(group_session.c.cohort_id, group_session.c.status)
    )
    found: dict[str, dict[SessionStatus, int]] = {cid: dict.fromkeys(SessionStatus, 0) for cid in cohort_ids}
    for cohort_id, status, n in (await session.execute(query)).all():
        found[cohort_id][SessionStatus(status)] = n
    return found


async def erase_notes_about(session: AsyncSession, referral_id: str) -> int:
    """Erase the notes of every session the referral was on the register of (every revision too);
    group notes may name anyone present. Returns how many sessions lost their notes."""
    on_register = select(session_register.c.session_id).where(session_register.c.referral_id == referral_id)
    result = await session.execute(
        update(group_session)
        .where(group_session.c.id.in_(on_register), group_session.c.notes.is_not(None))
        .values(notes=None)
        .returning(group_session.c.id)
    )
    erased = len(result.all())
    await session.execute(
        update(group_session_revision)
        .where(group_session_revision.c.session_id.in_(on_register))
        .values(notes=None)
    )
    return erased


async def _registers(session: AsyncSession, session_ids: list[str]) -> dict[str, dict[str, Presence]]:
    found: dict[str, dict[str, Presence]] = defaultdict(dict)
    if session_ids:
        query = select(session_register).where(session_register.c.session_id.in_(session_ids))
        for row in await session.execute(query):
            found[row.session_id][row.referral_id] = Presence(row.presence)
    return found


def _stored(row: Any, register: dict[str, Presence]) -> StoredSession:
    status = SessionStatus(row["status"])
    record = SessionRecord(
        status=status,
        held_on=row["held_on"],
        setting=GroupSetting(row["setting"]),
        facilitators=tuple(row["facilitators"]),
        duration_minutes=row["duration_minutes"],
        topics=tuple(Topic(t) for t in row["topics"]),
        register=register if status is SessionStatus.HELD else None,
        cancel_reason=CancellationReason(row["cancel_reason"]) if row["cancel_reason"] else None,
        notes=row["notes"],
    )
    return StoredSession(
        id=row["id"],
        cohort_id=row["cohort_id"],
        number=row["number"],
        revision=row["revision"],
        record=record,
    )
