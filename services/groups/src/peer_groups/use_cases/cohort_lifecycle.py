"""Creating a cohort and moving it through its lifecycle: open, start, finish, cancel.

Every change and the events it raises commit together. Finishing gives each remaining member
`MemberLeft` (completed or not-completed, by the programme's share of sessions held); cancelling
puts the members back on the waitlist at their old places.
"""

from __future__ import annotations

from datetime import date

from peer_events.events.groups import LeaveReason
from peer_groups import events_out
from peer_groups.domain import attendance
from peer_groups.domain.cohort import Cohort, CohortPlan, new_cohort
from peer_groups.domain.facilitators import check_known
from peer_groups.domain.group_session import SessionStatus
from peer_groups.domain.programme import ProgrammeRules
from peer_groups.domain.waitlist import EntryStatus
from peer_groups.store import cohorts_repo, facilitators_repo, group_sessions_repo, waitlist_repo
from peer_groups.use_cases import enrolment
from peer_groups.use_cases.cohort_starts import start_if_full
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def create_cohort(uow: UnitOfWork, plan: CohortPlan) -> Cohort:
    """Plan a cohort; its facilitators must be known mentors (not yet valid ones are allowed)."""
    known = await facilitators_repo.of(uow.session, plan.facilitators)
    check_known(plan.facilitators, known, "body.facilitators")
    cohort = new_cohort(plan)
    await cohorts_repo.add(uow.session, cohort, at=uow.clock.now())
    log.info("cohort planned", cohort_id=cohort.id, programme=cohort.programme)
    return cohort


async def open_cohort(uow: UnitOfWork, cohort: Cohort, rules: ProgrammeRules, *, on: date) -> None:
    """Open for enrolment and fill the places from the waitlist, in order (the cohort is locked)."""
    cohort.open(on)
    await cohorts_repo.save_state(uow.session, cohort, at=uow.clock.now())
    await uow.emit(events_out.cohort_opened(cohort, uow.clock))
    waiting = await waitlist_repo.of_programme(
        uow.session, cohort.programme, [EntryStatus.WAITING], for_update=True
    )
    for entry in waiting[: cohort.max_size]:
        await enrolment.enrol(uow, cohort, entry, on=on, caused_by=None)
    await start_if_full(uow, cohort, rules, on=on, caused_by=None)


async def finish_cohort(uow: UnitOfWork, cohort: Cohort, rules: ProgrammeRules, *, on: date) -> None:
    """Finish a running cohort: every remaining member leaves, completed or not; then CohortFinished."""
    cohort.finish(on)
    await cohorts_repo.save_state(uow.session, cohort, at=uow.clock.now())
    sessions = await group_sessions_repo.of_cohort(uow.session, cohort.id)
    held = attendance.held_in_order(sessions)
    cancelled = sum(1 for s in sessions if s.record.status is SessionStatus.CANCELLED)
    completed = 0
    for member in await cohorts_repo.members(uow.session, cohort.id, for_update=True):
        if not member.is_current:
            continue
        attended = attendance.attendance_of(member.referral_id, held).attended
        done = attendance.completed(attended, len(held), rules.completion_share)
        completed += done
        reason = LeaveReason.COMPLETED if done else LeaveReason.NOT_COMPLETED
        await enrolment.leave(uow, cohort, member, reason, on=on, held=held, caused_by=None)
    await uow.emit(events_out.cohort_finished(cohort, len(held), cancelled, completed, uow.clock))
    log.info("cohort finished", cohort_id=cohort.id, held=len(held), completed=completed)


async def cancel_cohort(uow: UnitOfWork, cohort: Cohort, *, on: date) -> None:
    """Call off a cohort that has not started: its members go back to the waitlist at their places."""
    cohort.cancel(on)
    await cohorts_repo.save_state(uow.session, cohort, at=uow.clock.now())
    for member in await cohorts_repo.members(uow.session, cohort.id, for_update=True):
        if member.is_current:
            await enrolment.leave(
                uow, cohort, member, LeaveReason.COORDINATOR_DECISION, on=on, held=[], caused_by=None
            )
    log.info("cohort cancelled", cohort_id=cohort.id)
