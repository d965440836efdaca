"""Matches: proposals awaiting a coordinator, confirmed matches, and how each ended.

A match holds one of its mentor's places while it is `proposed` or `confirmed`; a partial unique index
keeps a referral from holding two at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_matching.domain.match import OPEN, MatchStatus
from peer_matching.store.tables import match


async def lock_condition(session: AsyncSession, condition: str) -> None:
    """Serialise everything that hands out or frees a condition's places, until the transaction ends.

    A transaction-level advisory lock: two rounds (or a round and a coordinator's override) never hand
    out the same place.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"matching:{condition}"}
    )


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    """Store a new match."""
    await session.execute(insert(match).values(**values))


async def get(session: AsyncSession, match_id: str, *, for_update: bool = False) -> Row[Any] | None:
    """One match, optionally locked."""
    query = select(match).where(match.c.match_id == match_id)
    return (await session.execute(query.with_for_update() if for_update else query)).one_or_none()


async def open_for_referral(session: AsyncSession, referral_id: str) -> Row[Any] | None:
    """The referral's open match (proposed or confirmed), if any."""
    query = (
        select(match).where(match.c.referral_id == referral_id, match.c.status.in_(OPEN)).with_for_update()
    )
    return (await session.execute(query)).one_or_none()


async def open_for_mentor(session: AsyncSession, mentor_id: str) -> list[Row[Any]]:
    """The mentor's open matches."""
    query = select(match).where(match.c.mentor_id == mentor_id, match.c.status.in_(OPEN)).with_for_update()
    return list((await session.execute(query)).all())


async def loads(session: AsyncSession, mentor_ids: Iterable[str]) -> dict[str, int]:
    """How many places each mentor's open matches hold."""
    query = (
        select(match.c.mentor_id, func.count())
        .where(match.c.mentor_id.in_(list(mentor_ids)), match.c.status.in_(OPEN))
        .group_by(match.c.mentor_id)
    )
    return {mentor_id: count for mentor_id, count in (await session.execute(query)).all()}


async def finish(
    session: AsyncSession, match_id: str, status: MatchStatus, at: datetime, reason: str | None = None
) -> None:
    """Close an open match (ended, completed, withdrawn or overridden)."""
    await session.execute(
        update(match)
        .where(match.c.match_id == match_id)
        .values(status=status.value, ended_at=at, end_reason=reason)
    )


async def confirm(
    session: AsyncSession, match_id: str, at: datetime, by: str, coordinator_id: str | None
) -> None:
    """A coordinator confirmed a proposal."""
    await session.execute(
        update(match)
        .where(match.c.match_id == match_id)
        .values(
            status=MatchStatus.CONFIRMED.value, decided_at=at, decided_by=by, coordinator_id=coordinator_id
        )
    )


async def listed(session: AsyncSession, status: MatchStatus | None, condition: str | None) -> list[Row[Any]]:
    """Matches, newest first, filtered by status and condition."""
    query = select(match).order_by(match.c.proposed_at.desc(), match.c.match_id)
    if status is not None:
        query = query.where(match.c.status == status.value)
    if condition is not None:
        query = query.where(match.c.condition == condition)
    return list((await session.execute(query)).all())
