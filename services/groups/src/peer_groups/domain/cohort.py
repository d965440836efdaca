"""A cohort of a group programme, its members, and its lifecycle.

planned (created) -> open (taking members from the waitlist) -> running (from its start date, or when
full where the programme says so) -> finished (after its last planned session, or closed early by a
coordinator). A planned or open cohort can be cancelled instead; finished and cancelled are final.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from peer_events.events.groups import GroupSetting, LeaveReason
from peer_shared.refusals import Conflict


class CohortStatus(StrEnum):
    """Where a cohort is in its lifecycle."""

    PLANNED = "planned"
    OPEN = "open"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class MemberStatus(StrEnum):
    """Whether a member still holds their place."""

    ENROLLED = "enrolled"
    LEFT = "left"


@dataclass
class Cohort:
    """One closed group of a programme, led by one or two facilitators."""

    id: str
    programme: str
    condition: str
    name: str
    starts_on: date
    setting: GroupSetting
    max_size: int
    min_size: int
    planned_sessions: int
    cadence_days: int
    facilitators: tuple[str, ...]
    correlation_id: uuid.UUID
    """The cohort's own flow: its lifecycle events carry it."""
    venue: str | None = None
    online_link: str | None = None
    status: CohortStatus = CohortStatus.PLANNED
    opened_on: date | None = None
    started_on: date | None = None
    finished_on: date | None = None
    cancelled_on: date | None = None

    @property
    def takes_members(self) -> bool:
        """Open or running: places can be filled (a running cohort may take a late joiner)."""
        return self.status in (CohortStatus.OPEN, CohortStatus.RUNNING)

    @property
    def is_over(self) -> bool:
        """Finished or cancelled: nothing more changes."""
        return self.status in (CohortStatus.FINISHED, CohortStatus.CANCELLED)

    def planned_dates(self) -> list[date]:
        """The planned day of each session, first to last."""
        step = timedelta(days=self.cadence_days)
        return [self.starts_on + step * n for n in range(self.planned_sessions)]

    def open(self, on: date) -> None:
        """Start taking members from the waitlist."""
        self._require((CohortStatus.PLANNED,), "cohort-not-planned", "open")
        self.status, self.opened_on = CohortStatus.OPEN, on

    def start(self, on: date) -> None:
        """The first session day came (or the cohort filled)."""
        self._require((CohortStatus.OPEN,), "cohort-not-open", "start")
        self.status, self.started_on = CohortStatus.RUNNING, on

    def due_to_start(self, today: date) -> bool:
        """Open, and its start date has come."""
        return self.status is CohortStatus.OPEN and self.starts_on <= today

    def finish(self, on: date) -> None:
        """The last planned session is behind it, or a coordinator closed it early."""
        self._require((CohortStatus.RUNNING,), "cohort-not-running", "finish")
        self.status, self.finished_on = CohortStatus.FINISHED, on

    def cancel(self, on: date) -> None:
        """Call it off before it starts; its members go back to the waitlist."""
        self._require((CohortStatus.PLANNED, CohortStatus.OPEN), "cohort-already-started", "cancel")
        self.status, self.cancelled_on = CohortStatus.CANCELLED, on

    def require_running(self) -> None:
        """Sessions are recorded (and corrected) only while the cohort runs."""
        if self.status is not CohortStatus.RUNNING:
            raise Conflict("cohort-not-running", f"cohort {self.id} is {self.status.value}, not running")

    def _require(self, allowed: tuple[CohortStatus, ...], code: str, action: str) -> None:
        if self.status not in allowed:
            raise Conflict(code, f"cannot {action} cohort {self.id}: it is {self.status.value}")


@dataclass
class Member:
    """A person's place in a cohort (known by referral id only)."""

    cohort_id: str
    referral_id: str
    enrolled_on: date
    waitlisted_on: date
    correlation_id: uuid.UUID
    """The referral's journey: the member's events carry it."""
    status: MemberStatus = MemberStatus.ENROLLED
    left_on: date | None = None
    left_reason: LeaveReason | None = None
    follow_up: bool = False
    follow_up_cleared_on: date | None = None
    """The day a follow-up found them coming back: only later absences count towards the next one."""

    @property
    def is_current(self) -> bool:
        """Still holds the place."""
        return self.status is MemberStatus.ENROLLED

    def leave(self, on: date, reason: LeaveReason) -> None:
        """The place ended, for the reason given."""
        if not self.is_current:
            raise Conflict("member-not-enrolled", f"{self.referral_id} has already left the cohort")
        self.status, self.left_on, self.left_reason, self.follow_up = MemberStatus.LEFT, on, reason, False


@dataclass(frozen=True)
class CohortPlan:
    """What a coordinator asks for when creating a cohort (already validated for shape)."""

    programme: str
    condition: str
    name: str
    starts_on: date
    setting: GroupSetting
    venue: str | None
    online_link: str | None
    facilitators: tuple[str, ...]
    max_size: int
    min_size: int
    planned_sessions: int
    cadence_days: int


def new_cohort(plan: CohortPlan) -> Cohort:
    """A planned cohort from a coordinator's plan."""
    return Cohort(
        id=f"coh_{uuid.uuid4().hex}",
        programme=plan.programme,
        condition=plan.condition,
        name=plan.name,
        starts_on=plan.starts_on,
        setting=plan.setting,
        venue=plan.venue,
        online_link=plan.online_link,
        max_size=plan.max_size,
        min_size=plan.min_size,
        planned_sessions=plan.planned_sessions,
        cadence_days=plan.cadence_days,
        facilitators=plan.facilitators,
        correlation_id=uuid.uuid4(),
    )
