"""A withdrawn referral: off the waitlist, or out of its cohort; with erasure, the free text about the
person goes too (group session notes that may name them, safeguarding concern details)."""

from __future__ import annotations

from datetime import date

from peer_events.events.groups import LeaveReason
from peer_groups.domain.waitlist import Entry, EntryStatus
from peer_groups.events_out import Cause
from peer_groups.store import cohorts_repo, group_sessions_repo, waitlist_repo
from peer_groups.use_cases import concerns, enrolment
from peer_groups.use_cases.cohort_access import cohort_for
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def withdraw_referral(
    uow: UnitOfWork, unknown: Entry, *, on: date, erase: bool, caused_by: Cause
) -> None:
    """Take the referral off its programme's waitlist or out of its cohort (MemberLeft withdrew).

    A referral never waitlisted here is remembered as withdrawn (`unknown` is its entry), so an
    acceptance arriving after the withdrawal adds nothing.
    """
    session = uow.session
    # Every writer locks a cohort before the waitlist entries of its members (opening, enrolling,
    # finishing): so does this, or a withdrawal and a cohort finishing at once would deadlock.
    seen = await waitlist_repo.get(session, unknown.referral_id)
    cohort = None
    if seen is not None and seen.status is EntryStatus.ENROLLED and seen.cohort_id is not None:
        cohort = await cohort_for(uow, seen.cohort_id, for_update=True)
    entry = await waitlist_repo.get(session, unknown.referral_id, for_update=True)
    locked = cohort.id if cohort is not None else None
    if entry is not None and entry.status is EntryStatus.ENROLLED and entry.cohort_id != locked:
        # The place moved between the two reads; the consumer's redelivery runs this again.
        raise RuntimeError(f"{unknown.referral_id} changed cohort while being withdrawn")
    if entry is None:
        await waitlist_repo.add(session, unknown, at=uow.clock.now())
    elif entry.status is EntryStatus.ENROLLED and cohort is not None:
        place = await cohorts_repo.current_place(session, entry.referral_id)
        if place is not None:
            await enrolment.leave(uow, cohort, place[1], LeaveReason.WITHDREW, on=on, caused_by=caused_by)
    elif entry.status is EntryStatus.WAITING:
        await waitlist_repo.set_status(
            session, entry.referral_id, EntryStatus.WITHDRAWN, entry.cohort_id, at=uow.clock.now()
        )
    if erase:
        notes = await group_sessions_repo.erase_notes_about(session, unknown.referral_id)
        details = await concerns.erase_member_details(uow, unknown.referral_id)
        log.info(
            "referral's free text erased", referral_id=unknown.referral_id, notes=notes, concerns=details
        )
    log.info("referral withdrawn", referral_id=unknown.referral_id)
