"""Safeguarding concerns about a group member: raised by a facilitator or a coordinator, acknowledged by
a coordinator, escalated while nobody has.

A concern nobody acknowledges is raised again every `interval` for its urgency (level 1 after one
interval, level 2 after two, ...), so it keeps reaching the safeguarding lead until someone takes it:
the same rule (`peer_shared.safeguarding`), and the same intervals, as a one-to-one concern in the
sessions service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_shared.refusals import Conflict, FieldProblem, Invalid
from peer_shared.safeguarding import MAX_ESCALATION_LEVEL as MAX_ESCALATION_LEVEL
from peer_shared.safeguarding import escalation_due

MAX_DETAILS_CHARS = 10_000


class ConcernProblem(StrEnum):
    """Why a concern or an acknowledgement was refused (the `code` of the refusal)."""

    DETAILS_TOO_LONG = "details-too-long"
    NOT_A_MEMBER = "not-a-member"
    CONCERN_NOT_FOUND = "concern-not-found"
    ALREADY_ACKNOWLEDGED = "concern-already-acknowledged"


class ConcernStatus(StrEnum):
    """Where a concern stands: open (and escalating) until a coordinator acknowledges it."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


@dataclass
class Concern:
    """A safeguarding concern about a member of a cohort."""

    id: str
    cohort_id: str
    referral_id: str
    category: SafeguardingCategory
    urgency: Urgency
    raised_at: datetime
    raised_by: RaisedBy
    escalation_level: int = 0
    acknowledged_at: datetime | None = None
    action: SafeguardingAction | None = None

    @property
    def status(self) -> ConcernStatus:
        """Open until acknowledged."""
        return ConcernStatus.OPEN if self.acknowledged_at is None else ConcernStatus.ACKNOWLEDGED

    def acknowledge(self, at: datetime, action: SafeguardingAction) -> None:
        """A coordinator takes responsibility: escalation stops. Refused if already done."""
        if self.acknowledged_at is not None:
            raise Conflict(
                ConcernProblem.ALREADY_ACKNOWLEDGED,
                f"concern {self.id} was acknowledged at {self.acknowledged_at.isoformat()}",
            )
        self.acknowledged_at, self.action = at, action

    def escalate(self, now: datetime, intervals: Mapping[Urgency, timedelta]) -> bool:
        """Raise the escalation level if another interval has passed unacknowledged; say if it rose."""
        due = escalation_due(
            raised_at=self.raised_at,
            urgency=self.urgency,
            escalation_level=self.escalation_level,
            acknowledged=self.acknowledged_at is not None,
            now=now,
            intervals=intervals,
        )
        if due is None:
            return False
        self.escalation_level = due
        return True


def check_details(details: str | None) -> None:
    """What was observed is kept here only, and kept within reason."""
    if details is not None and len(details) > MAX_DETAILS_CHARS:
        raise Invalid(
            ConcernProblem.DETAILS_TOO_LONG,
            f"details are limited to {MAX_DETAILS_CHARS} characters",
            fields=[FieldProblem("body.details", f"more than {MAX_DETAILS_CHARS} characters")],
        )


def raised_by_role(is_mentor: bool) -> RaisedBy:
    """Who raised it, as the event says: `mentor` for a facilitator, else `coordinator`."""
    return RaisedBy.MENTOR if is_mentor else RaisedBy.COORDINATOR
