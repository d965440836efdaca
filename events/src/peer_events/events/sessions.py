"""Public events published by the sessions service: the pairing lifecycle, sessions and goals.

The sessions service is the sole owner of a pairing's lifecycle. Session notes and goal wording are free
text and stay in the sessions service: these events carry only dates, counts and codes.
Subjects: `peer.<condition>.sessions.<event>.v1`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from peer_events.codes import (
    CodeSet,
    GoalId,
    MatchId,
    MentorId,
    PairingId,
    ReferralId,
    SessionId,
    SessionMode,
    Topic,
)
from peer_events.envelope import EventData
from peer_events.registry import register

SessionCount = Annotated[int, Field(ge=0, le=60)]
GoalCount = Annotated[int, Field(ge=0, le=20)]
Confidence = Annotated[int, Field(ge=0, le=10)]


class PairingPauseReason(StrEnum):
    """Why a pairing stopped meeting for a while."""

    MENTEE_UNAVAILABLE = "mentee-unavailable"
    MENTOR_UNAVAILABLE = "mentor-unavailable"
    COORDINATOR_DECISION = "coordinator-decision"
    OTHER = "other"


class PairingEndReason(StrEnum):
    """Why a pairing ended before completing."""

    MENTEE_WITHDREW = "mentee-withdrew"
    MENTOR_LEFT = "mentor-left"
    NO_ENGAGEMENT = "no-engagement"
    MOVED_AWAY = "moved-away"
    OTHER = "other"


class Attendance(StrEnum):
    """Whether a planned session took place."""

    ATTENDED = "attended"
    MENTEE_DID_NOT_ATTEND = "mentee-did-not-attend"
    CANCELLED_BY_MENTEE = "cancelled-by-mentee"
    CANCELLED_BY_MENTOR = "cancelled-by-mentor"


class GoalProgress(StrEnum):
    """How far a goal has got when it is reviewed."""

    NOT_STARTED = "not-started"
    PARTLY = "partly"
    DONE = "done"
    REVISED = "revised"


class PairingEvent(EventData):
    """Base of the sessions service's events: each concerns one pairing of a mentee and a mentor."""

    producer: ClassVar[str] = "sessions"

    pairing_id: PairingId
    """The pairing's pseudonymous id."""
    referral_id: ReferralId
    """The mentee's referral."""
    mentor_id: MentorId
    """The mentor."""


@register
class PairingStarted(PairingEvent):
    """A mentee and a mentor were paired after a match and can start meeting."""

    event_name: ClassVar[str] = "pairing-started"

    match_id: MatchId
    """The match the pairing came from."""
    started_on: date
    """The day the pairing started."""
    planned_end_on: date
    """When support is planned to finish (about four months on)."""


@register
class PairingPaused(PairingEvent):
    """The pairing stopped meeting for a while; it resumes, completes or ends later."""

    event_name: ClassVar[str] = "pairing-paused"

    paused_on: date
    """The day the pause started."""
    reason: PairingPauseReason
    """Why the pairing paused."""


@register
class PairingResumed(PairingEvent):
    """A paused pairing started meeting again."""

    event_name: ClassVar[str] = "pairing-resumed"

    resumed_on: date
    """The day meetings resumed."""


@register
class PairingCompleted(PairingEvent):
    """The pairing reached the planned end of support: the normal, successful finish."""

    event_name: ClassVar[str] = "pairing-completed"

    completed_on: date
    """The day support finished."""
    sessions_attended: SessionCount
    """How many sessions the mentee attended."""


@register
class PairingEnded(PairingEvent):
    """The pairing ended early, before its planned end; the referral may be matched again."""

    event_name: ClassVar[str] = "pairing-ended"

    ended_on: date
    """The day the pairing ended."""
    reason: PairingEndReason
    """Why it ended early."""
    sessions_attended: SessionCount
    """How many sessions the mentee attended."""


@register
class SessionLogged(PairingEvent):
    """A mentor recorded a session (held, missed or cancelled).

    A corrected session is published again with the same `session_id` and the next `revision`;
    consumers keep the highest revision they have seen.
    """

    event_name: ClassVar[str] = "session-logged"

    session_id: SessionId
    """The session's pseudonymous id."""
    revision: int = Field(ge=1, le=100)
    """1 for the first record of the session, one more for each correction."""
    session_number: int = Field(ge=1, le=60)
    """The session's place in the pairing (1 for the first meeting)."""
    session_date: date
    """The day of the session (never in the future)."""
    attendance: Attendance
    """Whether the session took place."""
    duration_minutes: int | None = Field(default=None, ge=1, le=240)
    """How long the session lasted; given only when it was attended."""
    mode: SessionMode
    """Where or how the session took place (or was planned to)."""
    topics: CodeSet[Topic] = Field(default=(), max_length=len(Topic))
    """What was talked about."""
    goals_set: GoalCount = 0
    """How many new goals were set."""
    goals_reviewed: GoalCount = 0
    """How many existing goals were reviewed."""

    @model_validator(mode="after")
    def _only_attended_sessions_have_content(self) -> Self:
        attended = self.attendance is Attendance.ATTENDED
        if attended != (self.duration_minutes is not None):
            raise ValueError("duration_minutes is given exactly when the session was attended")
        if not attended and (self.topics or self.goals_set or self.goals_reviewed):
            raise ValueError("a session that did not take place has no topics or goals")
        return self


@register
class GoalSet(PairingEvent):
    """The mentee set a goal with their mentor (the goal's wording stays in the sessions service)."""

    event_name: ClassVar[str] = "goal-set"

    goal_id: GoalId
    """The goal's pseudonymous id."""
    session_id: SessionId | None = None
    """The session in which the goal was set, if it was set in one."""
    topic: Topic
    """What the goal is about."""
    confidence: Confidence
    """The mentee's confidence of reaching the goal, 0 (none) to 10 (certain)."""
    set_on: date
    """The day the goal was set."""


@register
class GoalReviewed(PairingEvent):
    """The mentee and mentor reviewed a goal's progress."""

    event_name: ClassVar[str] = "goal-reviewed"

    goal_id: GoalId
    """The goal reviewed."""
    session_id: SessionId | None = None
    """The session in which the goal was reviewed, if it was reviewed in one."""
    topic: Topic
    """What the goal is about (a revised goal may change topic)."""
    confidence: Confidence
    """The mentee's confidence now, 0 (none) to 10 (certain)."""
    progress: GoalProgress
    """How far the goal has got."""
    reviewed_on: date
    """The day of the review."""
