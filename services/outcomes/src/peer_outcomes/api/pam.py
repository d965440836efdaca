"""HTTP API for PAM results: coordinators enter and correct them; mentors and commissioners cannot."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Protocol

from fastapi import APIRouter, Path, status

from peer_events.codes import PamId, ReferralId
from peer_outcomes.api.bodies import PamEntryBody
from peer_outcomes.api.dependencies import Settings
from peer_outcomes.api.views import PamHistoryView, PamView
from peer_outcomes.domain.cut_points import CutPointSet
from peer_outcomes.domain.pam import PamEntry, PamRecord
from peer_outcomes.store import pam_repo
from peer_outcomes.use_cases.pam_results import correct_pam, pam_history, record_pam
from peer_shared.auth import Principal
from peer_shared.http.dependencies import Coordinator, Runtime
from peer_shared.http.problems import problem_responses
from peer_shared.messaging.unit_of_work import UnitOfWork

ERRORS = problem_responses(
    404,
    409,
    422,
    s404="Unknown referral or PAM record (`code`: unknown-referral, unknown-pam)",
    s409="Clashes with the referral's other results (`code`: baseline-exists, baseline-after-first-session, "
    "baseline-after-follow-up, no-baseline, follow-up-before-baseline, follow-up-exists, "
    "follow-up-out-of-order, too-many-corrections)",
    s422="A value is wrong (`code`: score-out-of-range, score-precision, level-out-of-range, "
    "level-contradicts-score, assessed-in-future, follow-up-number), or the body is malformed",
)
router = APIRouter(tags=["PAM results"], responses=ERRORS)
ReferralPath = Annotated[ReferralId, Path(description="The mentee's referral (pseudonymous id)")]
PamPath = Annotated[PamId, Path(description="The PAM record")]


class _Entering(Protocol):
    """`record_pam` and `correct_pam`: an entry for a referral, or a correction of a record."""

    def __call__(
        self, uow: UnitOfWork, target: str, entry: PamEntry, /, *, entered_by: str, cut_points: CutPointSet
    ) -> Awaitable[PamRecord]: ...


async def _enter(
    use_case: _Entering,
    target: str,
    body: PamEntryBody,
    principal: Principal,
    runtime: Runtime,
    settings: Settings,
) -> PamView:
    async with runtime.unit_of_work() as uow:
        pam = await use_case(
            uow, target, body.to_entry(), entered_by=principal.subject, cut_points=settings.cut_point_set()
        )
    return PamView.of(pam)


@router.post(
    "/referrals/{referral_id}/pam",
    status_code=status.HTTP_201_CREATED,
    summary="Record a PAM result for a referral",
)
async def post_pam(
    referral_id: ReferralPath,
    body: PamEntryBody,
    principal: Coordinator,
    runtime: Runtime,
    settings: Settings,
) -> PamView:
    """Record a baseline or follow-up result and publish `PamRecorded`."""
    return await _enter(record_pam, referral_id, body, principal, runtime, settings)


@router.put("/pam/{pam_id}", summary="Correct a PAM result (a new revision)")
async def put_pam(
    pam_id: PamPath, body: PamEntryBody, principal: Coordinator, runtime: Runtime, settings: Settings
) -> PamView:
    """Replace a result's values; the earlier revision is kept and `PamRecorded` is published again."""
    return await _enter(correct_pam, pam_id, body, principal, runtime, settings)


@router.get("/referrals/{referral_id}/pam", summary="A referral's PAM results")
async def list_pam(referral_id: ReferralPath, _principal: Coordinator, runtime: Runtime) -> list[PamView]:
    """Every PAM record of a referral at its current revision, oldest first."""
    async with runtime.sessions() as session:
        return [PamView.of(pam) for pam in await pam_repo.records_of(session, referral_id)]


@router.get("/pam/{pam_id}", summary="A PAM result and its revisions")
async def get_pam(pam_id: PamPath, _principal: Coordinator, runtime: Runtime) -> PamHistoryView:
    """One record at its current revision, with its whole revision history."""
    async with runtime.sessions() as session:
        pam, revisions = await pam_history(session, pam_id)
    return PamHistoryView.of_history(pam, revisions)
