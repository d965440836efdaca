"""Recording and correcting PAM results (the rules, the record and `PamRecorded`, in one transaction), and
reading one back with its history."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from peer_outcomes.domain.cut_points import CutPointSet
from peer_outcomes.domain.pam import PamEntry, PamRecord, check_entry, next_revision
from peer_outcomes.domain.problems import PamProblem
from peer_outcomes.domain.timeline import check_timeline
from peer_outcomes.events_out import pam_recorded
from peer_outcomes.store import pam_repo
from peer_outcomes.store.pam_repo import ReferralContext
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import NotFound

log = get_logger(__name__)


async def record_pam(
    uow: UnitOfWork, referral_id: str, entry: PamEntry, *, entered_by: str, cut_points: CutPointSet
) -> PamRecord:
    """Record a new PAM result for a referral; raises a refusal and records nothing on any problem."""
    context = await _known_referral(uow, referral_id)
    pam_id = f"pam_{uuid.uuid4().hex}"
    return await _save(uow, context, pam_id, 1, entry, entered_by=entered_by, cut_points=cut_points)


async def correct_pam(
    uow: UnitOfWork, pam_id: str, entry: PamEntry, *, entered_by: str, cut_points: CutPointSet
) -> PamRecord:
    """Replace a record's values with a new revision; the earlier revisions are kept."""
    existing = await pam_repo.record(uow.session, pam_id)
    if existing is None:
        raise _unknown_pam(pam_id)
    context = await _known_referral(uow, existing.referral_id)
    current = await pam_repo.record(uow.session, pam_id, for_update=True)
    assert current is not None  # records are never deleted
    revision = next_revision(current.revision)
    return await _save(uow, context, pam_id, revision, entry, entered_by=entered_by, cut_points=cut_points)


async def pam_history(session: AsyncSession, pam_id: str) -> tuple[PamRecord, list[dict[str, Any]]]:
    """A record at its current revision and every revision it went through, first to last."""
    pam = await pam_repo.record(session, pam_id)
    if pam is None:
        raise _unknown_pam(pam_id)
    return pam, await pam_repo.revisions(session, pam_id)


def _unknown_pam(pam_id: str) -> NotFound:
    return NotFound(PamProblem.UNKNOWN_PAM, f"no PAM record {pam_id}")


async def _known_referral(uow: UnitOfWork, referral_id: str) -> ReferralContext:
    await pam_repo.lock_referral(uow.session, referral_id)
    context = await pam_repo.referral_context(uow.session, referral_id)
    if context is None:
        raise NotFound(
            PamProblem.UNKNOWN_REFERRAL,
            f"referral {referral_id} is not known here (no ReferralReceived has been seen for it)",
        )
    return context


async def _save(
    uow: UnitOfWork,
    context: ReferralContext,
    pam_id: str,
    revision: int,
    entry: PamEntry,
    *,
    entered_by: str,
    cut_points: CutPointSet,
) -> PamRecord:
    now = uow.clock.now()
    result = check_entry(entry, cut_points, today=uk_today(uow.clock))
    others = [
        r.result for r in await pam_repo.records_of(uow.session, context.referral_id) if r.pam_id != pam_id
    ]
    check_timeline(result, others, context.first_session_on)
    pam = PamRecord(pam_id=pam_id, referral_id=context.referral_id, revision=revision, result=result)
    event = pam_recorded(
        pam,
        clock=uow.clock,
        condition=context.condition,
        programme=context.programme,
        correlation_id=context.correlation_id,
    )
    await pam_repo.save(uow.session, pam, entered_by=entered_by, entered_at=now, event_id=event.id)
    await uow.emit(event)
    log.info("pam recorded", pam_id=pam_id, revision=revision, timepoint=result.timepoint.value)
    return pam
