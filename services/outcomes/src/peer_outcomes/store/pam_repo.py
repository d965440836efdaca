"""Reading and writing PAM records, and what the PAM rules need to know about a referral."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.outcomes import Timepoint
from peer_outcomes.domain.pam import AdministeredBy, PamRecord, PamResult
from peer_outcomes.store.tables import pam_records, pam_revisions, rpt_referrals, rpt_sessions


@dataclass(frozen=True)
class ReferralContext:
    """What the outcomes service has learnt about a referral from the streams."""

    referral_id: str
    condition: str
    programme: str
    correlation_id: uuid.UUID | None
    first_session_on: date | None


async def lock_referral(session: AsyncSession, referral_id: str) -> None:
    """Serialise PAM changes for one referral until the transaction ends (two coordinators at once)."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(referral_id, 0))))


async def referral_context(session: AsyncSession, referral_id: str) -> ReferralContext | None:
    """The referral as seen on the streams, or None when its `ReferralReceived` has not arrived."""
    row = (
        await session.execute(
            select(
                rpt_referrals.c.condition, rpt_referrals.c.programme, rpt_referrals.c.correlation_id
            ).where(rpt_referrals.c.referral_id == referral_id, rpt_referrals.c.received_on.is_not(None))
        )
    ).one_or_none()
    if row is None:
        return None
    first_session = (
        await session.execute(
            select(func.min(rpt_sessions.c.session_date)).where(
                rpt_sessions.c.referral_id == referral_id, rpt_sessions.c.attendance == "attended"
            )
        )
    ).scalar_one()
    return ReferralContext(referral_id, row.condition, row.programme, row.correlation_id, first_session)


async def records_of(session: AsyncSession, referral_id: str) -> list[PamRecord]:
    """A referral's PAM records at their current revision, oldest first."""
    rows = await session.execute(
        select(pam_records)
        .where(pam_records.c.referral_id == referral_id)
        .order_by(pam_records.c.assessed_on, pam_records.c.pam_id)
    )
    return [_record(row._mapping) for row in rows]


async def record(session: AsyncSession, pam_id: str, *, for_update: bool = False) -> PamRecord | None:
    """One PAM record at its current revision."""
    query = select(pam_records).where(pam_records.c.pam_id == pam_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return None if row is None else _record(row._mapping)


async def revisions(session: AsyncSession, pam_id: str) -> list[dict[str, Any]]:
    """Every revision of a record, first to last."""
    rows = await session.execute(
        select(pam_revisions).where(pam_revisions.c.pam_id == pam_id).order_by(pam_revisions.c.revision)
    )
    return [dict(row._mapping) for row in rows]


async def save(
    session: AsyncSession, pam: PamRecord, *, entered_by: str, entered_at: datetime, event_id: uuid.UUID
) -> None:
    """Write a new record (revision 1) or a correction, keeping the revision history."""
    values = {
        "pam_id": pam.pam_id,
        "referral_id": pam.referral_id,
        "revision": pam.revision,
        **_columns(pam.result),
        "entered_by": entered_by,
        "entered_at": entered_at,
    }
    if pam.revision == 1:
        await session.execute(insert(pam_records).values(values))
    else:
        await session.execute(update(pam_records).where(pam_records.c.pam_id == pam.pam_id).values(values))
    await session.execute(insert(pam_revisions).values({**values, "event_id": event_id}))


def _columns(result: PamResult) -> dict[str, Any]:
    return {
        "timepoint": result.timepoint.value,
        "follow_up_number": result.follow_up_number,
        "assessed_on": result.assessed_on,
        "score": result.score,
        "level": result.level,
        "level_derived": result.level_derived,
        "cut_point_set": result.cut_point_set,
        "tool_version": result.tool_version,
        "administered_by": result.administered_by.value,
    }


def _record(row: Any) -> PamRecord:
    return PamRecord(
        pam_id=row["pam_id"],
        referral_id=row["referral_id"],
        revision=row["revision"],
        result=PamResult(
            timepoint=Timepoint(row["timepoint"]),
            follow_up_number=row["follow_up_number"],
            assessed_on=row["assessed_on"],
            score=row["score"],
            level=row["level"],
            level_derived=row["level_derived"],
            cut_point_set=row["cut_point_set"],
            tool_version=row["tool_version"],
            administered_by=AdministeredBy(row["administered_by"]),
        ),
    )
