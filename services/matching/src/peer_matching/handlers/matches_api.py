"""HTTP API of matches and the waitlist (coordinators only): proposals with their explanations,
confirm or override, the waitlist with positions and reasons, and running a round on demand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from peer_matching.handlers import decisions
from peer_matching.handlers.mentors_api import ERRORS, Coordinator, runtime_of, settings_of
from peer_matching.handlers.registry import RegistryError
from peer_matching.handlers.rounds import run_round
from peer_matching.handlers.schemas import OverrideIn, WaitlistEntry
from peer_matching.store import matches, mentees
from peer_matching.store.matches import MatchStatus
from peer_shared.contracts.programmes import CODE_PATTERN

MatchIdPath = Annotated[str, Path(pattern=r"^mat_[0-9a-f]{32}$", description="The match's id")]
ReferralIdPath = Annotated[str, Path(pattern=r"^ref_[0-9a-f]{32}$", description="The referral's id")]
ConditionQuery = Annotated[str | None, Query(pattern=CODE_PATTERN, max_length=32)]

router = APIRouter(tags=["matches"], responses=ERRORS)


class MatchOut(BaseModel):
    """A proposal or match, with its score breakdown and the better-looking mentors passed over."""

    match_id: str
    referral_id: str
    mentor_id: str
    condition: str
    programme: str
    status: str
    mode: str
    score: float
    priority: float
    distance_km: float | None
    components: list[dict[str, Any]]
    reasons: list[str]
    passed_over: list[dict[str, Any]]
    proposed_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    override_of: str | None
    override_reason: str | None
    ended_at: datetime | None
    end_reason: str | None


class MenteeOut(BaseModel):
    """Where a referral is in matching."""

    referral_id: str
    condition: str
    programme: str
    state: str
    rematch: bool
    waiting_since: datetime | None
    reason_code: str | None
    reason: str | None
    open_match_id: str | None


class RoundOut(BaseModel):
    """What a round did."""

    matched: int
    waiting: int


@router.get("/matches", summary="Proposals and matches")
async def list_matches(
    request: Request,
    _: Coordinator,
    status: Annotated[MatchStatus | None, Query()] = None,
    condition: ConditionQuery = None,
) -> list[MatchOut]:
    """Matches newest first; `status=proposed` lists what awaits a coordinator."""
    async with runtime_of(request).unit_of_work() as uow:
        return [MatchOut(**row._mapping) for row in await matches.listed(uow.session, status, condition)]


@router.get("/matches/{match_id}", summary="One proposal or match")
async def get_match(match_id: MatchIdPath, request: Request, _: Coordinator) -> MatchOut:
    """A match with its explanation."""
    async with runtime_of(request).unit_of_work() as uow:
        row = await matches.get(uow.session, match_id)
    if row is None:
        raise RegistryError(404, "unknown-match", f"no match {match_id}")
    return MatchOut(**row._mapping)


@router.post("/matches/{match_id}/confirm", summary="Confirm a proposal")
async def confirm_match(match_id: MatchIdPath, request: Request, principal: Coordinator) -> MatchOut:
    """Confirm the proposed mentor: `MentorMatched` is published."""
    async with runtime_of(request).unit_of_work() as uow:
        await decisions.confirm(uow, match_id, principal)
        row = await matches.get(uow.session, match_id)
    return MatchOut(**row._mapping)  # type: ignore[union-attr]


@router.post("/matches/{match_id}/override", status_code=201, summary="Choose another mentor")
async def override_match(
    match_id: MatchIdPath, body: OverrideIn, request: Request, principal: Coordinator
) -> MatchOut:
    """Match the mentee with another eligible mentor instead, giving a reason (kept here, not published)."""
    async with runtime_of(request).unit_of_work() as uow:
        values = await decisions.override(
            uow, settings_of(request), match_id, body.mentor_id, body.reason, principal
        )
        row = await matches.get(uow.session, values["match_id"])
    return MatchOut(**row._mapping)  # type: ignore[union-attr]


@router.get("/waitlist", summary="Mentees waiting for a mentor")
async def waitlist(request: Request, _: Coordinator, condition: ConditionQuery = None) -> list[WaitlistEntry]:
    """Waiting mentees per condition in the order they will be served, each with the reason they wait."""
    async with runtime_of(request).unit_of_work() as uow:
        rows = await mentees.waitlist(uow.session, condition)
    positions: dict[str, int] = {}
    entries = []
    for row in rows:
        positions[row.condition] = positions.get(row.condition, 0) + 1
        entries.append(
            WaitlistEntry(
                referral_id=row.referral_id,
                condition=row.condition,
                programme=row.programme,
                position=positions[row.condition],
                waiting_since=row.waiting_since,
                rematch=row.rematch,
                reason_code=row.wait_code,
                reason=row.wait_message,
                funnel=row.wait_funnel,
            )
        )
    return entries


@router.get("/mentees/{referral_id}", summary="Where a referral is in matching")
async def get_mentee(referral_id: ReferralIdPath, request: Request, _: Coordinator) -> MenteeOut:
    """The referral's matching state, why it waits, and its open match."""
    async with runtime_of(request).unit_of_work() as uow:
        row = await mentees.get(uow.session, referral_id)
        open_match = await matches.open_for_referral(uow.session, referral_id) if row else None
    if row is None:
        raise RegistryError(404, "unknown-referral", f"matching has not heard of referral {referral_id}")
    return MenteeOut(
        referral_id=row.referral_id,
        condition=row.condition,
        programme=row.programme,
        state=row.state,
        rematch=row.rematch,
        waiting_since=row.waiting_since,
        reason_code=row.wait_code,
        reason=row.wait_message,
        open_match_id=open_match.match_id if open_match else None,
    )


@router.post("/rounds/{condition}", summary="Run a matching round now")
async def run_matching_round(
    condition: Annotated[str, Path(pattern=CODE_PATTERN, max_length=32)], request: Request, _: Coordinator
) -> RoundOut:
    """Match the condition's waitlist against free places now (rounds also run on every relevant event)."""
    async with runtime_of(request).unit_of_work() as uow:
        result = await run_round(uow, settings_of(request), condition)
    return RoundOut(matched=len(result.proposals), waiting=len(result.waiting))
