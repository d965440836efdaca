"""Reading and writing goals: the current goal, and a history row for each time it was set or reviewed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.codes import Topic
from peer_events.events.sessions import GoalProgress
from peer_sessions.domain.goals import GoalPlan, GoalReview
from peer_sessions.store.tables import goal, goal_history

_TEXT_COLUMNS = ("what", "how_much", "when_text", "how_often")
_ERASED_TEXT: dict[str, Any] = dict.fromkeys(_TEXT_COLUMNS)


@dataclass(frozen=True)
class GoalState:
    """A goal as it stood at one point: the wording is None once erased after a withdrawal."""

    topic: Topic
    what: str | None
    how_much: str | None
    when: str | None
    how_often: str | None
    confidence: int
    progress: GoalProgress | None


@dataclass(frozen=True)
class StoredGoal:
    """A goal as it stands now."""

    id: str
    pairing_id: str
    session_id: str | None
    set_on: date
    state: GoalState


@dataclass(frozen=True)
class GoalStep:
    """One entry in a goal's history: when it was set, or a review."""

    seq: int
    kind: str
    session_id: str | None
    on_date: date
    state: GoalState


async def add(
    session: AsyncSession,
    goal_id: str,
    *,
    pairing_id: str,
    session_id: str | None,
    plan: GoalPlan,
    on: date,
    at: datetime,
) -> None:
    """Store a newly set goal and the first entry of its history."""
    values = _plan_values(plan)
    await session.execute(
        insert(goal).values(
            id=goal_id, pairing_id=pairing_id, session_id=session_id, set_on=on, updated_at=at, **values
        )
    )
    await _add_step(session, goal_id, 1, "set", session_id, values, on=on, at=at)


async def review(
    session: AsyncSession, done: GoalReview, *, session_id: str | None, on: date, at: datetime
) -> Topic:
    """Record a review (a revision restates the goal); returns the goal's topic after it."""
    values = _plan_values(done.revised) if done.revised is not None else {}
    values |= {"confidence": done.confidence, "progress": done.progress.value}
    updated = await session.execute(
        update(goal).where(goal.c.id == done.goal_id).values(updated_at=at, **values).returning(goal)
    )
    row = updated.one()._mapping
    last = await session.execute(
        select(func.max(goal_history.c.seq)).where(goal_history.c.goal_id == done.goal_id)
    )
    state = {name: row[name] for name in (*_TEXT_COLUMNS, "topic", "confidence", "progress")}
    await _add_step(
        session, done.goal_id, int(last.scalar_one()) + 1, "reviewed", session_id, state, on=on, at=at
    )
    return Topic(row["topic"])


async def ids_of_pairing(session: AsyncSession, pairing_id: str) -> set[str]:
    """The ids of a pairing's goals."""
    query = select(goal.c.id).where(goal.c.pairing_id == pairing_id)
    return set((await session.execute(query)).scalars().all())


async def of_pairing(session: AsyncSession, pairing_id: str) -> list[tuple[StoredGoal, list[GoalStep]]]:
    """A pairing's goals, oldest first, each with its history."""
    query = select(goal).where(goal.c.pairing_id == pairing_id).order_by(goal.c.set_on, goal.c.id)
    goals = [
        StoredGoal(m["id"], m["pairing_id"], m["session_id"], m["set_on"], _state(m))
        for m in (row._mapping for row in (await session.execute(query)).all())
    ]
    steps: dict[str, list[GoalStep]] = {g.id: [] for g in goals}
    history = select(goal_history).where(goal_history.c.goal_id.in_(list(steps)))
    for row in (await session.execute(history.order_by(goal_history.c.goal_id, goal_history.c.seq))).all():
        m = row._mapping
        steps[m["goal_id"]].append(GoalStep(m["seq"], m["kind"], m["session_id"], m["on_date"], _state(m)))
    return [(g, steps[g.id]) for g in goals]


async def erase_wording(session: AsyncSession, pairing_ids: Collection[str]) -> None:
    """Erase the free-text wording of these pairings' goals, in their whole history."""
    if not pairing_ids:
        return
    ids = select(goal.c.id).where(goal.c.pairing_id.in_(list(pairing_ids)))
    await session.execute(update(goal_history).where(goal_history.c.goal_id.in_(ids)).values(_ERASED_TEXT))
    await session.execute(update(goal).where(goal.c.pairing_id.in_(list(pairing_ids))).values(_ERASED_TEXT))


async def _add_step(
    session: AsyncSession,
    goal_id: str,
    seq: int,
    kind: str,
    session_id: str | None,
    values: dict[str, Any],
    *,
    on: date,
    at: datetime,
) -> None:
    await session.execute(
        insert(goal_history).values(
            goal_id=goal_id, seq=seq, kind=kind, session_id=session_id, on_date=on, recorded_at=at, **values
        )
    )


def _plan_values(plan: GoalPlan) -> dict[str, Any]:
    return {
        "topic": plan.topic.value,
        "what": plan.what,
        "how_much": plan.how_much,
        "when_text": plan.when,
        "how_often": plan.how_often,
        "confidence": plan.confidence,
    }


def _state(row: Any) -> GoalState:
    return GoalState(
        topic=Topic(row["topic"]),
        what=row["what"],
        how_much=row["how_much"],
        when=row["when_text"],
        how_often=row["how_often"],
        confidence=row["confidence"],
        progress=GoalProgress(row["progress"]) if row["progress"] else None,
    )
