"""Request bodies of the HTTP API, and their translation into the domain's terms.

Bodies check shape and codes (unknown fields are refused); the rules (duration, dates, overlaps) are the
domain's, so every refusal has one source and one error code.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from peer_events.codes import SessionMode, Topic
from peer_events.events.safeguarding import SafeguardingAction, SafeguardingCategory, Urgency
from peer_events.events.sessions import (
    Attendance,
    GoalProgress,
    PairingEndReason,
    PairingPauseReason,
)
from peer_sessions.domain.goals import GoalPlan, GoalReview
from peer_sessions.domain.session_rules import SessionRecord
from peer_sessions.use_cases.safeguarding import NewConcern


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalIn(_In):
    """A SMART goal: what, how much, when, how often."""

    topic: Topic
    what: str = Field(description="What the mentee will do (free text; stays in this service)")
    how_much: str | None = None
    when: str | None = None
    how_often: str | None = None

    def plan(self, confidence: int) -> GoalPlan:
        """The goal as the domain sees it."""
        return GoalPlan(self.topic, self.what, self.how_much, self.when, self.how_often, confidence)


class NewGoalIn(GoalIn):
    """A goal set in this session."""

    confidence: int = Field(description="The mentee's confidence of reaching it, 0-10")


class GoalReviewIn(_In):
    """How an earlier goal is getting on."""

    goal_id: str
    progress: GoalProgress
    confidence: int = Field(description="The mentee's confidence now, 0-10")
    revised_goal: GoalIn | None = Field(None, description="The restated goal, when progress is 'revised'")

    def review(self) -> GoalReview:
        """The review as the domain sees it."""
        revised = self.revised_goal.plan(self.confidence) if self.revised_goal else None
        return GoalReview(self.goal_id, self.progress, self.confidence, revised)


class SessionIn(_In):
    """A session as the mentor records it; a correction sends the whole record again."""

    starts_at: AwareDatetime = Field(description="Start, with its UTC offset; at most a day ahead")
    duration_minutes: int | None = Field(None, description="1-240, only for a session that took place")
    mode: SessionMode
    attendance: Attendance
    topics: list[Topic] = Field(default_factory=list, description="Only for a session that took place")
    notes: str | None = Field(None, description="Free text; never leaves this service")

    def record(self) -> SessionRecord:
        """The record as the domain sees it."""
        return SessionRecord(
            self.starts_at, self.duration_minutes, self.mode, self.attendance, tuple(self.topics), self.notes
        )


class NewSessionIn(SessionIn):
    """A new session, with the goals set and reviewed in it."""

    new_goals: list[NewGoalIn] = Field(default_factory=list)
    goal_reviews: list[GoalReviewIn] = Field(default_factory=list)


class PauseIn(_In):
    """Why a pairing pauses."""

    reason: PairingPauseReason


class EndIn(_In):
    """Why a pairing ends early."""

    reason: PairingEndReason


class ConcernIn(_In):
    """A safeguarding concern about someone in a pairing."""

    category: SafeguardingCategory
    urgency: Urgency
    session_id: str | None = Field(None, description="The session in which it came up, if any")
    details: str | None = Field(None, description="What was observed (free text; stays in this service)")

    def concern(self) -> NewConcern:
        """The concern as the use case takes it."""
        return NewConcern(self.category, self.urgency, self.session_id, self.details)


class AcknowledgementIn(_In):
    """The first action the safeguarding lead took."""

    action: SafeguardingAction
