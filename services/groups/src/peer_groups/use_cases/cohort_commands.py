"""What a coordinator does to a cohort by its id: open, start, finish or cancel it; enrol a waiting
person; end a place; record a follow-up. Each locks the cohort before the lifecycle or enrolment rule
runs, so two coordinators acting at once cannot both take the last place or finish it twice."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from peer_events.events.groups import LeaveReason
from peer_groups.domain.cohort import Cohort
from peer_groups.use_cases import cohort_lifecycle, enrolment
from peer_groups.use_cases.cohort_access import RulesOf, cohort_for
from peer_groups.use_cases.cohort_starts import start_cohort
from peer_shared.messaging.unit_of_work import UnitOfWork


class CohortAction(StrEnum):
    """A move in a cohort's lifecycle a coordinator asks for."""

    OPEN = "open"
    START = "start"
    FINISH = "finish"
    CANCEL = "cancel"


async def move_cohort(
    uow: UnitOfWork, cohort_id: str, action: CohortAction, rules_of: RulesOf, *, on: date
) -> Cohort:
    """Apply one lifecycle move (409 with the lifecycle's code when the cohort's state refuses it)."""
    cohort = await cohort_for(uow, cohort_id, for_update=True)
    rules = rules_of(cohort.programme)
    match action:
        case CohortAction.OPEN:
            await cohort_lifecycle.open_cohort(uow, cohort, rules, on=on)
        case CohortAction.START:
            await start_cohort(uow, cohort, on=on, caused_by=None)
        case CohortAction.FINISH:
            await cohort_lifecycle.finish_cohort(uow, cohort, rules, on=on)
        case CohortAction.CANCEL:
            await cohort_lifecycle.cancel_cohort(uow, cohort, on=on)
    return cohort


async def enrol_member(
    uow: UnitOfWork, cohort_id: str, referral_id: str, rules_of: RulesOf, *, on: date
) -> None:
    """Give a waiting person a place in an open or running cohort."""
    cohort = await cohort_for(uow, cohort_id, for_update=True)
    await enrolment.enrol_waitlisted(uow, cohort, referral_id, rules_of(cohort.programme), on=on)


async def end_place(
    uow: UnitOfWork, cohort_id: str, referral_id: str, reason: LeaveReason, *, on: date
) -> None:
    """End a member's place for the coordinator's reason."""
    cohort = await cohort_for(uow, cohort_id, for_update=True)
    await enrolment.remove_member(uow, cohort, referral_id, reason, on=on)


async def follow_up(uow: UnitOfWork, cohort_id: str, referral_id: str, *, back: bool, on: date) -> None:
    """Record what following up a member flagged for absences found (back, or stopped attending)."""
    cohort = await cohort_for(uow, cohort_id, for_update=True)
    await enrolment.record_follow_up(uow, cohort, referral_id, back=back, on=on)
