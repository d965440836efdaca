"""PAM entry for coordinators: a referral's Patient Activation Measure results (with their corrections),
record a baseline or follow-up, and correct a result, all through the outcomes service's API.

The outcomes service owns the rules and refuses mentors and commissioners; the console shows its refusals
next to the field they concern and keeps what was typed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.pam_form import (
    ADMINISTERED_BY,
    LEVELS,
    PAM_ID,
    REFERRAL_ID,
    TIMEPOINTS,
    PamForm,
    next_timepoint,
    read_pam_form,
    refusal_errors,
    values_of,
)
from peer_console.pages.coordinator import Coordinator
from peer_console.pages.web import apis_of, checked_form, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_console.store import accounts_repo
from peer_shared.clock import uk_today

router = APIRouter(prefix="/coordinator")
CHOICES: dict[str, Any] = {"timepoints": TIMEPOINTS, "levels": LEVELS, "administered_by": ADMINISTERED_BY}
REFUSED = (404, 409, 422)


def _known(pattern: Any, value: str) -> str:
    # A malformed id is a page that does not exist, not a question for the service.
    if not pattern.match(value):
        raise HTTPException(404)
    return value


@router.get("/pam")
async def start(request: Request, account: Coordinator, referral_id: str = "") -> Response:
    """Where PAM entry starts: type a referral id, or pick one of the current pairings."""
    referral_id = referral_id.strip()
    if referral_id and REFERRAL_ID.match(referral_id):
        return RedirectResponse(f"/coordinator/referrals/{referral_id}/pam", status_code=303)
    errors = {}
    if referral_id:
        errors["referral_id"] = "Enter a referral id: ref_ followed by 32 letters and numbers"
    try:
        pairings, unavailable = await apis_of(request).get(account, Api.SESSIONS, "/pairings", limit=50), None
    except ApiError as exc:
        pairings, unavailable = {"items": [], "total": 0}, exc.message
    return render(
        request,
        "pam_start.html",
        422 if errors else 200,
        title="PAM results",
        errors=errors,
        values={"referral_id": referral_id},
        pairings=pairings,
        unavailable=unavailable,
    )


@router.get("/referrals/{referral_id}/pam")
async def referral_results(request: Request, account: Coordinator, referral_id: str) -> Response:
    """A referral's PAM results, corrections included, and the form to record the next one."""
    _known(REFERRAL_ID, referral_id)
    results = await _history(request, account, referral_id)
    today = uk_today(console_of(request).clock).isoformat()
    values = {"assessed_on": today, "tool_version": "pam-13", **next_timepoint(results)}
    return await _referral_page(request, account, referral_id, results, PamForm(values))


@router.post("/referrals/{referral_id}/pam")
async def record(request: Request, account: Coordinator, referral_id: str) -> Response:
    """Record a result; the outcomes service's refusals are shown next to their fields, input kept."""
    _known(REFERRAL_ID, referral_id)
    parsed = read_pam_form(await checked_form(request))
    if not parsed.errors:
        try:
            stored = await apis_of(request).post(
                account, Api.OUTCOMES, f"/referrals/{referral_id}/pam", parsed.body
            )
        except ApiError as exc:
            if exc.status not in REFUSED:
                raise
            parsed.errors = refusal_errors(exc.code, exc.message, exc.fields)
        else:
            return RedirectResponse(f"/coordinator/pam/{stored['pam_id']}?recorded=1", status_code=303)
    results = await _history(request, account, referral_id)
    return await _referral_page(request, account, referral_id, results, parsed, 422)


@router.get("/pam/{pam_id}")
async def result(request: Request, account: Coordinator, pam_id: str) -> Response:
    """One result as stored (level reported or worked out from the score), its revisions, and a
    correction form filled with its current values."""
    _known(PAM_ID, pam_id)
    found = await apis_of(request).get(account, Api.OUTCOMES, f"/pam/{pam_id}")
    return await _result_page(request, found, PamForm(values_of(found)))


@router.post("/pam/{pam_id}")
async def correct(request: Request, account: Coordinator, pam_id: str) -> Response:
    """Correct a result: a new revision; the earlier ones are kept by the outcomes service."""
    _known(PAM_ID, pam_id)
    parsed = read_pam_form(await checked_form(request))
    apis = apis_of(request)
    if not parsed.errors:
        try:
            await apis.put(account, Api.OUTCOMES, f"/pam/{pam_id}", parsed.body)
        except ApiError as exc:
            if exc.status not in REFUSED or exc.code == "unknown-pam":
                raise
            parsed.errors = refusal_errors(exc.code, exc.message, exc.fields)
        else:
            return RedirectResponse(f"/coordinator/pam/{pam_id}?corrected=1", status_code=303)
    found = await apis.get(account, Api.OUTCOMES, f"/pam/{pam_id}")
    return await _result_page(request, found, parsed, 422)


async def _history(request: Request, account: Account, referral_id: str) -> list[dict[str, Any]]:
    """The referral's results, each with its revisions when it has been corrected."""
    apis = apis_of(request)
    results: list[dict[str, Any]] = await apis.get(account, Api.OUTCOMES, f"/referrals/{referral_id}/pam")
    corrected = [r for r in results if r["revision"] > 1]
    histories = await asyncio.gather(
        *(apis.get(account, Api.OUTCOMES, f"/pam/{r['pam_id']}") for r in corrected)
    )
    revisions = {h["pam_id"]: h["revisions"] for h in histories}
    for r in results:
        r["revisions"] = revisions.get(r["pam_id"], [])
    return results


async def _referral_page(
    request: Request,
    account: Account,
    referral_id: str,
    results: list[dict[str, Any]],
    form: PamForm,
    status: int = 200,
) -> Response:
    entered_by = {rev["entered_by"] for r in results for rev in r["revisions"]}
    return render(
        request,
        "pam_referral.html",
        status,
        title="PAM results",
        referral_id=referral_id,
        results=results,
        names=await _names(request, entered_by),
        errors=form.errors,
        values=form.values,
        **CHOICES,
    )


async def _result_page(request: Request, found: dict[str, Any], form: PamForm, status: int = 200) -> Response:
    return render(
        request,
        "pam_result.html",
        status,
        title="PAM result",
        result=found,
        names=await _names(request, {rev["entered_by"] for rev in found["revisions"]}),
        errors=form.errors,
        values=form.values,
        **CHOICES,
    )


async def _names(request: Request, account_ids: set[str]) -> dict[str, str]:
    """Console accounts' names for the ids that entered results (others are shown as their id)."""
    names = {}
    async with console_of(request).sessions() as session:
        for account_id in sorted(account_ids):
            found = await accounts_repo.by_id(session, account_id)
            if found is not None:
                names[account_id] = found.display_name
    return names
