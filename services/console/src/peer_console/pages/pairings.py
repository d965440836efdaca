"""A pairing as a coordinator sees it: mentor, mentee (by referral id), state, sessions in numbers, goals;
and its lifecycle, as the sessions service offers it: pause (coded reason), resume, end early (coded
reason), complete. The sessions service owns the rules (which state allows which action); its refusals
are shown next to the action they concern."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.session_form import PAIRING_ID
from peer_console.pages.coordinator import Coordinator
from peer_console.pages.web import apis_of, checked_form, render
from peer_console.service_apis import Api, ApiError, ServiceApis
from peer_events.events.sessions import PairingEndReason, PairingPauseReason

router = APIRouter(prefix="/coordinator/pairings")
PAUSE_REASONS: tuple[tuple[str, str], ...] = (
    ("", "Choose a reason"),
    *((r.value, r.value.replace("-", " ").capitalize()) for r in PairingPauseReason),
)
END_REASONS: tuple[tuple[str, str], ...] = (
    ("", "Choose a reason"),
    *((r.value, r.value.replace("-", " ").capitalize()) for r in PairingEndReason),
)
DONE = {
    "pause": "Pairing paused.",
    "resume": "Pairing resumed.",
    "end": "Pairing ended early.",
    "complete": "Pairing completed.",
}
SCAN_PAGE = 200
SCAN_PAGES = 5
"""The sessions API lists pairings newest first without a referral filter: a referral's pairings are
looked for among the newest SCAN_PAGE x SCAN_PAGES."""


def _known(pairing_id: str) -> str:
    # A malformed id is a page that does not exist, not a question for the service.
    if not PAIRING_ID.match(pairing_id):
        raise HTTPException(404)
    return pairing_id


async def pairings_of_referral(apis: ServiceApis, account: Account, referral_id: str) -> list[dict[str, Any]]:
    """The referral's pairings (newest first), among the newest pairings."""
    found: list[dict[str, Any]] = []
    for page in range(SCAN_PAGES):
        listed = await apis.get(account, Api.SESSIONS, "/pairings", limit=SCAN_PAGE, offset=page * SCAN_PAGE)
        found += [p for p in listed["items"] if p["referral_id"] == referral_id]
        if (page + 1) * SCAN_PAGE >= listed["total"]:
            break
    return found


async def _optional(call: Any) -> Any:
    try:
        return await call
    except ApiError:
        return None


async def _page(
    request: Request,
    account: Account,
    pairing_id: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    apis = apis_of(request)
    pairing = await apis.get(account, Api.SESSIONS, f"/pairings/{pairing_id}")
    sessions, goals, mentor = await asyncio.gather(
        apis.get(account, Api.SESSIONS, f"/pairings/{pairing_id}/sessions", limit=200),
        apis.get(account, Api.SESSIONS, f"/pairings/{pairing_id}/goals"),
        _optional(apis.get(account, Api.MATCHING, f"/mentors/{pairing['mentor_id']}")),
    )
    done = DONE.get(request.query_params.get("done", ""))
    return render(
        request,
        "pairing.html",
        status,
        title="Pairing",
        pairing=pairing,
        sessions=sessions,
        goals=goals,
        mentor=mentor,
        done=done,
        errors=errors or {},
        values=values or {},
        pause_reasons=PAUSE_REASONS,
        end_reasons=END_REASONS,
    )


@router.get("/{pairing_id}")
async def pairing(request: Request, account: Coordinator, pairing_id: str) -> Response:
    """The pairing: who, its state, its sessions in numbers and its goals, and the lifecycle actions."""
    return await _page(request, account, _known(pairing_id))


async def _act(
    request: Request,
    account: Account,
    pairing_id: str,
    action: str,
    body: dict[str, Any] | None,
    field: str,
    values: dict[str, str],
) -> Response:
    """Send one lifecycle action; a refusal is shown next to `field`, with what was chosen kept."""
    try:
        await apis_of(request).post(account, Api.SESSIONS, f"/pairings/{pairing_id}/{action}", body)
    except ApiError as exc:
        if not exc.is_refusal:
            raise
        return await _page(request, account, pairing_id, 422, {field: exc.message}, values)
    return RedirectResponse(f"/coordinator/pairings/{pairing_id}?done={action}", status_code=303)


async def _reason(
    request: Request, account: Account, pairing_id: str, action: str, field: str, codes: set[str]
) -> Response:
    form = await checked_form(request)
    reason = str(form.get(field, ""))
    values = {field: reason}
    if reason not in codes:
        message = "Choose why the pairing " + ("pauses" if action == "pause" else "ends early")
        return await _page(request, account, pairing_id, 422, {field: message}, values)
    return await _act(request, account, pairing_id, action, {"reason": reason}, field, values)


@router.post("/{pairing_id}/pause")
async def pause(request: Request, account: Coordinator, pairing_id: str) -> Response:
    """Pause an active pairing, with the coded reason."""
    codes = {r.value for r in PairingPauseReason}
    return await _reason(request, account, _known(pairing_id), "pause", "pause_reason", codes)


@router.post("/{pairing_id}/resume")
async def resume(request: Request, account: Coordinator, pairing_id: str) -> Response:
    """Resume a paused pairing."""
    await checked_form(request)
    return await _act(request, account, _known(pairing_id), "resume", None, "resume", {})


@router.post("/{pairing_id}/end")
async def end(request: Request, account: Coordinator, pairing_id: str) -> Response:
    """End an open pairing early, with the coded reason: matching may match the mentee again."""
    codes = {r.value for r in PairingEndReason}
    return await _reason(request, account, _known(pairing_id), "end", "end_reason", codes)


@router.post("/{pairing_id}/complete")
async def complete(request: Request, account: Coordinator, pairing_id: str) -> Response:
    """Complete an open pairing: support finished as planned (outcomes schedules the follow-up PAM)."""
    await checked_form(request)
    return await _act(request, account, _known(pairing_id), "complete", None, "complete", {})
