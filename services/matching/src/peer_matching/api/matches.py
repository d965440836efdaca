"""HTTP API of matches and the waitlist (coordinators only): proposals with their explanations,
confirm or override, the waitlist with positions and reasons, and running a round on demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from peer_events.programmes import CODE_PATTERN
from peer_matching.api.bodies import OverrideIn
from peer_matching.api.dependencies import Settings
from peer_matching.api.views import MatchOut, MenteeOut, RoundOut, WaitlistEntry
from peer_matching.domain.match import MatchStatus
from peer_matching.store import matches_repo, mentees_repo
from peer_matching.use_cases import decisions
from peer_matching.use_cases.rounds import run_round
from peer_shared.http.dependencies import Coordinator, Runtime
from peer_shared.http.problems import problem_responses
from peer_shared.refusals import NotFound

MatchIdPath = Annotated[str, Path(pattern=r"^mat_[0-9a-f]{32}$", description="The match's id")]
ReferralIdPath = Annotated[str, Path(pattern=r"^ref_[0-9a-f]{32}$", description="The referral's id")]
ConditionQuery = Annotated[str | None, Query(pattern=CODE_PATTERN, max_length=32)]
ERRORS = problem_responses(
    404,
    409,
    422,
    s404="No such match or referral",
    s409="Not allowed in the match's current status",
    s422="Invalid input",
)

router = APIRouter(tags=["matches"], responses=ERRORS)


@router.get("/matches", summary="Proposals and matches")
async def list_matches(
    _: Coordinator,
    runtime: Runtime,
    status: Annotated[MatchStatus | None, Query()] = None,
    condition: ConditionQuery = None,
) -> list[MatchOut]:
    """Matches newest first; `status=proposed` lists what awaits a coordinator."""
    async with runtime.unit_of_work() as uow:
        return [MatchOut.of(row) for row in await matches_repo.listed(uow.session, status, condition)]


@router.get("/matches/{match_id}", summary="One proposal or match")
async def get_match(match_id: MatchIdPath, _: Coordinator, runtime: Runtime) -> MatchOut:
    """A match with its explanation."""
    async with runtime.unit_of_work() as uow:
        row = await matches_repo.get(uow.session, match_id)
    if row is None:
        raise NotFound("unknown-match", f"no match {match_id}")
    return MatchOut.of(row)


@router.post("/matches/{match_id}/confirm", summary="Confirm a proposal")
async def confirm_match(match_id: MatchIdPath, principal: Coordinator, runtime: Runtime) -> MatchOut:
    """Confirm the proposed mentor: `MentorMatched` is published."""
    async with runtime.unit_of_work() as uow:
        await decisions.confirm(uow, match_id, principal)
        row = await matches_repo.get(uow.session, match_id)
    assert row is not None  # confirmed in this transaction
    return MatchOut.of(row)


@router.post("/matches/{match_id}/override", status_code=201, summary="Choose another mentor")
async def override_match(
    match_id: MatchIdPath, body: OverrideIn, principal: Coordinator, runtime: Runtime, settings: Settings
) -> MatchOut:
    """Match the mentee with another eligible mentor instead, giving a reason (kept here, not published)."""
    async with runtime.unit_of_work() as uow:
        values = await decisions.override(uow, settings, match_id, body.mentor_id, body.reason, principal)
        row = await matches_repo.get(uow.session, values["match_id"])
    assert row is not None  # added in this transaction
    return MatchOut.of(row)


@router.get("/waitlist", summary="Mentees waiting for a mentor")
async def waitlist(_: Coordinator, runtime: Runtime, condition: ConditionQuery = None) -> list[WaitlistEntry]:
    """Waiting mentees per condition in the order they will be served, each with the reason they wait."""
    async with runtime.unit_of_work() as uow:
        rows = await mentees_repo.waitlist(uow.session, condition)
    return WaitlistEntry.listed(rows)


@router.get("/mentees/{referral_id}", summary="Where a referral is in matching")
async def get_mentee(referral_id: ReferralIdPath, _: Coordinator, runtime: Runtime) -> MenteeOut:
    """The referral's matching state, why it waits, and its open match."""
    async with runtime.unit_of_work() as uow:
        row = await mentees_repo.get(uow.session, referral_id)
        open_match = await matches_repo.open_for_referral(uow.session, referral_id) if row else None
    if row is None:
        raise NotFound("unknown-referral", f"matching has not heard of referral {referral_id}")
    return MenteeOut.of(row, open_match)


@router.post("/rounds/{condition}", summary="Run a matching round now")
async def run_matching_round(
    condition: Annotated[str, Path(pattern=CODE_PATTERN, max_length=32)],
    _: Coordinator,
    runtime: Runtime,
    settings: Settings,
) -> RoundOut:
    """Match the condition's waitlist against free places now (rounds also run on every relevant event)."""
    async with runtime.unit_of_work() as uow:
        result = await run_round(uow, settings, condition)
    return RoundOut(matched=len(result.proposals), waiting=len(result.waiting))
