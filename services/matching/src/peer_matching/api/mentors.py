"""HTTP API of the mentor registry (coordinators only): register, update, activate, pause, retire, and
the checks that run out soon."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from peer_matching.api.bodies import MentorIn, MentorPatch, PauseIn, RetireIn
from peer_matching.api.dependencies import Settings
from peer_matching.api.views import ExpiringCheck, MentorOut
from peer_matching.domain.mentor import Mentor, MentorStatus, expiring
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches_repo, mentors_repo
from peer_matching.use_cases import registry
from peer_shared.http.dependencies import Coordinator, Runtime, Today
from peer_shared.http.problems import problem_responses
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import NotFound

MentorIdPath = Annotated[str, Path(pattern=r"^mnt_[0-9a-f]{32}$", description="The mentor's id")]
ERRORS = problem_responses(
    404,
    409,
    422,
    s404="No such mentor",
    s409="Not allowed in the mentor's current status",
    s422="Invalid input",
)

router = APIRouter(prefix="/mentors", tags=["mentors"], responses=ERRORS)


@router.post("", status_code=201, summary="Register a mentor")
async def register_mentor(body: MentorIn, _: Coordinator, runtime: Runtime, settings: Settings) -> MentorOut:
    """Register a volunteer; `active` is accepted only with all training done and checks in date."""
    async with runtime.unit_of_work() as uow:
        mentor = await registry.register(
            uow, settings, body.mentor_fields(), body.contact.as_contact(), MentorStatus(body.status)
        )
        return await _answer(uow, settings, mentor)


@router.get("", summary="List mentors")
async def list_mentors(
    _: Coordinator,
    runtime: Runtime,
    settings: Settings,
    status: Annotated[MentorStatus | None, Query()] = None,
) -> list[MentorOut]:
    """Every mentor, or those with one status."""
    async with runtime.unit_of_work() as uow:
        return [await _answer(uow, settings, m) for m in await mentors_repo.listed(uow.session, status)]


@router.get("/checks/expiring", summary="DBS checks and safeguarding refreshers running out")
async def expiring_checks(
    _: Coordinator,
    runtime: Runtime,
    settings: Settings,
    today: Today,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 30,
) -> list[ExpiringCheck]:
    """Checks that run out within `within_days` (or already have), soonest first; mentors who left aside."""
    async with runtime.unit_of_work() as uow:
        listed = await mentors_repo.listed(uow.session)
    by = today + timedelta(days=within_days)
    return [ExpiringCheck.of(e, today) for e in expiring(listed, by, settings.check_rules)]


@router.get("/{mentor_id}", summary="One mentor")
async def get_mentor(
    mentor_id: MentorIdPath, _: Coordinator, runtime: Runtime, settings: Settings
) -> MentorOut:
    """A mentor with contact details, training, check expiry dates and current load."""
    async with runtime.unit_of_work() as uow:
        mentor = await mentors_repo.get(uow.session, mentor_id)
        if mentor is None:
            raise NotFound("unknown-mentor", f"no mentor {mentor_id}")
        return await _answer(uow, settings, mentor)


@router.patch("/{mentor_id}", summary="Change a mentor's details")
async def update_mentor(
    mentor_id: MentorIdPath, body: MentorPatch, _: Coordinator, runtime: Runtime, settings: Settings
) -> MentorOut:
    """Change details; refused if it would leave an active mentor untrained or out of date (pause first)."""
    contact = body.contact.as_contact() if body.contact is not None else None
    async with runtime.unit_of_work() as uow:
        mentor = await registry.update(
            uow, settings, mentor_id, body.mentor_changes(), contact, into_training=bool(body.in_training)
        )
        return await _answer(uow, settings, mentor)


@router.post("/{mentor_id}/activate", summary="Activate a mentor")
async def activate_mentor(
    mentor_id: MentorIdPath, _: Coordinator, runtime: Runtime, settings: Settings
) -> MentorOut:
    """Make a trained, checked mentor available; waiting mentees are matched at once."""
    async with runtime.unit_of_work() as uow:
        mentor = await registry.make_active(uow, settings, mentor_id)
        return await _answer(uow, settings, mentor)


@router.post("/{mentor_id}/pause", summary="Pause a mentor")
async def pause_mentor(
    mentor_id: MentorIdPath, body: PauseIn, _: Coordinator, runtime: Runtime, settings: Settings
) -> MentorOut:
    """No new matches for a while; unconfirmed proposals go to other mentors."""
    async with runtime.unit_of_work() as uow:
        mentor = await registry.make_paused(
            uow, settings, mentor_id, body.reason, body.expected_back_on, release_mentees=body.release_mentees
        )
        return await _answer(uow, settings, mentor)


@router.post("/{mentor_id}/retire", summary="Retire a mentor")
async def retire_mentor(
    mentor_id: MentorIdPath, body: RetireIn, _: Coordinator, runtime: Runtime, settings: Settings
) -> MentorOut:
    """The mentor leaves; their mentees are rematched first."""
    async with runtime.unit_of_work() as uow:
        mentor = await registry.make_retired(uow, settings, mentor_id, body.reason)
        return await _answer(uow, settings, mentor)


async def _answer(uow: UnitOfWork, settings: MatchingSettings, mentor: Mentor) -> MentorOut:
    """The view of a mentor, with the contact details and load read in the same transaction."""
    contact = await mentors_repo.contact_of(uow.session, mentor.mentor_id)
    load = (await matches_repo.loads(uow.session, [mentor.mentor_id])).get(mentor.mentor_id, 0)
    return MentorOut.of(mentor, contact, load, settings.check_rules)
