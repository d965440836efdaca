"""The waitlist and places: a referral joins its programme's waitlist, takes a place in a cohort
(at once when one is open, when one opens, or when a coordinator enrols them), and leaves it.

A place ended by a coordinator's decision (or a cancelled cohort) puts the person back on the waitlist
at their old place; any other ending takes them off it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from peer_events.events.groups import LeaveReason
from peer_groups import events_out
from peer_groups.domain import attendance
from peer_groups.domain.cohort import Cohort, CohortStatus, Member
from peer_groups.domain.group_session import StoredSession
from peer_groups.domain.programme import ProgrammeRules
from peer_groups.domain.waitlist import Entry, EntryStatus
from peer_groups.events_out import Cause
from peer_groups.store import cohorts_repo, group_sessions_repo, waitlist_repo
from peer_groups.use_cases.cohort_starts import start_if_full
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Conflict, NotFound

log = get_logger(__name__)

_BACK_ON_WAITLIST = {LeaveReason.COORDINATOR_DECISION}


async def waitlist_referral(
    uow: UnitOfWork, entry: Entry, rules: ProgrammeRules, *, caused_by: Cause
) -> bool:
    """Put an accepted referral on its programme's waitlist; enrol it at once in the earliest open
    cohort with a free place. False when the referral was known already (nothing changes)."""
    if not await waitlist_repo.add(uow.session, entry, at=uow.clock.now()):
        return False
    # Locking the open cohorts first keeps two enrolments from taking the same last place.
    open_cohorts = await cohorts_repo.of_programme(
        uow.session, entry.programme, [CohortStatus.OPEN], for_update=True
    )
    counts = await cohorts_repo.member_counts(uow.session, [c.id for c in open_cohorts])
    for cohort in open_cohorts:
        if counts[cohort.id] < cohort.max_size:
            await enrol(uow, cohort, entry, on=entry.waitlisted_on, caused_by=caused_by)
            await start_if_full(uow, cohort, rules, on=entry.waitlisted_on, caused_by=caused_by)
            break
    log.info("referral waitlisted", referral_id=entry.referral_id, programme=entry.programme)
    return True


async def enrol(uow: UnitOfWork, cohort: Cohort, entry: Entry, *, on: date, caused_by: Cause) -> Member:
    """Give a waiting referral a place in the cohort (both locked by the caller)."""
    member = Member(
        cohort_id=cohort.id,
        referral_id=entry.referral_id,
        enrolled_on=on,
        waitlisted_on=entry.waitlisted_on,
        correlation_id=entry.correlation_id,
    )
    await cohorts_repo.add_member(uow.session, member, at=uow.clock.now())
    await waitlist_repo.set_status(
        uow.session, entry.referral_id, EntryStatus.ENROLLED, cohort.id, at=uow.clock.now()
    )
    await uow.emit(events_out.member_enrolled(cohort, member, uow.clock, caused_by))
    return member


async def enrol_waitlisted(
    uow: UnitOfWork, cohort: Cohort, referral_id: str, rules: ProgrammeRules, *, on: date
) -> Member:
    """A coordinator gives a waiting person a place in an open or running cohort (locked)."""
    if not cohort.takes_members:
        raise Conflict("cohort-not-open", f"cohort {cohort.id} is {cohort.status.value}: it takes nobody")
    entry = await waitlist_repo.get(uow.session, referral_id, for_update=True)
    if entry is None or entry.programme != cohort.programme:
        raise NotFound("not-on-waitlist", f"{referral_id} is not on the {cohort.programme} waitlist")
    if entry.status is not EntryStatus.WAITING:
        raise Conflict("not-waiting", f"{referral_id} is {entry.status.value}, not waiting")
    members = await cohorts_repo.members(uow.session, cohort.id)
    if any(m.referral_id == referral_id for m in members):
        raise Conflict("left-this-cohort", f"{referral_id} has already had a place in cohort {cohort.id}")
    if sum(1 for m in members if m.is_current) >= cohort.max_size:
        raise Conflict("cohort-full", f"cohort {cohort.id} has no free place")
    member = await enrol(uow, cohort, entry, on=on, caused_by=None)
    await start_if_full(uow, cohort, rules, on=on, caused_by=None)
    return member


async def leave(
    uow: UnitOfWork,
    cohort: Cohort,
    member: Member,
    reason: LeaveReason,
    *,
    on: date,
    held: Sequence[StoredSession] | None = None,
    caused_by: Cause,
) -> None:
    """End a member's place (locked) and say so, with their attendance over the sessions held."""
    if held is None:
        held = attendance.held_in_order(await group_sessions_repo.of_cohort(uow.session, cohort.id))
    member.leave(on, reason)
    now = uow.clock.now()
    await cohorts_repo.save_member(uow.session, member, at=now)
    if reason in _BACK_ON_WAITLIST:
        await waitlist_repo.set_status(uow.session, member.referral_id, EntryStatus.WAITING, None, at=now)
    else:
        ending = EntryStatus.WITHDRAWN if reason is LeaveReason.WITHDREW else EntryStatus.DONE
        await waitlist_repo.set_status(uow.session, member.referral_id, ending, cohort.id, at=now)
    attended = attendance.attendance_of(member.referral_id, held).attended
    await uow.emit(events_out.member_left(cohort, member, attended, len(held), uow.clock, caused_by))
    log.info("member left", cohort_id=cohort.id, referral_id=member.referral_id, reason=reason.value)


async def current_member(uow: UnitOfWork, cohort: Cohort, referral_id: str) -> Member:
    """The referral's current place in the cohort (locked), or 404 / 409."""
    found = [
        m
        for m in await cohorts_repo.members(uow.session, cohort.id, for_update=True)
        if m.referral_id == referral_id
    ]
    if not found:
        raise NotFound("member-not-found", f"{referral_id} has no place in cohort {cohort.id}")
    if not found[0].is_current:
        raise Conflict("member-not-enrolled", f"{referral_id} has already left cohort {cohort.id}")
    return found[0]


async def remove_member(
    uow: UnitOfWork, cohort: Cohort, referral_id: str, reason: LeaveReason, *, on: date
) -> None:
    """A coordinator ends a member's place (moved on, or stopped attending)."""
    if cohort.is_over:
        raise Conflict("cohort-over", f"cohort {cohort.id} is {cohort.status.value}")
    await leave(uow, cohort, await current_member(uow, cohort, referral_id), reason, on=on, caused_by=None)


async def record_follow_up(
    uow: UnitOfWork, cohort: Cohort, referral_id: str, *, back: bool, on: date
) -> None:
    """The coordinator followed up a member flagged for absences: back (the flag clears and the count
    starts again) or stopped (the place ends)."""
    member = await current_member(uow, cohort, referral_id)
    if not member.follow_up:
        raise Conflict("no-follow-up-due", f"{referral_id} is not flagged for follow-up")
    if not back:
        await leave(uow, cohort, member, LeaveReason.STOPPED_ATTENDING, on=on, caused_by=None)
        return
    member.follow_up, member.follow_up_cleared_on = False, on
    await cohorts_repo.save_member(uow.session, member, at=uow.clock.now())
