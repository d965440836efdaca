"""Reading and writing referrals: the pseudonymous record, triage state and the work queue."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from peer_referrals.domain.triage import OPEN_STATUSES
from peer_referrals.store.tables import people, referrals


def source_key_hash(source: str, key: str) -> str:
    """The stored form of a feed's own identifier for a referral."""
    return hashlib.sha256(f"{source}\x1f{key}".encode()).hexdigest()


async def lock_keys(session: AsyncSession, keys: Sequence[str]) -> None:
    """Serialise transactions working on the same keys (until this transaction ends).

    Transaction-level advisory locks, taken in a fixed order so two batches cannot deadlock. Intake locks
    people, so the "already has an open referral" check and the insert that follows it are atomic.
    """
    if keys:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k"),
            {"keys": sorted({_lock_key(k) for k in keys})},
        )


def _lock_key(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


async def find_by_source_keys(session: AsyncSession, source: str, hashes: Sequence[str]) -> dict[str, str]:
    """Referrals already received under these source identifiers: hash -> referral id."""
    if not hashes:
        return {}
    query = select(referrals.c.source_key_hash, referrals.c.id).where(
        referrals.c.source == source, referrals.c.source_key_hash.in_(hashes)
    )
    return {row.source_key_hash: row.id for row in await session.execute(query)}


async def open_referrals(session: AsyncSession, nhs_numbers: Sequence[str], programme: str) -> dict[str, str]:
    """The earliest open referral of each of these people in a programme: NHS number -> referral id."""
    if not nhs_numbers:
        return {}
    query = (
        select(people.c.nhs_number, referrals.c.id)
        .join(referrals, referrals.c.id == people.c.referral_id)
        .where(
            people.c.nhs_number.in_(nhs_numbers),
            referrals.c.programme == programme,
            referrals.c.triage_status.in_([s.value for s in OPEN_STATUSES]),
            # Support that finished as planned closes the referral; one that ended early may be matched again.
            referrals.c.support_stage.is_distinct_from("completed"),
        )
        .order_by(referrals.c.received_at.desc())
    )
    # Ordered newest first, so the dict keeps the earliest referral of each person.
    return {row.nhs_number: row.id for row in await session.execute(query)}


async def add_referrals(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert new referrals; returns the ids inserted (a concurrent twin with the same source key loses)."""
    if not rows:
        return set()
    # One cached statement run for all rows (SQLAlchemy's "insertmanyvalues" keeps RETURNING).
    statement = (
        pg_insert(referrals)
        .on_conflict_do_nothing(constraint="referrals_source_key")
        .returning(referrals.c.id)
    )
    return set((await session.execute(statement, list(rows))).scalars())


async def get_referral(session: AsyncSession, referral_id: str, *, lock: bool = False) -> Any | None:
    """One referral row, optionally locked for an update in this transaction."""
    query = select(referrals).where(referrals.c.id == referral_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).one_or_none()


async def update_referral(session: AsyncSession, referral_id: str, **values: Any) -> None:
    """Change a referral's columns."""
    await session.execute(update(referrals).where(referrals.c.id == referral_id).values(**values))


@dataclass(frozen=True)
class QueueFilter:
    """The coordinator's work-queue filters; None means any."""

    statuses: Sequence[str] | None = None
    condition: str | None = None
    postcode_district: str | None = None
    referrer_ods_code: str | None = None
    received_before: datetime | None = None
    needs_review: bool | None = None
    submitted_by: str | None = None


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: keyset pagination on (received_at, id)."""

    received_at: datetime
    referral_id: str


async def list_referrals(
    session: AsyncSession, where: QueueFilter, *, after: Cursor | None, limit: int
) -> list[Any]:
    """A page of referrals, oldest first (the longest-waiting at the top of the queue)."""
    r = referrals.c
    query = select(referrals).order_by(r.received_at, r.id).limit(limit)
    if where.statuses:
        query = query.where(r.triage_status.in_(where.statuses))
    if where.condition:
        query = query.where(r.condition == where.condition)
    if where.postcode_district:
        query = query.where(r.postcode_district == where.postcode_district)
    if where.referrer_ods_code:
        query = query.where(r.referrer_ods_code == where.referrer_ods_code)
    if where.received_before:
        query = query.where(r.received_at < where.received_before)
    if where.needs_review is not None:
        query = query.where(r.needs_review == where.needs_review)
    if where.submitted_by is not None:
        query = query.where(r.submitted_by == where.submitted_by)
    if after is not None:
        query = query.where(tuple_(r.received_at, r.id) > tuple_(after.received_at, after.referral_id))
    return list(await session.execute(query))


def closed_values(day: date, now: datetime, **values: Any) -> dict[str, Any]:
    """Column values for a referral closing today (rejected or withdrawn)."""
    return {"closed_on": day, "updated_at": now, **values}
