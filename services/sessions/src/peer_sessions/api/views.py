"""Response bodies of the HTTP API, built from the domain's objects, and the refusals it documents.

Times are shown in UK local time, with their offset.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from peer_events.codes import SessionMode, Topic
from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_events.events.sessions import (
    Attendance,
    GoalProgress,
    PairingEndReason,
    PairingPauseReason,
)
from peer_sessions.domain.overview import PairingActivity
from peer_sessions.domain.pairing import Pairing, PairingStatus
from peer_sessions.domain.safeguarding import Concern
from peer_sessions.domain.session_rules import Revision, SessionRecord, StoredSession
from peer_sessions.store.goals_repo import GoalState, GoalStep, StoredGoal
from peer_shared.clock import to_london
from peer_shared.http.problems import problem_responses

REFUSALS = problem_responses(
    403,
    404,
    409,
    422,
    s403="Not allowed (for example another mentor's pairing); `code` says why",
    s404="Unknown pairing, session, goal or concern",
    s409="Clashes with the current state (pairing not active, overlapping session)",
    s422="Breaks a rule about the request's content (duration, date, confidence)",
)
"""The refusals every route may answer, as problem details (`code` says which rule)."""

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ActivityOut(BaseModel):
    """A pairing's sessions in numbers."""

    sessions: int
    attended: int
    attendance_rate: float | None
    last_contact: datetime | None

    @classmethod
    def of(cls, activity: PairingActivity) -> ActivityOut:
        """From the domain's numbers."""
        last = to_london(activity.last_contact) if activity.last_contact else None
        return cls(
            sessions=activity.sessions,
            attended=activity.attended,
            attendance_rate=activity.attendance_rate,
            last_contact=last,
        )


class PairingOut(BaseModel):
    """A pairing and how it is going."""

    id: str
    match_id: str
    referral_id: str
    mentor_id: str
    condition: str
    programme: str
    status: PairingStatus
    started_on: date
    planned_end_on: date
    paused_on: date | None
    pause_reason: PairingPauseReason | None
    finished_on: date | None
    end_reason: PairingEndReason | None
    activity: ActivityOut

    @classmethod
    def of(cls, p: Pairing, activity: PairingActivity) -> PairingOut:
        """From the domain's pairing and its activity."""
        return cls(
            id=p.id,
            match_id=p.match_id,
            referral_id=p.referral_id,
            mentor_id=p.mentor_id,
            condition=p.condition,
            programme=p.programme,
            status=p.status,
            started_on=p.started_on,
            planned_end_on=p.planned_end_on,
            paused_on=p.paused_on,
            pause_reason=p.pause_reason,
            finished_on=p.finished_on,
            end_reason=p.end_reason,
            activity=ActivityOut.of(activity),
        )


class RecordOut(BaseModel):
    """A session record (one revision)."""

    starts_at: datetime
    duration_minutes: int | None
    mode: SessionMode
    attendance: Attendance
    topics: list[Topic]
    notes: str | None

    @staticmethod
    def fields(record: SessionRecord) -> dict[str, Any]:
        """The record's fields, for building an output model."""
        return {
            "starts_at": to_london(record.starts_at),
            "duration_minutes": record.duration_minutes,
            "mode": record.mode,
            "attendance": record.attendance,
            "topics": list(record.topics),
            "notes": record.notes,
        }


class SessionOut(RecordOut):
    """A session at its latest revision."""

    id: str
    pairing_id: str
    number: int
    revision: int
    goals_set: int
    goals_reviewed: int
    logged_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: StoredSession) -> SessionOut:
        """From a stored session."""
        return cls.model_validate(
            RecordOut.fields(s.record)
            | {
                "id": s.id,
                "pairing_id": s.pairing_id,
                "number": s.number,
                "revision": s.revision,
                "goals_set": s.goals_set,
                "goals_reviewed": s.goals_reviewed,
                "logged_at": to_london(s.logged_at),
                "updated_at": to_london(s.updated_at),
            }
        )


class LoggedSessionOut(SessionOut):
    """A newly logged session and the ids of the goals set in it."""

    goal_ids: list[str]


class RevisionOut(RecordOut):
    """One version of a session, and who recorded it."""

    revision: int
    recorded_at: datetime
    recorded_by: str

    @classmethod
    def of(cls, r: Revision) -> RevisionOut:
        """From a stored revision."""
        return cls.model_validate(
            RecordOut.fields(r.record)
            | {"revision": r.revision, "recorded_at": to_london(r.recorded_at), "recorded_by": r.recorded_by}
        )


class GoalStateOut(BaseModel):
    """A goal's wording (None once erased after a withdrawal), confidence and progress."""

    topic: Topic
    what: str | None
    how_much: str | None
    when: str | None
    how_often: str | None
    confidence: int
    progress: GoalProgress | None

    @staticmethod
    def fields(state: GoalState) -> dict[str, Any]:
        """The state's fields, for building an output model."""
        return asdict(state)


class GoalStepOut(GoalStateOut):
    """One entry in a goal's history."""

    seq: int
    kind: str
    session_id: str | None
    on_date: date


class GoalOut(GoalStateOut):
    """A goal as it stands, with its history."""

    id: str
    session_id: str | None
    set_on: date
    history: list[GoalStepOut]

    @classmethod
    def of(cls, g: StoredGoal, steps: list[GoalStep]) -> GoalOut:
        """From a stored goal and its history."""
        history = [
            GoalStepOut.model_validate(
                GoalStateOut.fields(s.state)
                | {"seq": s.seq, "kind": s.kind, "session_id": s.session_id, "on_date": s.on_date}
            )
            for s in steps
        ]
        return cls.model_validate(
            GoalStateOut.fields(g.state)
            | {"id": g.id, "session_id": g.session_id, "set_on": g.set_on, "history": history}
        )


class ConcernOut(BaseModel):
    """A concern and where it stands."""

    id: str
    pairing_id: str
    session_id: str | None
    category: SafeguardingCategory
    urgency: Urgency
    raised_at: datetime
    raised_by: RaisedBy
    escalation_level: int
    acknowledged_at: datetime | None
    action: SafeguardingAction | None
    details: str | None

    @classmethod
    def of(cls, c: Concern, details: str | None) -> ConcernOut:
        """From the domain's concern and the stored details."""
        return cls(
            id=c.id,
            pairing_id=c.pairing_id,
            session_id=c.session_id,
            category=c.category,
            urgency=c.urgency,
            raised_at=to_london(c.raised_at),
            raised_by=c.raised_by,
            escalation_level=c.escalation_level,
            acknowledged_at=to_london(c.acknowledged_at) if c.acknowledged_at else None,
            action=c.action,
            details=details,
        )
