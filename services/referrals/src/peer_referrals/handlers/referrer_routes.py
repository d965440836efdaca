"""The referrer's view: the status of the referrals they sent (pseudonymous, so not audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from peer_referrals.handlers import views
from peer_referrals.handlers.context import Context, context
from peer_referrals.handlers.schemas import Page, ReferralSummary, decode_cursor
from peer_referrals.store import referrals_repo
from peer_shared.auth import Principal, Role, require_roles

router = APIRouter(prefix="/my/referrals", tags=["referrer"])
Referrer = Annotated[Principal, Depends(require_roles(Role.REFERRER))]
Ctx = Annotated[Context, Depends(context)]


@router.get("", summary="Status of the referrals I sent")
async def my_referrals(
    principal: Referrer,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page:
    """Each referral sent under this token's subject, with its status and any rejection reason."""
    try:
        after = decode_cursor(cursor) if cursor else None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    where = referrals_repo.QueueFilter(submitted_by=principal.subject)
    async with ctx.runtime.sessions() as session:
        rows = await referrals_repo.list_referrals(session, where, after=after, limit=limit)
    return views.page(rows, limit, ctx.today())


@router.get("/{referral_id}", summary="Status of one referral I sent")
async def my_referral(referral_id: str, principal: Referrer, ctx: Ctx) -> ReferralSummary:
    """One referral's status; another referrer's referral is not found."""
    async with ctx.runtime.sessions() as session:
        row = await referrals_repo.get_referral(session, referral_id)
    if row is None or row.submitted_by != principal.subject:
        raise HTTPException(404, detail="no such referral of yours")
    return views.summary(row, ctx.today())
