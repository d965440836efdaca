"""Referral detail (identifiable, read with the purpose `triage` so the referrals service audits it) and
the triage actions: log a contact attempt, record consent, accept, reject."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.pages.coordinator import Coordinator
from peer_console.pages.pairings import pairings_of_referral
from peer_console.pages.web import apis_of, checked_form, render
from peer_console.service_apis import Api, ApiError
from peer_events.events.referrals import RejectionReason

router = APIRouter(prefix="/coordinator/referrals")
CONTACT_METHODS = ("phone", "sms", "email", "letter")
CONTACT_OUTCOMES = ("reached", "no-answer", "left-message", "wrong-details")


async def _page(
    request: Request,
    account: Account,
    referral_id: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    apis = apis_of(request)
    detail = await apis.get(account, Api.REFERRALS, f"/referrals/{referral_id}", purpose="triage")
    contacts = await apis.get(
        account, Api.REFERRALS, f"/referrals/{referral_id}/contact-attempts", purpose="triage"
    )
    try:
        matching = await apis.get(account, Api.MATCHING, f"/mentees/{referral_id}")
    except ApiError:
        matching = None
    try:
        # Only a referral matched at some time has a pairing (matching says so; if it cannot, look).
        had_match = matching is None or matching["state"] in ("matched", "closed") or matching["rematch"]
        pairings = await pairings_of_referral(apis, account, referral_id) if had_match else []
    except ApiError:
        pairings = []
    return render(
        request,
        "referral.html",
        status,
        title="Referral",
        detail=detail,
        contacts=contacts,
        matching=matching,
        pairings=pairings,
        errors=errors or {},
        values=values or {},
        methods=CONTACT_METHODS,
        outcomes=CONTACT_OUTCOMES,
        reasons=list(RejectionReason),
    )


@router.get("/{referral_id}")
async def referral(request: Request, account: Coordinator, referral_id: str) -> Response:
    """The referral, the person's details, the contact log and where it is in matching."""
    return await _page(request, account, referral_id)


async def _act(
    request: Request,
    account: Account,
    referral_id: str,
    form: FormData,
    path: str,
    body: dict[str, Any],
    field: str,
) -> Response:
    """Send one triage action; a refusal is shown next to `field`, with what was typed kept."""
    try:
        await apis_of(request).post(account, Api.REFERRALS, f"/referrals/{referral_id}/{path}", body)
    except ApiError as exc:
        if not exc.is_refusal:
            raise
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        return await _page(request, account, referral_id, 422, {field: exc.message}, values)
    return RedirectResponse(f"/coordinator/referrals/{referral_id}?done={path}", status_code=303)


@router.post("/{referral_id}/contact-attempts")
async def contact_attempt(request: Request, account: Coordinator, referral_id: str) -> Response:
    """Log an attempt to reach the person."""
    form = await checked_form(request)
    body = {
        "method": str(form.get("method", "")),
        "outcome": str(form.get("outcome", "")),
        "note": str(form.get("note", "")).strip() or None,
    }
    return await _act(request, account, referral_id, form, "contact-attempts", body, "method")


@router.post("/{referral_id}/consent")
async def consent(request: Request, account: Coordinator, referral_id: str) -> Response:
    """Record the person's consent, given on a date."""
    form = await checked_form(request)
    given_on = str(form.get("given_on", "")).strip()
    if form.get("peer_support") != "yes" or not _is_date(given_on):
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        message = "Confirm the person consents to peer support, and give the date (YYYY-MM-DD)"
        return await _page(request, account, referral_id, 422, {"given_on": message}, values)
    body = {
        "peer_support": True,
        "share_outcomes_with_referrer": form.get("share_outcomes_with_referrer") == "yes",
        "contact_for_evaluation": form.get("contact_for_evaluation") == "yes",
        "given_on": given_on,
    }
    return await _act(request, account, referral_id, form, "consent", body, "given_on")


@router.post("/{referral_id}/accept")
async def accept(request: Request, account: Coordinator, referral_id: str) -> Response:
    """Accept the referral (with the preferences as referred): matching takes it from here."""
    form = await checked_form(request)
    return await _act(request, account, referral_id, form, "accept", {}, "decision")


@router.post("/{referral_id}/reject")
async def reject(request: Request, account: Coordinator, referral_id: str) -> Response:
    """Turn the referral down with a coded reason."""
    form = await checked_form(request)
    body = {"reason": str(form.get("reason", ""))}
    return await _act(request, account, referral_id, form, "reject", body, "reason")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
