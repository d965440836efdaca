"""The facilitators route: the mentors groups has heard of from matching, and whether each may run a
group session."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from peer_groups.domain.facilitators import Facilitator, FacilitatorStatus
from peer_groups.store import facilitators_repo
from peer_shared.http.dependencies import Coordinator, Runtime
from peer_shared.http.problems import problem_responses

router = APIRouter(tags=["facilitators"], responses=problem_responses(403))


class FacilitatorOut(BaseModel):
    """A mentor as groups knows them (`checks_valid_until`: the first day their checks no longer count)."""

    mentor_id: str
    status: FacilitatorStatus
    active: bool
    group_facilitator: bool
    checks_valid_until: date | None

    @classmethod
    def of(cls, f: Facilitator) -> FacilitatorOut:
        """From the domain's facilitator."""
        return cls(
            mentor_id=f.mentor_id,
            status=f.status,
            active=f.status is FacilitatorStatus.ACTIVE,
            group_facilitator=f.group_facilitator,
            checks_valid_until=f.checks_valid_until,
        )


@router.get("/facilitators", summary="Mentors known to groups, by id")
async def list_facilitators(_: Coordinator, runtime: Runtime) -> list[FacilitatorOut]:
    """Every mentor matching has told groups of (one registry: not paged)."""
    async with runtime.sessions() as session:
        found = await facilitators_repo.every(session)
    return [FacilitatorOut.of(f) for f in found]
