"""Starting cohorts: on their start date (a periodic check started with the app, and on each session
recorded), when full where the programme says so, or when a coordinator starts one.

Each pass of the check runs in one transaction on the runtime's clock; cohorts are locked with SKIP
LOCKED, so several replicas can run the check without starting a cohort twice.
"""

from __future__ import annotations

from datetime import date

from peer_groups import events_out
from peer_groups.domain.cohort import Cohort, CohortStatus
from peer_groups.domain.programme import ProgrammeRules
from peer_groups.events_out import Cause
from peer_groups.store import cohorts_repo
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)
BATCH = 100


async def start_cohort(uow: UnitOfWork, cohort: Cohort, *, on: date, caused_by: Cause) -> None:
    """Start an open cohort (locked by the caller) and say so."""
    cohort.start(on)
    await cohorts_repo.save_state(uow.session, cohort, at=uow.clock.now())
    members = (await cohorts_repo.member_counts(uow.session, [cohort.id]))[cohort.id]
    await uow.emit(events_out.cohort_started(cohort, members, uow.clock, caused_by))
    log.info("cohort started", cohort_id=cohort.id, members=members)


async def start_if_full(
    uow: UnitOfWork, cohort: Cohort, rules: ProgrammeRules, *, on: date, caused_by: Cause
) -> None:
    """Where the programme starts full cohorts, start this one once its places are taken."""
    if not rules.start_when_full or cohort.status is not CohortStatus.OPEN:
        return
    if (await cohorts_repo.member_counts(uow.session, [cohort.id]))[cohort.id] >= cohort.max_size:
        await start_cohort(uow, cohort, on=on, caused_by=caused_by)


async def start_if_due(uow: UnitOfWork, cohort: Cohort) -> None:
    """Start an open cohort (locked by the caller) whose start date has come."""
    today = uk_today(uow.clock)
    if cohort.due_to_start(today):
        await start_cohort(uow, cohort, on=today, caused_by=None)


async def start_due_cohorts(uow: UnitOfWork) -> int:
    """Start every open cohort whose start date has come; returns how many started."""
    due = await cohorts_repo.due_to_start(uow.session, uk_today(uow.clock), limit=BATCH)
    for cohort in due:
        await start_if_due(uow, cohort)
    return len(due)
