"""Safeguarding routes for group members: a facilitator of the cohort (or a coordinator) raises a
concern; the coordinator lists and acknowledges them. What was observed stays here; the internal events
carry only codes.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from peer_events.codes import CohortId, ReferralId
from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_groups.domain.concerns import Concern, ConcernStatus
from peer_groups.store import concerns_repo
from peer_groups.use_cases import concerns as use_case
from peer_shared.clock import to_london
from peer_shared.http.dependencies import Coordinator, Limit, MentorOrCoordinator, Offset, Runtime
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    403,
    404,
    409,
    422,
    s403="Not a facilitator of the cohort (`code`: not-your-cohort)",
    s404="Unknown cohort or concern (`code`: cohort-not-found, concern-not-found)",
    s409="Already acknowledged (`code`: concern-already-acknowledged)",
    s422="Breaks a rule (`code`: not-a-member, details-too-long), or the body is malformed",
)
router = APIRouter(tags=["safeguarding"], responses=ERRORS)


class ConcernIn(BaseModel):
    """A safeguarding concern about a member of the cohort."""

    model_config = ConfigDict(extra="forbid")

    referral_id: ReferralId = Field(description="The member (current or former) it is about")
    category: SafeguardingCategory
    urgency: Urgency
    details: str | None = Field(None, description="What was observed (free text; stays in this service)")

    def concern(self) -> use_case.NewConcern:
        """The concern as the use case takes it."""
        return use_case.NewConcern(self.referral_id, self.category, self.urgency, self.details)


class AcknowledgementIn(BaseModel):
    """The first action the safeguarding lead took."""

    model_config = ConfigDict(extra="forbid")

    action: SafeguardingAction


class ConcernOut(BaseModel):
    """A concern and where it stands (`details` is null when none were given or they were erased)."""

    concern_id: str
    cohort_id: str
    referral_id: str
    category: SafeguardingCategory
    urgency: Urgency
    details: str | None
    raised_by: RaisedBy
    raised_at: datetime
    escalation_level: int
    status: ConcernStatus
    acknowledged_at: datetime | None
    action: SafeguardingAction | None

    @classmethod
    def of(cls, c: Concern, details: str | None) -> ConcernOut:
        """From the domain's concern and the stored details."""
        return cls(
            concern_id=c.id,
            cohort_id=c.cohort_id,
            referral_id=c.referral_id,
            category=c.category,
            urgency=c.urgency,
            details=details,
            raised_by=c.raised_by,
            raised_at=to_london(c.raised_at),
            escalation_level=c.escalation_level,
            status=c.status,
            acknowledged_at=to_london(c.acknowledged_at) if c.acknowledged_at else None,
            action=c.action,
        )


class ConcernPage(BaseModel):
    """One page of concerns."""

    items: list[ConcernOut]
    total: int
    limit: int
    offset: int


@router.post(
    "/cohorts/{cohort_id}/concerns",
    status_code=status.HTTP_201_CREATED,
    summary="Raise a safeguarding concern about a member (published at once on the internal stream)",
)
async def raise_concern(
    principal: MentorOrCoordinator, runtime: Runtime, cohort_id: CohortId, body: ConcernIn
) -> ConcernOut:
    """Allowed whatever the cohort's state: safeguarding is never blocked by paperwork."""
    async with runtime.unit_of_work() as uow:
        concern = await use_case.raise_concern(uow, principal, cohort_id, body.concern())
    return ConcernOut.of(concern, body.details)


@router.get("/concerns", summary="Group members' safeguarding concerns, most escalated and oldest first")
async def list_concerns(
    _: Coordinator,
    runtime: Runtime,
    status: ConcernStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ConcernPage:
    """`status=open`: the unacknowledged ones, which keep escalating until acknowledged (all without it)."""
    async with runtime.sessions() as session:
        rows, total = await concerns_repo.page(session, status=status, limit=limit, offset=offset)
    return ConcernPage(items=[ConcernOut.of(c, d) for c, d in rows], total=total, limit=limit, offset=offset)


@router.post("/concerns/{concern_id}/acknowledge", summary="Acknowledge a concern")
async def acknowledge_concern(
    principal: Coordinator, runtime: Runtime, concern_id: str, body: AcknowledgementIn
) -> ConcernOut:
    """Takes responsibility for the concern and stops its escalation."""
    async with runtime.unit_of_work() as uow:
        concern, details = await use_case.acknowledge_concern(uow, principal, concern_id, body.action)
    return ConcernOut.of(concern, details)
