"""Mentor registry operations, each in one unit of work: the change, its lifecycle events, and the
rematching it sets off (a mentor who becomes active or gains places is offered to the waitlist at once).

Mentor details arrive as `Mentor` field values (`conditions`, `training`, `dbs_checked_on`...), already
in the domain's types.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from peer_events.events.matching import MentorLeaveReason, MentorPauseReason
from peer_matching import events_out
from peer_matching.domain.match import MatchStatus
from peer_matching.domain.mentee import MenteeState
from peer_matching.domain.mentor import (
    Mentor,
    MentorStatus,
    activate,
    check_update,
    credentials,
    initial_status,
    pause,
    publishes_credentials,
    retire,
)
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches_repo, mentees_repo, mentors_repo
from peer_matching.store.mentors_repo import Contact
from peer_matching.use_cases.rounds import run_round
from peer_shared.clock import uk_today
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Conflict, Invalid, NotFound


async def register(
    uow: UnitOfWork,
    settings: MatchingSettings,
    fields: Mapping[str, Any],
    contact: Contact,
    requested: MentorStatus,
) -> Mentor:
    """Register a mentor (as an applicant, in training, or active if trained and checked)."""
    on = uk_today(uow.clock)
    _refuse_future_dates(fields, on)
    draft = Mentor(
        mentor_id=f"mnt_{uuid.uuid4().hex}", status=MentorStatus.APPLICANT, registered_on=on, **fields
    )
    mentor = replace(draft, status=initial_status(draft, requested, on, settings.check_rules))
    await _lock(uow, mentor)
    await mentors_repo.add(uow.session, mentor, contact, uow.clock.now())
    await uow.emit(*events_out.mentor_registered(mentor, settings, uow.clock))
    if mentor.status is MentorStatus.ACTIVE:
        await _activated(uow, settings, mentor, on)
    return mentor


async def update(
    uow: UnitOfWork,
    settings: MatchingSettings,
    mentor_id: str,
    changes: Mapping[str, Any],
    contact: Contact | None,
    *,
    into_training: bool,
) -> Mentor:
    """Change a mentor's details (and move an applicant into training); an active mentor must stay fit
    to be active, and an active or paused mentor's changed credentials are published."""
    on = uk_today(uow.clock)
    before = await _get(uow, mentor_id)
    _refuse_future_dates(changes, on)
    after = replace(before, **changes)
    if into_training:
        if before.status is not MentorStatus.APPLICANT:
            raise Conflict("not-an-applicant", f"only an applicant moves into training ({before.status})")
        after = replace(after, status=MentorStatus.IN_TRAINING)
    check_update(before, after, on, settings.check_rules)
    await _lock(uow, before, after)
    load = (await matches_repo.loads(uow.session, [mentor_id])).get(mentor_id, 0)
    if after.capacity < load:
        raise Conflict("capacity-below-load", f"the mentor already has {load} mentees")
    await mentors_repo.save(uow.session, after, uow.clock.now())
    if contact is not None:
        await mentors_repo.save_contact(uow.session, mentor_id, contact)
    rules = settings.check_rules
    if publishes_credentials(after) and credentials(after, rules) != credentials(before, rules):
        await uow.emit(*events_out.mentor_credentials_changed(after, on, settings, uow.clock))
    if after.status is MentorStatus.ACTIVE:
        for condition in sorted(after.conditions):
            await run_round(uow, settings, condition)
    return after


async def make_active(uow: UnitOfWork, settings: MatchingSettings, mentor_id: str) -> Mentor:
    """Activate a trained, checked mentor (or bring one back from a pause) and offer them to the waitlist."""
    on = uk_today(uow.clock)
    before = await _get(uow, mentor_id)
    mentor = activate(before, on, settings.check_rules)
    await _lock(uow, mentor)
    await mentors_repo.save(uow.session, mentor, uow.clock.now())
    await _activated(uow, settings, mentor, on)
    return mentor


async def make_paused(
    uow: UnitOfWork,
    settings: MatchingSettings,
    mentor_id: str,
    reason: MentorPauseReason,
    expected_back_on: date | None,
    *,
    release_mentees: bool,
) -> Mentor:
    """Pause a mentor: no new matches; proposals (and, if asked, current mentees) are rematched."""
    before = await _get(uow, mentor_id)
    mentor = pause(before)
    await _lock(uow, mentor)
    await mentors_repo.save(uow.session, mentor, uow.clock.now())
    on = uk_today(uow.clock)
    await uow.emit(*events_out.mentor_paused(mentor, on, reason, expected_back_on, settings, uow.clock))
    await _release(uow, settings, mentor, "mentor-paused", include_confirmed=release_mentees)
    return mentor


async def make_retired(
    uow: UnitOfWork, settings: MatchingSettings, mentor_id: str, reason: MentorLeaveReason
) -> Mentor:
    """A mentor leaves: their matches end and their mentees are rematched first."""
    before = await _get(uow, mentor_id)
    mentor = retire(before)
    await _lock(uow, mentor)
    await mentors_repo.save(uow.session, mentor, uow.clock.now())
    await uow.emit(*events_out.mentor_left(mentor, uk_today(uow.clock), reason, settings, uow.clock))
    await _release(uow, settings, mentor, "mentor-left", include_confirmed=True)
    return mentor


async def _activated(uow: UnitOfWork, settings: MatchingSettings, mentor: Mentor, on: date) -> None:
    await uow.emit(*events_out.mentor_activated(mentor, on, settings, uow.clock))
    for condition in sorted(mentor.conditions):
        await run_round(uow, settings, condition)


async def _release(
    uow: UnitOfWork, settings: MatchingSettings, mentor: Mentor, reason: str, *, include_confirmed: bool
) -> None:
    now = uow.clock.now()
    for held in await matches_repo.open_for_mentor(uow.session, mentor.mentor_id):
        proposed = held.status == MatchStatus.PROPOSED.value
        if not proposed and not include_confirmed:
            continue
        status = MatchStatus.WITHDRAWN if proposed else MatchStatus.ENDED
        await matches_repo.finish(uow.session, held.match_id, status, now, reason)
        await mentees_repo.set_state(uow.session, held.referral_id, MenteeState.WAITING, now, rematch=True)
    for condition in sorted(mentor.conditions):
        await run_round(uow, settings, condition)


async def _get(uow: UnitOfWork, mentor_id: str) -> Mentor:
    found = await mentors_repo.get(uow.session, mentor_id, for_update=True)
    if found is None:
        raise NotFound("unknown-mentor", f"no mentor {mentor_id}")
    return found


async def _lock(uow: UnitOfWork, *versions: Mentor) -> None:
    # One order for everyone (sorted), so two operations on shared conditions cannot deadlock.
    for condition in sorted({c for v in versions for c in v.conditions}):
        await matches_repo.lock_condition(uow.session, condition)


def _refuse_future_dates(fields: Mapping[str, Any], on: date) -> None:
    dated = [
        ("dbs_checked_on", fields.get("dbs_checked_on")),
        ("safeguarding_refreshed_on", fields.get("safeguarding_refreshed_on")),
    ]
    dated += [(f"training.{module}", done_on) for module, done_on in (fields.get("training") or {}).items()]
    for name, value in dated:
        if value is not None and value > on:
            raise Invalid("date-in-future", f"{name} is {value}, after today ({on})")
