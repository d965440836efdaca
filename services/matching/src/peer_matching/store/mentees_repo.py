"""Mentees as matching knows them: coded facts from referral events, state, and why they wait."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.codes import ContactMode, ExperienceTag, Gender, GenderPreference
from peer_matching.domain.mentee import Mentee, MenteeState, after_accepted, after_received
from peer_matching.domain.waitlist import WaitReason
from peer_matching.store.tables import mentee

ERASED_COLUMNS = (
    "gender",
    "age_band",
    "postcode_district",
    "preferred_language",
    "preferences",
    "wait_funnel",
)


async def get(session: AsyncSession, referral_id: str, *, for_update: bool = False) -> Row[Any] | None:
    """A mentee's row, optionally locked."""
    query = select(mentee).where(mentee.c.referral_id == referral_id)
    return (await session.execute(query.with_for_update() if for_update else query)).one_or_none()


async def correlations(session: AsyncSession, referral_ids: Sequence[str]) -> dict[str, uuid.UUID | None]:
    """The flow (correlation id) each referral's events belong to."""
    if not referral_ids:
        return {}
    query = select(mentee.c.referral_id, mentee.c.correlation_id).where(
        mentee.c.referral_id.in_(list(referral_ids))
    )
    return {ref: flow for ref, flow in (await session.execute(query)).all()}


async def record_received(
    session: AsyncSession, referral_id: str, facts: Mapping[str, Any], now: datetime
) -> MenteeState:
    """Store the referral's facts; returns the mentee's state after it (`waiting` once also accepted)."""
    row = await get(session, referral_id, for_update=True)
    state = after_received(MenteeState(row.state) if row else None)
    if state is MenteeState.CLOSED:
        return state  # a late event must not bring back what was erased or closed
    values = dict(facts)
    if row is not None and row.preferences_confirmed:
        del values["preferences"]  # triage's confirmed preferences replace the referrer's, not the reverse
    await _upsert(session, row, referral_id, {**values, "state": state.value}, now)
    return state


async def record_accepted(
    session: AsyncSession, referral_id: str, facts: Mapping[str, Any], now: datetime
) -> MenteeState:
    """Store the acceptance and confirmed preferences; returns the state after it."""
    row = await get(session, referral_id, for_update=True)
    state = after_accepted(MenteeState(row.state) if row else None)
    if state is MenteeState.CLOSED:
        return state  # a late event must not bring back what was erased or closed
    values = {**facts, "preferences_confirmed": True, "state": state.value}
    if row is not None and row.waiting_since is not None:
        del values["waiting_since"]  # a repeated acceptance does not send them to the back of the queue
    await _upsert(session, row, referral_id, values, now)
    return state


async def close(
    session: AsyncSession, referral_id: str, facts: Mapping[str, Any], reason: str, now: datetime, erase: bool
) -> MenteeState | None:
    """Close the mentee for good (kept as a tombstone, so a late event cannot reopen them).

    Returns the state before closing (None if the referral was unknown).
    """
    row = await get(session, referral_id, for_update=True)
    values: dict[str, Any] = {**facts, "state": MenteeState.CLOSED.value, "closed_reason": reason}
    if erase:
        values |= dict.fromkeys(ERASED_COLUMNS)
    await _upsert(session, row, referral_id, values, now)
    return MenteeState(row.state) if row else None


async def set_state(
    session: AsyncSession, referral_id: str, state: MenteeState, now: datetime, *, rematch: bool = False
) -> None:
    """Move a mentee to a state (a return to the waitlist may mark them for rematching first)."""
    await session.execute(
        update(mentee)
        .where(mentee.c.referral_id == referral_id)
        .values(state=state.value, rematch=rematch, updated_at=now)
    )


async def waiting(session: AsyncSession, condition: str) -> list[Mentee]:
    """The condition's mentees on the waitlist, locked for the round."""
    query = (
        select(mentee)
        .where(mentee.c.condition == condition, mentee.c.state == MenteeState.WAITING.value)
        .with_for_update()
    )
    return [as_mentee(row) for row in (await session.execute(query)).all()]


async def record_wait_reasons(
    session: AsyncSession, reasons: Mapping[str, WaitReason], now: datetime
) -> None:
    """Remember why each waiting mentee waits, as the round found it (rows whose reason is unchanged are
    left alone: a round runs on every event, and most of the waitlist stays as it was)."""
    if not reasons:
        return
    statement = (
        update(mentee)
        .where(
            mentee.c.referral_id == bindparam("ref"),
            or_(
                mentee.c.wait_code.is_distinct_from(bindparam("code")),
                mentee.c.wait_funnel.is_distinct_from(bindparam("funnel", type_=JSONB)),
            ),
        )
        .values(
            wait_code=bindparam("code"),
            wait_message=bindparam("message"),
            wait_funnel=bindparam("funnel"),
            updated_at=now,
        )
    )
    await session.execute(
        statement,
        [
            {"ref": ref, "code": r.code.value, "message": r.message, "funnel": asdict(r.funnel)}
            for ref, r in reasons.items()
        ],
    )


async def waitlist(session: AsyncSession, condition: str | None) -> list[Row[Any]]:
    """Waiting mentees in the order they will be served (rematches first, then longest waiting)."""
    query = select(mentee).where(mentee.c.state == MenteeState.WAITING.value)
    if condition is not None:
        query = query.where(mentee.c.condition == condition)
    query = query.order_by(
        mentee.c.condition, mentee.c.rematch.desc(), mentee.c.waiting_since, mentee.c.referral_id
    )
    return list((await session.execute(query)).all())


async def _upsert(
    session: AsyncSession, row: Row[Any] | None, referral_id: str, values: Mapping[str, Any], now: datetime
) -> None:
    if row is None:
        await session.execute(insert(mentee).values(referral_id=referral_id, **values, updated_at=now))
    else:
        await session.execute(
            update(mentee).where(mentee.c.referral_id == referral_id).values(**values, updated_at=now)
        )


def as_mentee(row: Row[Any]) -> Mentee:
    """The domain view of a mentee row that has its facts (waiting, proposed or matched)."""
    prefs: dict[str, Any] = row.preferences or {}
    wanted_gender = prefs.get("preferred_mentor_gender")
    return Mentee(
        referral_id=row.referral_id,
        condition=row.condition,
        programme=row.programme,
        postcode_district=row.postcode_district,
        gender=Gender(row.gender),
        waiting_since=row.waiting_since,
        preferred_mentor_gender=GenderPreference(wanted_gender) if wanted_gender else None,
        languages=tuple(prefs.get("languages", ())),
        preferred_language=row.preferred_language,
        availability=frozenset(prefs.get("availability", ())),
        contact_modes=frozenset(ContactMode(x) for x in prefs.get("contact_modes", ())),
        experience=frozenset(ExperienceTag(x) for x in prefs.get("experience", ())),
        rematch=row.rematch,
    )
