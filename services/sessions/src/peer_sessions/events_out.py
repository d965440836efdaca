"""Every event the sessions service publishes, built here from domain objects.

Each is about one pairing: it carries the pairing's condition and programme, the referral's correlation
id (so one person's journey can be followed across services) and, when an incoming event caused it,
that event as its cause. Payloads carry ids, dates, counts and codes, never notes or goal wording.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from peer_events.codes import Topic
from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.safeguarding import (
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRaised,
)
from peer_events.events.sessions import (
    GoalReviewed,
    GoalSet,
    PairingCompleted,
    PairingEnded,
    PairingPaused,
    PairingResumed,
    PairingStarted,
    SessionLogged,
)
from peer_sessions.domain.goals import GoalPlan, GoalReview
from peer_sessions.domain.pairing import Pairing
from peer_sessions.domain.safeguarding import Concern
from peer_sessions.domain.session_rules import StoredSession
from peer_shared.clock import Clock

Cause = CloudEvent[Any] | None


def _wrap(data: EventData, pairing: Pairing, clock: Clock, caused_by: Cause) -> CloudEvent[EventData]:
    return new_event(
        data,
        clock=clock,
        condition=pairing.condition,
        programme=pairing.programme,
        subject=pairing.id,
        caused_by=caused_by,
        correlation_id=pairing.correlation_id,
    )


def _ids(pairing: Pairing) -> dict[str, str]:
    return {"pairing_id": pairing.id, "referral_id": pairing.referral_id, "mentor_id": pairing.mentor_id}


def pairing_started(pairing: Pairing, clock: Clock, caused_by: Cause) -> CloudEvent[EventData]:
    """A pairing started from a match."""
    data = PairingStarted(
        **_ids(pairing),
        match_id=pairing.match_id,
        started_on=pairing.started_on,
        planned_end_on=pairing.planned_end_on,
    )
    return _wrap(data, pairing, clock, caused_by)


def pairing_paused(pairing: Pairing, clock: Clock, caused_by: Cause) -> CloudEvent[EventData]:
    """A pairing paused (its `paused_on` and `pause_reason` are set)."""
    assert pairing.paused_on is not None and pairing.pause_reason is not None
    data = PairingPaused(**_ids(pairing), paused_on=pairing.paused_on, reason=pairing.pause_reason)
    return _wrap(data, pairing, clock, caused_by)


def pairing_resumed(pairing: Pairing, on: date, clock: Clock, caused_by: Cause) -> CloudEvent[EventData]:
    """A paused pairing resumed."""
    return _wrap(PairingResumed(**_ids(pairing), resumed_on=on), pairing, clock, caused_by)


def pairing_finished(
    pairing: Pairing, sessions_attended: int, clock: Clock, caused_by: Cause
) -> CloudEvent[EventData]:
    """A pairing completed, or ended early with its reason."""
    assert pairing.finished_on is not None
    data: EventData
    if pairing.end_reason is None:
        data = PairingCompleted(
            **_ids(pairing), completed_on=pairing.finished_on, sessions_attended=sessions_attended
        )
    else:
        data = PairingEnded(
            **_ids(pairing),
            ended_on=pairing.finished_on,
            reason=pairing.end_reason,
            sessions_attended=sessions_attended,
        )
    return _wrap(data, pairing, clock, caused_by)


def session_logged(pairing: Pairing, stored: StoredSession, clock: Clock) -> CloudEvent[EventData]:
    """A session was logged, or corrected (a higher revision): no notes, only codes and counts."""
    record = stored.record
    data = SessionLogged(
        **_ids(pairing),
        session_id=stored.id,
        revision=stored.revision,
        session_number=stored.number,
        session_date=record.local_date,
        attendance=record.attendance,
        duration_minutes=record.duration_minutes,
        mode=record.mode,
        topics=record.topics,
        goals_set=stored.goals_set,
        goals_reviewed=stored.goals_reviewed,
    )
    return _wrap(data, pairing, clock, None)


def goal_set(
    pairing: Pairing, goal_id: str, session_id: str, plan: GoalPlan, on: date, clock: Clock
) -> CloudEvent[EventData]:
    """A goal was set (its wording stays here)."""
    data = GoalSet(
        **_ids(pairing),
        goal_id=goal_id,
        session_id=session_id,
        topic=plan.topic,
        confidence=plan.confidence,
        set_on=on,
    )
    return _wrap(data, pairing, clock, None)


def goal_reviewed(
    pairing: Pairing, review: GoalReview, topic: Topic, session_id: str, on: date, clock: Clock
) -> CloudEvent[EventData]:
    """A goal was reviewed."""
    data = GoalReviewed(
        **_ids(pairing),
        goal_id=review.goal_id,
        session_id=session_id,
        topic=topic,
        confidence=review.confidence,
        progress=review.progress,
        reviewed_on=on,
    )
    return _wrap(data, pairing, clock, None)


def concern_raised(pairing: Pairing, concern: Concern, clock: Clock) -> CloudEvent[EventData]:
    """A safeguarding concern was raised, or raised again at a higher escalation level. Internal."""
    data = SafeguardingConcernRaised(
        **_ids(pairing),
        concern_id=concern.id,
        raised_at=concern.raised_at,
        raised_by=concern.raised_by,
        category=concern.category,
        urgency=concern.urgency,
        escalation_level=concern.escalation_level,
    )
    return _wrap(data, pairing, clock, None)


def concern_acknowledged(
    pairing: Pairing, concern: Concern, staff_id: str, clock: Clock
) -> CloudEvent[EventData]:
    """A coordinator acknowledged a safeguarding concern. Internal."""
    assert concern.acknowledged_at is not None and concern.action is not None
    data = SafeguardingConcernAcknowledged(
        **_ids(pairing),
        concern_id=concern.id,
        acknowledged_at=concern.acknowledged_at,
        acknowledged_by=staff_id,
        action=concern.action,
    )
    return _wrap(data, pairing, clock, None)
