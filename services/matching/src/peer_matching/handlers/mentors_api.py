"""HTTP API of the mentor registry (coordinators only): register, update, activate, pause, retire, and
the checks that run out soon."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from peer_matching.domain.mentor import Mentor, MentorStatus, expiring
from peer_matching.domain.training import Check, missing_modules
from peer_matching.handlers import registry
from peer_matching.handlers.schemas import (
    ContactIn,
    ExpiringCheck,
    MentorIn,
    MentorOut,
    MentorPatch,
    PauseIn,
    Problem,
    RetireIn,
    TrainingRecord,
)
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches, mentors
from peer_shared.auth import Principal, Role, require_roles
from peer_shared.clock import to_london
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.runtime import ServiceRuntime

Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]
MentorIdPath = Annotated[str, Path(pattern=r"^mnt_[0-9a-f]{32}$", description="The mentor's id")]
ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "No such mentor"},
    409: {"model": Problem, "description": "Not allowed in the mentor's current status"},
    422: {"model": Problem, "description": "Invalid input"},
}

router = APIRouter(prefix="/mentors", tags=["mentors"], responses=ERRORS)


def runtime_of(request: Request) -> ServiceRuntime:
    """The running service."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def settings_of(request: Request) -> MatchingSettings:
    """The service's settings."""
    settings: MatchingSettings = request.app.state.runtime.settings
    return settings


@router.post("", status_code=201, summary="Register a mentor")
async def register_mentor(body: MentorIn, request: Request, _: Coordinator) -> MentorOut:
    """Register a volunteer; `active` is accepted only with all training done and checks in date."""
    async with runtime_of(request).unit_of_work() as uow:
        mentor = await registry.register(uow, settings_of(request), body)
        return await view(uow, settings_of(request), mentor)


@router.get("", summary="List mentors")
async def list_mentors(
    request: Request, _: Coordinator, status: Annotated[MentorStatus | None, Query()] = None
) -> list[MentorOut]:
    """Every mentor, or those with one status."""
    async with runtime_of(request).unit_of_work() as uow:
        return [await view(uow, settings_of(request), m) for m in await mentors.listed(uow.session, status)]


@router.get("/checks/expiring", summary="DBS checks and safeguarding refreshers running out")
async def expiring_checks(
    request: Request, _: Coordinator, within_days: Annotated[int, Query(ge=0, le=3650)] = 30
) -> list[ExpiringCheck]:
    """Checks that run out within `within_days` (or already have), soonest first; mentors who left aside."""
    async with runtime_of(request).unit_of_work() as uow:
        today = to_london(uow.clock.now()).date()
        listed = await mentors.listed(uow.session)
    return [
        ExpiringCheck(
            mentor_id=e.mentor.mentor_id,
            status=e.mentor.status.value,
            check=e.check.value,
            expires_on=e.expires_on,
            days_left=(e.expires_on - today).days,
        )
        for e in expiring(listed, today + timedelta(days=within_days), settings_of(request).check_rules)
    ]


@router.get("/{mentor_id}", summary="One mentor")
async def get_mentor(mentor_id: MentorIdPath, request: Request, _: Coordinator) -> MentorOut:
    """A mentor with contact details, training, check expiry dates and current load."""
    async with runtime_of(request).unit_of_work() as uow:
        mentor = await mentors.get(uow.session, mentor_id)
        if mentor is None:
            raise registry.RegistryError(404, "unknown-mentor", f"no mentor {mentor_id}")
        return await view(uow, settings_of(request), mentor)


@router.patch("/{mentor_id}", summary="Change a mentor's details")
async def update_mentor(
    mentor_id: MentorIdPath, body: MentorPatch, request: Request, _: Coordinator
) -> MentorOut:
    """Change details; refused if it would leave an active mentor untrained or out of date (pause first)."""
    async with runtime_of(request).unit_of_work() as uow:
        mentor = await registry.update(uow, settings_of(request), mentor_id, body)
        return await view(uow, settings_of(request), mentor)


@router.post("/{mentor_id}/activate", summary="Activate a mentor")
async def activate_mentor(mentor_id: MentorIdPath, request: Request, _: Coordinator) -> MentorOut:
    """Make a trained, checked mentor available; waiting mentees are matched at once."""
    async with runtime_of(request).unit_of_work() as uow:
        mentor = await registry.make_active(uow, settings_of(request), mentor_id)
        return await view(uow, settings_of(request), mentor)


@router.post("/{mentor_id}/pause", summary="Pause a mentor")
async def pause_mentor(mentor_id: MentorIdPath, body: PauseIn, request: Request, _: Coordinator) -> MentorOut:
    """No new matches for a while; unconfirmed proposals go to other mentors."""
    async with runtime_of(request).unit_of_work() as uow:
        mentor = await registry.make_paused(uow, settings_of(request), mentor_id, body)
        return await view(uow, settings_of(request), mentor)


@router.post("/{mentor_id}/retire", summary="Retire a mentor")
async def retire_mentor(
    mentor_id: MentorIdPath, body: RetireIn, request: Request, _: Coordinator
) -> MentorOut:
    """The mentor leaves; their mentees are rematched first."""
    async with runtime_of(request).unit_of_work() as uow:
        mentor = await registry.make_retired(uow, settings_of(request), mentor_id, body)
        return await view(uow, settings_of(request), mentor)


async def view(uow: UnitOfWork, settings: MatchingSettings, mentor: Mentor) -> MentorOut:
    """The API's view of a mentor."""
    contact = await mentors.contact_of(uow.session, mentor.mentor_id)
    load = (await matches.loads(uow.session, [mentor.mentor_id])).get(mentor.mentor_id, 0)
    rules = settings.check_rules
    return MentorOut(
        mentor_id=mentor.mentor_id,
        status=mentor.status.value,
        contact=ContactIn(**contact.__dict__) if contact else None,
        conditions=list(mentor.conditions),
        training=[TrainingRecord(module=m, completed_on=d) for m, d in sorted(mentor.training.items())],
        missing_modules=missing_modules(mentor.training),
        dbs_checked_on=mentor.dbs_checked_on,
        dbs_expires_on=rules.expires_on(Check.DBS, mentor.dbs_checked_on) if mentor.dbs_checked_on else None,
        safeguarding_refreshed_on=mentor.safeguarding_refreshed_on,
        safeguarding_expires_on=(
            rules.expires_on(Check.SAFEGUARDING_REFRESHER, mentor.safeguarding_refreshed_on)
            if mentor.safeguarding_refreshed_on
            else None
        ),
        capacity=mentor.capacity,
        load=load,
        postcode_district=mentor.postcode_district,
        travel_km=mentor.travel_km,
        gender=mentor.gender,
        languages=list(mentor.languages),
        availability=sorted(mentor.availability),
        experience=sorted(x.value for x in mentor.experience),
        interests=sorted(mentor.interests),
        contact_modes=sorted(x.value for x in mentor.contact_modes),
        registered_on=mentor.registered_on,
    )
