"""The waitlist route: a programme's line, each person's expected start, and whether a next cohort
should be planned."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from peer_groups.api.dependencies import Settings
from peer_groups.use_cases.waitlist_view import Waitlist, waitlist_of
from peer_shared.http.dependencies import Coordinator, Runtime
from peer_shared.http.problems import problem_responses
from peer_shared.refusals import FieldProblem, Invalid

ERRORS = problem_responses(422, s422="A programme not run here (`code`: unknown-programme)")
router = APIRouter(tags=["waitlist"], responses=ERRORS)


class PositionOut(BaseModel):
    """One person in the line: `cohort_id` is the cohort they hold (or would take) a place in."""

    referral_id: str
    position: int
    waitlisted_on: date
    expected_start: date | None
    cohort_id: str | None


class ProposalOut(BaseModel):
    """Whether enough people wait without a place to plan a next cohort, and from when."""

    needed: bool
    waiting_without_place: int
    suggested_starts_on: date | None


class WaitlistOut(BaseModel):
    """A programme's waitlist."""

    programme: str
    items: list[PositionOut]
    total: int
    proposal: ProposalOut

    @classmethod
    def of(cls, found: Waitlist) -> WaitlistOut:
        """From the waitlist read model."""
        return cls(
            programme=found.programme,
            items=[PositionOut(**vars(p)) for p in found.positions],
            total=len(found.positions),
            proposal=ProposalOut(**vars(found.proposal)),
        )


@router.get("/waitlist", summary="A group programme's waitlist")
async def get_waitlist(
    _: Coordinator, runtime: Runtime, settings: Settings, programme: str | None = None
) -> WaitlistOut:
    """Waiting people and those holding a place in a cohort not yet started, in waitlist order
    (`programme` may be left out when the service runs one programme)."""
    code = programme or next(iter(settings.programmes), "")
    if code not in settings.programmes:
        problem = FieldProblem("query.programme", f"{code} is not run by this service")
        raise Invalid("unknown-programme", "name a group programme run here", fields=[problem])
    async with runtime.sessions() as session:
        found = await waitlist_of(session, code, settings.rules_of(code))
    return WaitlistOut.of(found)
