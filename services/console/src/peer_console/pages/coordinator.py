"""The coordinator's home, ordered by urgency, and the actions taken from it: acknowledge a
safeguarding concern (one-to-one, from the sessions service, or in a group, from the groups service),
confirm or override a match proposal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.pages import Area
from peer_console.pages.web import SignedIn, apis_of, checked_form, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_events.events.safeguarding import SafeguardingAction

router = APIRouter(prefix="/coordinator")
Coordinator = Annotated[Account, Depends(SignedIn(Area.COORDINATION))]


async def _section(call: Awaitable[Any]) -> tuple[Any, str | None]:
    # One service being down must not blank the whole home page: that section says so instead.
    try:
        return await call, None
    except ApiError as exc:
        return None, exc.message


@router.get("")
async def home(request: Request, account: Coordinator) -> Response:
    """Everything awaiting a coordinator, most urgent first."""
    apis, settings = apis_of(request), console_of(request).settings
    sections = await asyncio.gather(
        _section(apis.get(account, Api.SESSIONS, "/safeguarding/concerns", open_only="true")),
        _section(apis.get(account, Api.GROUPS, "/concerns", status="open")),
        _section(apis.get(account, Api.GROUPS, "/follow-ups", limit=50)),
        _section(apis.get(account, Api.REFERRALS, "/referrals", status=["received", "contacted"])),
        _section(apis.get(account, Api.MATCHING, "/waitlist")),
        _section(apis.get(account, Api.MATCHING, "/matches", status="proposed")),
        _section(apis.get(account, Api.SESSIONS, "/pairings/quiet", days=settings.quiet_pairing_days)),
        _section(
            apis.get(
                account, Api.MATCHING, "/mentors/checks/expiring", within_days=settings.expiring_check_days
            )
        ),
    )
    (concerns, group_concerns, follow_ups, referrals, waitlist, proposals, quiet, checks) = sections
    ready = await asyncio.gather(*(apis.readiness(api) for api in Api))
    dead_letters = {api.value: body.get("dead_letters") for api, body in zip(Api, ready, strict=True)}
    return render(
        request,
        "coordinator_home.html",
        title="Coordinator home",
        concerns=concerns,
        group_concerns=group_concerns,
        follow_ups=follow_ups,
        referrals=referrals,
        waitlist=waitlist,
        proposals=proposals,
        quiet=quiet,
        checks=checks,
        dead_letters=dead_letters,
        quiet_days=settings.quiet_pairing_days,
        actions=list(SafeguardingAction),
    )


async def _acknowledge(request: Request, account: Account, api: Api, path: str) -> Response:
    form = await checked_form(request)
    action = str(form.get("action", ""))
    if action not in {a.value for a in SafeguardingAction}:
        return render(
            request,
            "error.html",
            422,
            title="Choose the action taken",
            message="Go back and choose the first action taken on the concern.",
        )
    await apis_of(request).post(account, api, path, {"action": action})
    return RedirectResponse("/coordinator?acknowledged=1", status_code=303)


@router.post("/concerns/{concern_id}/acknowledge")
async def acknowledge(request: Request, account: Coordinator, concern_id: str) -> Response:
    """Acknowledge a one-to-one safeguarding concern with the first action taken."""
    path = f"/safeguarding/concerns/{concern_id}/acknowledge"
    return await _acknowledge(request, account, Api.SESSIONS, path)


@router.post("/group-concerns/{concern_id}/acknowledge")
async def acknowledge_group_concern(request: Request, account: Coordinator, concern_id: str) -> Response:
    """Acknowledge a safeguarding concern raised in a group programme with the first action taken."""
    return await _acknowledge(request, account, Api.GROUPS, f"/concerns/{concern_id}/acknowledge")


@router.get("/matches/{match_id}")
async def match_page(request: Request, account: Coordinator, match_id: str) -> Response:
    """A proposal with its score breakdown and the mentors passed over."""
    match = await apis_of(request).get(account, Api.MATCHING, f"/matches/{match_id}")
    return render(request, "match.html", title="Match proposal", match=match, errors={}, values={})


@router.post("/matches/{match_id}/confirm")
async def confirm(request: Request, account: Coordinator, match_id: str) -> Response:
    """Confirm the proposed mentor."""
    await checked_form(request)
    await apis_of(request).post(account, Api.MATCHING, f"/matches/{match_id}/confirm")
    return RedirectResponse(f"/coordinator/matches/{match_id}?confirmed=1", status_code=303)


@router.post("/matches/{match_id}/override")
async def override(request: Request, account: Coordinator, match_id: str) -> Response:
    """Choose another mentor, with a reason; errors are shown next to the fields, input kept."""
    form = await checked_form(request)
    values = {
        "mentor_id": str(form.get("mentor_id", "")).strip(),
        "reason": str(form.get("reason", "")).strip(),
    }
    errors = {}
    if not values["mentor_id"]:
        errors["mentor_id"] = "Enter the mentor's id"
    if len(values["reason"]) < 3:
        errors["reason"] = "Give the reason for choosing another mentor"
    apis = apis_of(request)
    if not errors:
        try:
            chosen = await apis.post(account, Api.MATCHING, f"/matches/{match_id}/override", values)
        except ApiError as exc:
            if not exc.is_refusal:
                raise
            errors["mentor_id"] = exc.message
        else:
            return RedirectResponse(f"/coordinator/matches/{chosen['match_id']}?confirmed=1", status_code=303)
    match = await apis.get(account, Api.MATCHING, f"/matches/{match_id}")
    return render(
        request, "match.html", 422, title="Match proposal", match=match, errors=errors, values=values
    )
