"""Recording and correcting group sessions: held (with the register) or cancelled.

A held session needs at least one facilitator valid on its day. After each record the members' runs of
absences are looked at again (flagging or clearing follow-ups), and a cohort whose last planned session
is recorded finishes. A correction replaces the record, bumps the revision and publishes it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from peer_groups import events_out
from peer_groups.domain import attendance
from peer_groups.domain.cohort import Cohort, CohortStatus
from peer_groups.domain.facilitators import check_known, require_one_valid
from peer_groups.domain.group_session import (
    SessionRecord,
    SessionStatus,
    StoredSession,
    check_record,
    with_defaults,
)
from peer_groups.domain.programme import ProgrammeRules
from peer_groups.store import cohorts_repo, facilitators_repo, group_sessions_repo
from peer_groups.use_cases.cohort_access import RulesOf, cohort_for
from peer_groups.use_cases.cohort_lifecycle import finish_cohort
from peer_groups.use_cases.cohort_starts import start_if_due
from peer_shared.auth import Principal
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import Conflict, FieldProblem, Invalid, NotFound

log = get_logger(__name__)


async def record_session(
    uow: UnitOfWork, principal: Principal, cohort_id: str, record: SessionRecord, rules_of: RulesOf
) -> StoredSession:
    """Record the cohort's next session (the cohort starts first if its start date has come)."""
    cohort = await cohort_for(uow, cohort_id, principal, for_update=True)
    rules = rules_of(cohort.programme)
    await start_if_due(uow, cohort)
    cohort.require_running()
    record = with_defaults(record, cohort.setting, rules.session_minutes)
    current = [m.referral_id for m in await cohorts_repo.members(uow.session, cohort.id) if m.is_current]
    await _check(uow, record, current)
    recorded = await group_sessions_repo.of_cohort(uow.session, cohort.id)
    stored = StoredSession(
        id=f"gss_{uuid.uuid4().hex}",
        cohort_id=cohort.id,
        number=len(recorded) + 1,
        revision=1,
        record=record,
    )
    await _save(uow, principal, cohort, stored, rules)
    if stored.number >= cohort.planned_sessions:
        await finish_cohort(uow, cohort, rules, on=uk_today(uow.clock))
    return stored


async def correct_session(
    uow: UnitOfWork,
    principal: Principal,
    cohort_id: str,
    session_id: str,
    record: SessionRecord,
    rules_of: RulesOf,
) -> StoredSession:
    """Replace a session's record with a corrected one (the next revision).

    A corrected register covers the people the first one did (those who were members that day); a
    finished cohort's sessions may still be corrected, but its completions stand as published.
    """
    cohort = await cohort_for(uow, cohort_id, principal, for_update=True)
    rules = rules_of(cohort.programme)
    if cohort.status not in (CohortStatus.RUNNING, CohortStatus.FINISHED):
        raise Conflict("cohort-not-running", f"cohort {cohort.id} is {cohort.status.value}")
    previous = await group_sessions_repo.get(uow.session, session_id, for_update=True)
    if previous is None or previous.cohort_id != cohort.id:
        raise NotFound("session-not-found", f"cohort {cohort.id} has no session {session_id}")
    record = with_defaults(record, cohort.setting, rules.session_minutes)
    if previous.record.status is SessionStatus.HELD:
        expected: Collection[str] = list(previous.record.register or {})
    else:
        expected = [m.referral_id for m in await cohorts_repo.members(uow.session, cohort.id) if m.is_current]
    await _check(uow, record, expected)
    stored = StoredSession(
        id=previous.id,
        cohort_id=cohort.id,
        number=previous.number,
        revision=previous.revision + 1,
        record=record,
    )
    await _save(uow, principal, cohort, stored, rules)
    return stored


async def _check(uow: UnitOfWork, record: SessionRecord, members: Collection[str]) -> None:
    check_record(record, members)
    if record.status is SessionStatus.HELD:
        if record.held_on > uk_today(uow.clock):
            problem = FieldProblem("body.held_on", "a held session cannot be in the future")
            raise Invalid("session-in-future", "the session has not happened yet", fields=[problem])
        known = await facilitators_repo.of(uow.session, record.facilitators)
        check_known(record.facilitators, known, "body.facilitators")
        require_one_valid(record.facilitators, known, record.held_on)


async def _save(
    uow: UnitOfWork, principal: Principal, cohort: Cohort, stored: StoredSession, rules: ProgrammeRules
) -> None:
    await group_sessions_repo.save(uow.session, stored, at=uow.clock.now(), by=principal.subject)
    await uow.emit(events_out.group_session_recorded(cohort, stored, uow.clock))
    await refresh_follow_ups(uow, cohort, rules)
    log.info(
        "group session recorded",
        cohort_id=cohort.id,
        session_id=stored.id,
        revision=stored.revision,
        status=stored.record.status.value,
    )


async def refresh_follow_ups(uow: UnitOfWork, cohort: Cohort, rules: ProgrammeRules) -> None:
    """Flag current members absent too often in a row; clear the flag where a correction undid it."""
    held = attendance.held_in_order(await group_sessions_repo.of_cohort(uow.session, cohort.id))
    for member in await cohorts_repo.members(uow.session, cohort.id, for_update=True):
        if not member.is_current:
            continue
        flag = attendance.needs_follow_up(
            member.referral_id, held, rules.absences_before_follow_up, member.follow_up_cleared_on
        )
        if flag != member.follow_up:
            member.follow_up = flag
            await cohorts_repo.save_member(uow.session, member, at=uow.clock.now())
            if flag:
                log.info("member flagged for follow-up", cohort_id=cohort.id, referral_id=member.referral_id)
