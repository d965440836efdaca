"""Mentor registry operations, each in one unit of work: the change, its lifecycle events, and the
rematching it sets off (a mentor who becomes active or gains places is offered to the waitlist at once).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

from peer_matching.domain.mentee import MenteeState
from peer_matching.domain.mentor import (
    Mentor,
    MentorRuleError,
    MentorStatus,
    activate,
    check_update,
    initial_status,
    pause,
    retire,
)
from peer_matching.handlers.publishing import mentor_events
from peer_matching.handlers.rounds import lock_condition, run_round
from peer_matching.handlers.schemas import MentorIn, MentorPatch, PauseIn, RetireIn
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches, mentees, mentors
from peer_matching.store.matches import MatchStatus
from peer_matching.store.mentors import Contact
from peer_shared.clock import to_london
from peer_shared.contracts.events.matching import MentorActivated, MentorLeft, MentorPaused, MentorRegistered
from peer_shared.messaging.unit_of_work import UnitOfWork


class RegistryError(Exception):
    """A refused registry operation: HTTP status, stable code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def today(uow: UnitOfWork) -> date:
    """The UK date now."""
    return to_london(uow.clock.now()).date()


async def register(uow: UnitOfWork, settings: MatchingSettings, body: MentorIn) -> Mentor:
    """Register a mentor (as an applicant, in training, or active if trained and checked)."""
    on = today(uow)
    fields = body.model_dump(exclude={"contact", "status"})
    _refuse_future_dates(fields, on)
    draft = Mentor(
        mentor_id=f"mnt_{uuid.uuid4().hex}",
        status=MentorStatus.APPLICANT,
        registered_on=on,
        **_domain_fields(fields),
    )
    try:
        status = initial_status(draft, MentorStatus(body.status), on, settings.check_rules)
    except MentorRuleError as refused:
        raise RegistryError(422, refused.code, refused.message) from refused
    mentor = replace(draft, status=status)
    await _lock(uow, mentor)
    await mentors.add(uow.session, mentor, Contact(**body.contact.model_dump()), uow.clock.now())
    registered = MentorRegistered(
        mentor_id=mentor.mentor_id,
        registered_on=on,
        conditions=mentor.conditions,
        postcode_district=mentor.postcode_district,
        capacity=mentor.capacity,
    )
    await uow.emit(*mentor_events(mentor, settings, uow.clock, lambda: registered))
    if mentor.status is MentorStatus.ACTIVE:
        await _activated(uow, settings, mentor, on)
    return mentor


async def update(uow: UnitOfWork, settings: MatchingSettings, mentor_id: str, patch: MentorPatch) -> Mentor:
    """Change a mentor's details; an active mentor must stay fit to be active."""
    on = today(uow)
    before = await _get(uow, mentor_id)
    changes = patch.model_dump(exclude_unset=True, exclude={"contact", "in_training"})
    _refuse_future_dates(changes, on)
    after = replace(before, **_domain_fields(changes))
    if patch.in_training:
        if before.status is not MentorStatus.APPLICANT:
            raise RegistryError(
                409, "not-an-applicant", f"only an applicant moves into training ({before.status})"
            )
        after = replace(after, status=MentorStatus.IN_TRAINING)
    try:
        check_update(before, after, on, settings.check_rules)
    except MentorRuleError as refused:
        raise RegistryError(422, refused.code, refused.message) from refused
    await _lock(uow, before, after)
    load = (await matches.loads(uow.session, [mentor_id])).get(mentor_id, 0)
    if after.capacity < load:
        raise RegistryError(409, "capacity-below-load", f"the mentor already has {load} mentees")
    await mentors.save(uow.session, after, uow.clock.now())
    if patch.contact is not None:
        await mentors.save_contact(uow.session, mentor_id, Contact(**patch.contact.model_dump()))
    if after.status is MentorStatus.ACTIVE:
        for condition in sorted(after.conditions):
            await run_round(uow, settings, condition)
    return after


async def make_active(uow: UnitOfWork, settings: MatchingSettings, mentor_id: str) -> Mentor:
    """Activate a trained, checked mentor (or bring one back from a pause) and offer them to the waitlist."""
    on = today(uow)
    before = await _get(uow, mentor_id)
    try:
        mentor = activate(before, on, settings.check_rules)
    except MentorRuleError as refused:
        raise RegistryError(409, refused.code, refused.message) from refused
    await _lock(uow, mentor)
    await mentors.save(uow.session, mentor, uow.clock.now())
    await _activated(uow, settings, mentor, on)
    return mentor


async def make_paused(uow: UnitOfWork, settings: MatchingSettings, mentor_id: str, body: PauseIn) -> Mentor:
    """Pause a mentor: no new matches; proposals (and, if asked, current mentees) are rematched."""
    before = await _get(uow, mentor_id)
    try:
        mentor = pause(before)
    except MentorRuleError as refused:
        raise RegistryError(409, refused.code, refused.message) from refused
    await _lock(uow, mentor)
    await mentors.save(uow.session, mentor, uow.clock.now())
    paused = MentorPaused(
        mentor_id=mentor_id, paused_on=today(uow), reason=body.reason, expected_back_on=body.expected_back_on
    )
    await uow.emit(*mentor_events(mentor, settings, uow.clock, lambda: paused))
    await _release(uow, settings, mentor, "mentor-paused", include_confirmed=body.release_mentees)
    return mentor


async def make_retired(uow: UnitOfWork, settings: MatchingSettings, mentor_id: str, body: RetireIn) -> Mentor:
    """A mentor leaves: their matches end and their mentees are rematched first."""
    before = await _get(uow, mentor_id)
    try:
        mentor = retire(before)
    except MentorRuleError as refused:
        raise RegistryError(409, refused.code, refused.message) from refused
    await _lock(uow, mentor)
    await mentors.save(uow.session, mentor, uow.clock.now())
    left = MentorLeft(mentor_id=mentor_id, left_on=today(uow), reason=body.reason)
    await uow.emit(*mentor_events(mentor, settings, uow.clock, lambda: left))
    await _release(uow, settings, mentor, "mentor-left", include_confirmed=True)
    return mentor


async def _activated(uow: UnitOfWork, settings: MatchingSettings, mentor: Mentor, on: date) -> None:
    activated = MentorActivated(mentor_id=mentor.mentor_id, activated_on=on, capacity=mentor.capacity)
    await uow.emit(*mentor_events(mentor, settings, uow.clock, lambda: activated))
    for condition in sorted(mentor.conditions):
        await run_round(uow, settings, condition)


async def _release(
    uow: UnitOfWork, settings: MatchingSettings, mentor: Mentor, reason: str, *, include_confirmed: bool
) -> None:
    now = uow.clock.now()
    for held in await matches.open_for_mentor(uow.session, mentor.mentor_id):
        proposed = held.status == MatchStatus.PROPOSED.value
        if not proposed and not include_confirmed:
            continue
        status = MatchStatus.WITHDRAWN if proposed else MatchStatus.ENDED
        await matches.finish(uow.session, held.match_id, status, now, reason)
        await mentees.set_state(uow.session, held.referral_id, MenteeState.WAITING, now, rematch=True)
    for condition in sorted(mentor.conditions):
        await run_round(uow, settings, condition)


async def _get(uow: UnitOfWork, mentor_id: str) -> Mentor:
    found = await mentors.get(uow.session, mentor_id, for_update=True)
    if found is None:
        raise RegistryError(404, "unknown-mentor", f"no mentor {mentor_id}")
    return found


async def _lock(uow: UnitOfWork, *versions: Mentor) -> None:
    # One order for everyone (sorted), so two operations on shared conditions cannot deadlock.
    for condition in sorted({c for v in versions for c in v.conditions}):
        await lock_condition(uow, condition)


def _refuse_future_dates(fields: dict[str, Any], on: date) -> None:
    dated = [
        ("dbs_checked_on", fields.get("dbs_checked_on")),
        ("safeguarding_refreshed_on", fields.get("safeguarding_refreshed_on")),
    ]
    dated += [(f"training.{t['module']}", t["completed_on"]) for t in fields.get("training") or ()]
    for name, value in dated:
        if value is not None and value > on:
            raise RegistryError(422, "date-in-future", f"{name} is {value}, after today ({on})")


def _domain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """API field values as the domain model holds them."""
    converted = dict(fields)
    for name in ("availability", "experience", "interests", "contact_modes"):
        if name in converted:
            converted[name] = frozenset(converted[name])
    for name in ("conditions", "languages"):
        if name in converted:
            converted[name] = tuple(converted[name])
    if "training" in converted:
        converted["training"] = {t["module"]: t["completed_on"] for t in converted["training"] or ()}
    return converted
