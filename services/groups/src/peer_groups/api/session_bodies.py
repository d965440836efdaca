"""Answers of the group session routes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from peer_events.codes import Topic
from peer_events.events.groups import CancellationReason, GroupSetting, Presence
from peer_groups.domain.group_session import SessionStatus, StoredSession


class SessionOut(BaseModel):
    """A recorded session at its current revision (`register` is empty for a cancelled one)."""

    session_id: str
    cohort_id: str
    session_number: int
    revision: int
    status: SessionStatus
    held_on: date
    duration_minutes: int | None
    setting: GroupSetting | None
    topics: list[Topic]
    facilitators: list[str]
    # Named `marks` in Python: `register` would shadow the model class's ABC `register` method.
    marks: dict[str, Presence] = Field(serialization_alias="register")
    cancel_reason: CancellationReason | None
    notes: str | None

    @classmethod
    def of(cls, s: StoredSession) -> SessionOut:
        """From the domain's stored session."""
        r = s.record
        return cls(
            session_id=s.id,
            cohort_id=s.cohort_id,
            session_number=s.number,
            revision=s.revision,
            status=r.status,
            held_on=r.held_on,
            duration_minutes=r.duration_minutes,
            setting=r.setting,
            topics=list(r.topics),
            facilitators=list(r.facilitators),
            marks=dict(r.register or {}),
            cancel_reason=r.cancel_reason,
            notes=r.notes,
        )
