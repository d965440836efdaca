"""Safeguarding concerns: raised from a pairing, acknowledged by a coordinator, escalated while not.

A concern nobody acknowledges is raised again every `interval` for its urgency (level 1 after one
interval, level 2 after two, ...), so it keeps reaching the safeguarding lead until someone takes it:
the rule in `peer_shared.safeguarding`, the same for a group concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_shared.refusals import Conflict, Invalid
from peer_shared.safeguarding import escalation_due

MAX_DETAILS_CHARS = 10_000


@dataclass
class Concern:
    """A safeguarding concern about someone in a pairing."""

    id: str
    pairing_id: str
    session_id: str | None
    category: SafeguardingCategory
    urgency: Urgency
    raised_at: datetime
    raised_by: RaisedBy
    escalation_level: int = 0
    acknowledged_at: datetime | None = None
    action: SafeguardingAction | None = None

    def acknowledge(self, at: datetime, action: SafeguardingAction) -> None:
        """A coordinator takes responsibility: escalation stops."""
        if self.acknowledged_at is not None:
            raise Conflict(
                "concern-already-acknowledged",
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
        raise Invalid("details-too-long", f"details are limited to {MAX_DETAILS_CHARS} characters")
