"""Pairing routes: mentors see their own pairings; coordinators see all and run their lifecycle."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from peer_sessions.api.bodies import EndIn, PauseIn
from peer_sessions.api.views import REFUSALS, Page, PairingOut
from peer_sessions.domain.access import mentor_of
from peer_sessions.domain.pairing import Pairing, PairingStatus
from peer_sessions.store import overview_repo, pairings_repo
from peer_sessions.use_cases import pairing_lifecycle
from peer_sessions.use_cases.pairing_access import visible_pairing
from peer_shared.http.dependencies import Coordinator, Limit, MentorOrCoordinator, Offset, Runtime
from peer_shared.messaging.unit_of_work import UnitOfWork

router = APIRouter(prefix="/pairings", tags=["pairings"], responses=REFUSALS)


@router.get("", summary="List pairings (a mentor sees only their own)")
async def list_pairings(
    principal: MentorOrCoordinator,
    runtime: Runtime,
    status: PairingStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PairingOut]:
    """Pairings newest first, each with its session count, attendance rate and last contact."""
    async with runtime.unit_of_work() as uow:
        mentor_id = mentor_of(principal)
        found, total = await pairings_repo.page(
            uow.session, mentor_id=mentor_id, status=status, limit=limit, offset=offset
        )
        return Page(items=await _with_activity(uow, found), total=total, limit=limit, offset=offset)


@router.get("/quiet", summary="Active pairings with no session that took place in the last N days")
async def quiet_pairings(
    _: Coordinator,
    runtime: Runtime,
    days: Annotated[int, Query(ge=1, le=365, description="Days without contact")] = 14,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PairingOut]:
    """For a coordinator to follow up: the longest quiet first."""
    async with runtime.unit_of_work() as uow:
        since = uow.clock.now() - timedelta(days=days)
        rows, total = await overview_repo.quiet_pairings(uow.session, since=since, limit=limit, offset=offset)
        items = [PairingOut.of(pairing, activity) for pairing, activity in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{pairing_id}", summary="One pairing and its activity")
async def get_pairing(principal: MentorOrCoordinator, runtime: Runtime, pairing_id: str) -> PairingOut:
    """A pairing with its session count, attendance rate and last contact."""
    async with runtime.unit_of_work() as uow:
        pairing = await visible_pairing(uow, principal, pairing_id)
        return (await _with_activity(uow, [pairing]))[0]


@router.post("/{pairing_id}/pause", summary="Pause an active pairing")
async def pause_pairing(
    principal: Coordinator, runtime: Runtime, pairing_id: str, body: PauseIn
) -> PairingOut:
    """Publishes `PairingPaused`."""
    async with runtime.unit_of_work() as uow:
        pairing = await pairing_lifecycle.pause_pairing(uow, principal, pairing_id, body.reason)
        return (await _with_activity(uow, [pairing]))[0]


@router.post("/{pairing_id}/resume", summary="Resume a paused pairing")
async def resume_pairing(principal: Coordinator, runtime: Runtime, pairing_id: str) -> PairingOut:
    """Publishes `PairingResumed`."""
    async with runtime.unit_of_work() as uow:
        pairing = await pairing_lifecycle.resume_pairing(uow, principal, pairing_id)
        return (await _with_activity(uow, [pairing]))[0]


@router.post("/{pairing_id}/complete", summary="Complete a pairing: support finished as planned")
async def complete_pairing(principal: Coordinator, runtime: Runtime, pairing_id: str) -> PairingOut:
    """Publishes `PairingCompleted`; outcomes schedules the follow-up measure from it."""
    async with runtime.unit_of_work() as uow:
        pairing = await pairing_lifecycle.complete_pairing(uow, principal, pairing_id)
        return (await _with_activity(uow, [pairing]))[0]


@router.post("/{pairing_id}/end", summary="End a pairing early, with the reason")
async def end_pairing(principal: Coordinator, runtime: Runtime, pairing_id: str, body: EndIn) -> PairingOut:
    """Publishes `PairingEnded`; matching may match the referral again."""
    async with runtime.unit_of_work() as uow:
        pairing = await pairing_lifecycle.end_pairing(uow, principal, pairing_id, body.reason)
        return (await _with_activity(uow, [pairing]))[0]


async def _with_activity(uow: UnitOfWork, found: list[Pairing]) -> list[PairingOut]:
    activity = await overview_repo.activity(uow.session, [p.id for p in found])
    return [PairingOut.of(p, activity[p.id]) for p in found]
