"""Reading and writing cohorts and their members."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.events.groups import GroupSetting, LeaveReason
from peer_groups.domain.cohort import Cohort, CohortStatus, Member, MemberStatus
from peer_groups.store.tables import cohort, cohort_member, waitlist_entry

_STATE = ("status", "opened_on", "started_on", "finished_on", "cancelled_on")
_MEMBER_STATE = ("status", "left_on", "left_reason", "follow_up", "follow_up_cleared_on")


async def add(session: AsyncSession, new: Cohort, *, at: datetime) -> None:
    """Store a new cohort."""
    values = asdict(new) | {"facilitators": list(new.facilitators), "created_at": at, "updated_at": at}
    await session.execute(cohort.insert().values(values))


async def save_state(session: AsyncSession, changed: Cohort, *, at: datetime) -> None:
    """Write a cohort's lifecycle fields back."""
    values = {name: getattr(changed, name) for name in _STATE}
    await session.execute(update(cohort).where(cohort.c.id == changed.id).values(**values, updated_at=at))


async def get(session: AsyncSession, cohort_id: str, *, for_update: bool = False) -> Cohort | None:
    """One cohort, locked for the rest of the transaction when `for_update`."""
    query = select(cohort).where(cohort.c.id == cohort_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).one_or_none()
    return _cohort(row._mapping) if row else None


async def of_programme(
    session: AsyncSession, programme: str, statuses: Collection[CohortStatus], *, for_update: bool = False
) -> list[Cohort]:
    """A programme's cohorts in the given states, earliest start first."""
    query = (
        select(cohort)
        .where(cohort.c.programme == programme, cohort.c.status.in_([s.value for s in statuses]))
        .order_by(cohort.c.starts_on, cohort.c.id)
    )
    rows = await session.execute(query.with_for_update() if for_update else query)
    return [_cohort(row._mapping) for row in rows]


async def latest_start(session: AsyncSession, programme: str) -> date | None:
    """The latest start of the programme's cohorts that were not cancelled."""
    query = select(func.max(cohort.c.starts_on)).where(
        cohort.c.programme == programme, cohort.c.status != CohortStatus.CANCELLED.value
    )
    found: date | None = (await session.execute(query)).scalar_one()
    return found


async def due_to_start(session: AsyncSession, today: date, *, limit: int) -> list[Cohort]:
    """Open cohorts whose start date has come, locked (skipping those another replica holds)."""
    query = (
        select(cohort)
        .where(cohort.c.status == CohortStatus.OPEN.value, cohort.c.starts_on <= today)
        .order_by(cohort.c.starts_on, cohort.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_cohort(row._mapping) for row in await session.execute(query)]


async def page(
    session: AsyncSession,
    *,
    programme: str | None,
    status: CohortStatus | None,
    facilitator: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Cohort], int]:
    """A page of cohorts (latest start first), and how many match in all."""
    conditions: list[Any] = []
    if programme is not None:
        conditions.append(cohort.c.programme == programme)
    if status is not None:
        conditions.append(cohort.c.status == status.value)
    if facilitator is not None:
        conditions.append(cohort.c.facilitators.any_() == facilitator)
    total = (await session.execute(select(func.count()).select_from(cohort).where(*conditions))).scalar_one()
    query = (
        select(cohort)
        .where(*conditions)
        .order_by(cohort.c.starts_on.desc(), cohort.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [_cohort(row._mapping) for row in await session.execute(query)], total


async def add_member(session: AsyncSession, new: Member, *, at: datetime) -> None:
    """Store a new place in a cohort."""
    values = asdict(new)
    del values["correlation_id"]  # kept on the waitlist entry, joined in when members are read
    await session.execute(cohort_member.insert().values(values | {"updated_at": at}))


async def save_member(session: AsyncSession, changed: Member, *, at: datetime) -> None:
    """Write a member's state back."""
    values = {name: getattr(changed, name) for name in _MEMBER_STATE}
    await session.execute(
        update(cohort_member)
        .where(
            cohort_member.c.cohort_id == changed.cohort_id, cohort_member.c.referral_id == changed.referral_id
        )
        .values(**values, updated_at=at)
    )


async def members(session: AsyncSession, cohort_id: str, *, for_update: bool = False) -> list[Member]:
    """Everyone who has held a place in the cohort, in enrolment order (those enrolled on one day in
    waitlist order)."""
    query = (
        _members()
        .where(cohort_member.c.cohort_id == cohort_id)
        .order_by(cohort_member.c.enrolled_on, cohort_member.c.waitlisted_on, cohort_member.c.referral_id)
    )
    rows = await session.execute(query.with_for_update(of=cohort_member) if for_update else query)
    return [_member(row._mapping) for row in rows]


async def current_place(session: AsyncSession, referral_id: str) -> tuple[str, Member] | None:
    """The cohort where the referral holds a place now, with the place."""
    query = select(cohort_member.c.cohort_id).where(
        cohort_member.c.referral_id == referral_id, cohort_member.c.status == MemberStatus.ENROLLED.value
    )
    cohort_id = (await session.execute(query)).scalar_one_or_none()
    if cohort_id is None:
        return None
    found = [m for m in await members(session, cohort_id, for_update=True) if m.referral_id == referral_id]
    return cohort_id, found[0]


async def member_counts(session: AsyncSession, cohort_ids: Collection[str]) -> dict[str, int]:
    """Current members per cohort."""
    query = (
        select(cohort_member.c.cohort_id, func.count())
        .where(cohort_member.c.cohort_id.in_(list(cohort_ids)), cohort_member.c.status == "enrolled")
        .group_by(cohort_member.c.cohort_id)
    )
    counts = {cid: 0 for cid in cohort_ids}
    counts.update({cid: n for cid, n in (await session.execute(query)).all()})
    return counts


async def flagged(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Member], int]:
    """Current members flagged for follow-up, and how many there are."""
    where = (cohort_member.c.follow_up.is_(True), cohort_member.c.status == MemberStatus.ENROLLED.value)
    total = (
        await session.execute(select(func.count()).select_from(cohort_member).where(*where))
    ).scalar_one()
    query = (
        _members()
        .where(*where)
        .order_by(cohort_member.c.cohort_id, cohort_member.c.referral_id)
        .limit(limit)
        .offset(offset)
    )
    return [_member(row._mapping) for row in await session.execute(query)], total


def _members() -> Select[Any]:
    # A member's correlation id is the referral's, kept once on its waitlist entry.
    joined = cohort_member.join(waitlist_entry, waitlist_entry.c.referral_id == cohort_member.c.referral_id)
    return select(cohort_member, waitlist_entry.c.correlation_id).select_from(joined)


def _cohort(row: Any) -> Cohort:
    return Cohort(
        id=row["id"],
        programme=row["programme"],
        condition=row["condition"],
        name=row["name"],
        starts_on=row["starts_on"],
        setting=GroupSetting(row["setting"]),
        venue=row["venue"],
        online_link=row["online_link"],
        max_size=row["max_size"],
        min_size=row["min_size"],
        planned_sessions=row["planned_sessions"],
        cadence_days=row["cadence_days"],
        facilitators=tuple(row["facilitators"]),
        correlation_id=row["correlation_id"],
        status=CohortStatus(row["status"]),
        opened_on=row["opened_on"],
        started_on=row["started_on"],
        finished_on=row["finished_on"],
        cancelled_on=row["cancelled_on"],
    )


def _member(row: Any) -> Member:
    return Member(
        cohort_id=row["cohort_id"],
        referral_id=row["referral_id"],
        enrolled_on=row["enrolled_on"],
        waitlisted_on=row["waitlisted_on"],
        correlation_id=row["correlation_id"],
        status=MemberStatus(row["status"]),
        left_on=row["left_on"],
        left_reason=LeaveReason(row["left_reason"]) if row["left_reason"] else None,
        follow_up=row["follow_up"],
        follow_up_cleared_on=row["follow_up_cleared_on"],
    )
