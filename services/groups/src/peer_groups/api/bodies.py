"""Request bodies of the groups API, and their translation into the domain's terms.

Bodies check shape and codes (unknown fields are refused); the rules (registers, facilitators, states)
are the domain's, so every refusal has one source and one error code.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from peer_events.codes import MentorId, ReferralId, Topic
from peer_events.events.groups import CancellationReason, GroupSetting, LeaveReason, Presence
from peer_groups.domain.group_session import SessionRecord, SessionStatus

Size = Annotated[int, Field(ge=1, le=100)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CohortIn(_In):
    """A cohort to plan; sizes and rhythm default to the programme's."""

    programme: str = Field(max_length=48, description="A group programme run by this service")
    name: str = Field(min_length=1, max_length=80, description="What coordinators call it")
    starts_on: date = Field(description="The planned day of the first session")
    setting: GroupSetting
    venue: str | None = Field(None, min_length=1, max_length=200, description="Where (setting venue)")
    online_link: HttpUrl | None = Field(None, description="The meeting link (setting online; https)")
    facilitators: list[MentorId] = Field(min_length=1, max_length=2)
    max_size: Size | None = None
    min_size: Size | None = None
    planned_sessions: Size | None = None
    cadence_days: int | None = Field(None, ge=1, le=31)

    @model_validator(mode="after")
    def _where(self) -> Self:
        if self.setting is GroupSetting.VENUE and (self.venue is None or self.online_link is not None):
            raise ValueError("a venue cohort names its venue (and no online link)")
        if self.setting is GroupSetting.ONLINE:
            if self.online_link is None or self.venue is not None:
                raise ValueError("an online cohort has an online link (and no venue)")
            if self.online_link.scheme != "https":
                raise ValueError("the online link must be https")
        if len(set(self.facilitators)) != len(self.facilitators):
            raise ValueError("name each facilitator once")
        return self


class MemberIn(_In):
    """A waiting person to enrol."""

    referral_id: ReferralId


class LeaveIn(_In):
    """Why a coordinator ends a member's place."""

    reason: Literal[LeaveReason.COORDINATOR_DECISION, LeaveReason.STOPPED_ATTENDING]


class FollowUpOutcome(StrEnum):
    """What following up a member flagged for absences found."""

    BACK = "back"
    STOPPED = "stopped"


class FollowUpIn(_In):
    """The outcome of a follow-up."""

    outcome: FollowUpOutcome


class SessionIn(_In):
    """A group session, held (with the register) or cancelled; the same body corrects one."""

    status: SessionStatus
    held_on: date = Field(description="The day it took place (cancelled: the day it was planned for)")
    duration_minutes: int | None = Field(None, ge=10, le=480, description="Unset: the programme's usual")
    setting: GroupSetting | None = Field(None, description="Unset: the cohort's")
    topics: list[Topic] = Field(default_factory=list, max_length=len(Topic))
    facilitators: list[MentorId] = Field(default_factory=list, max_length=4)
    # Named `marks` in Python: `register` would shadow the model class's ABC `register` method.
    marks: dict[ReferralId, Presence] = Field(
        default_factory=dict,
        alias="register",
        max_length=100,
        description="Every current member once (held sessions)",
    )
    cancel_reason: CancellationReason | None = None
    notes: str | None = Field(None, max_length=4000, description="Free text; stays in this service")

    def record(self) -> SessionRecord:
        """The session as the domain sees it."""
        return SessionRecord(
            status=self.status,
            held_on=self.held_on,
            facilitators=tuple(self.facilitators),
            setting=self.setting,
            duration_minutes=self.duration_minutes,
            topics=tuple(dict.fromkeys(self.topics)),
            register=dict(self.marks) if self.status is SessionStatus.HELD else None,
            cancel_reason=self.cancel_reason,
            notes=self.notes,
        )
