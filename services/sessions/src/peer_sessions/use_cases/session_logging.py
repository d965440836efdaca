"""Logging a session (with the goals set and reviewed in it) and correcting one: each one transaction.

Every check happens before anything is written, and a refusal rolls the transaction back, so a refused
request leaves no session, goal or outbox row behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from peer_sessions import events_out
from peer_sessions.domain.goals import GoalPlan, GoalReview, check_plans, check_reviews
from peer_sessions.domain.session_rules import (
    SessionRecord,
    StoredSession,
    check_overlap,
    check_record,
    next_revision,
    next_session_number,
)
from peer_sessions.store import goals_repo, session_log_repo
from peer_sessions.use_cases.pairing_access import lock_active_pairing
from peer_shared.auth import Principal
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import NotFound

log = get_logger(__name__)


@dataclass(frozen=True)
class NewSession:
    """What a mentor logs: the session record, the goals set and the goals reviewed in it."""

    record: SessionRecord
    plans: Sequence[GoalPlan] = ()
    reviews: Sequence[GoalReview] = ()


async def log_session(
    uow: UnitOfWork, principal: Principal, pairing_id: str, new: NewSession
) -> tuple[StoredSession, list[str]]:
    """Log a session on an active pairing; returns it and the ids of the goals set in it."""
    pairing = await lock_active_pairing(uow, principal, pairing_id)
    now, record = uow.clock.now(), new.record
    check_record(
        record,
        pairing_started_on=pairing.started_on,
        now=now,
        goals_set=len(new.plans),
        goals_reviewed=len(new.reviews),
    )
    check_plans(new.plans)
    check_reviews(new.reviews, await goals_repo.ids_of_pairing(uow.session, pairing.id))
    number = next_session_number(await session_log_repo.count_in_pairing(uow.session, pairing.id))
    check_overlap(record, await session_log_repo.booked_times(uow.session, pairing.mentor_id, record))
    stored = StoredSession(
        id=f"ses_{uuid.uuid4().hex}",
        pairing_id=pairing.id,
        mentor_id=pairing.mentor_id,
        number=number,
        revision=1,
        record=record,
        goals_set=len(new.plans),
        goals_reviewed=len(new.reviews),
        logged_at=now,
        updated_at=now,
    )
    await session_log_repo.add(uow.session, stored, recorded_by=principal.subject)
    events = [events_out.session_logged(pairing, stored, uow.clock)]
    goal_ids = []
    for plan in new.plans:
        goal_id = f"gol_{uuid.uuid4().hex}"
        await goals_repo.add(
            uow.session,
            goal_id,
            pairing_id=pairing.id,
            session_id=stored.id,
            plan=plan,
            on=record.local_date,
            at=now,
        )
        events.append(events_out.goal_set(pairing, goal_id, stored.id, plan, record.local_date, uow.clock))
        goal_ids.append(goal_id)
    for review in new.reviews:
        topic = await goals_repo.review(
            uow.session, review, session_id=stored.id, on=record.local_date, at=now
        )
        events.append(
            events_out.goal_reviewed(pairing, review, topic, stored.id, record.local_date, uow.clock)
        )
    await uow.emit(*events)
    log.info("session logged", session_id=stored.id, pairing_id=pairing.id, number=number)
    return stored, goal_ids


async def correct_session(
    uow: UnitOfWork, principal: Principal, session_id: str, record: SessionRecord
) -> StoredSession:
    """Correct a session: a new revision is stored and published; earlier ones are kept."""
    found = await session_log_repo.get(uow.session, session_id)
    if found is None:
        raise NotFound("session-not-found", f"no session {session_id}")
    pairing = await lock_active_pairing(uow, principal, found.pairing_id)
    # Read again under the pairing lock: a concurrent correction may have added a revision.
    current = await session_log_repo.get(uow.session, session_id)
    assert current is not None
    now = uow.clock.now()
    check_record(
        record,
        pairing_started_on=pairing.started_on,
        now=now,
        goals_set=current.goals_set,
        goals_reviewed=current.goals_reviewed,
    )
    revision = next_revision(current.revision)
    booked = await session_log_repo.booked_times(uow.session, pairing.mentor_id, record, excluding=session_id)
    check_overlap(record, booked)
    corrected = replace(current, revision=revision, record=record, updated_at=now)
    await session_log_repo.correct(uow.session, corrected, recorded_by=principal.subject)
    await uow.emit(events_out.session_logged(pairing, corrected, uow.clock))
    log.info("session corrected", session_id=session_id, revision=revision)
    return corrected
