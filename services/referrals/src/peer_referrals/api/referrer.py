"""The referrer's view: the status of the referrals they sent (pseudonymous, so not audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from peer_referrals.api import views
from peer_referrals.api.paging import BAD_CURSOR, After
from peer_referrals.api.views import Page, ReferralSummary
from peer_referrals.domain.refusals import referral_not_found
from peer_referrals.store import referrals_repo
from peer_shared.auth import Principal, Role, require_roles
from peer_shared.http.dependencies import Runtime, Today
from peer_shared.http.problems import problem_responses

router = APIRouter(prefix="/my/referrals", tags=["referrer"], responses=problem_responses(404))
Referrer = Annotated[Principal, Depends(require_roles(Role.REFERRER))]


@router.get("", summary="Status of the referrals I sent", responses=BAD_CURSOR)
async def my_referrals(
    principal: Referrer,
    runtime: Runtime,
    today: Today,
    after: After,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    """Each referral sent under this token's subject, with its status and any rejection reason."""
    where = referrals_repo.QueueFilter(submitted_by=principal.subject)
    async with runtime.sessions() as session:
        rows = await referrals_repo.list_referrals(session, where, after=after, limit=limit)
    return views.page(rows, limit, today)


@router.get("/{referral_id}", summary="Status of one referral I sent")
async def my_referral(
    referral_id: str, principal: Referrer, runtime: Runtime, today: Today
) -> ReferralSummary:
    """One referral's status; another referrer's referral is not found."""
    async with runtime.sessions() as session:
        row = await referrals_repo.get_referral(session, referral_id)
    if row is None or row.submitted_by != principal.subject:
        raise referral_not_found(referral_id, "no such referral of yours")
    return views.summary(row, today)
