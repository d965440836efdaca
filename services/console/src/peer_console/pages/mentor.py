"""The mentor's pages, designed for a phone: my mentees, the contact card for the first meeting, log a
session with its goals, and raise a safeguarding concern from any page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.pages import Area
from peer_console.domain.session_form import (
    CONFIDENCE,
    PAIRING_ID,
    PROGRESS,
    SessionForm,
    open_goals,
    read_session_form,
    refusal_field,
    review_field,
)
from peer_console.pages.web import SignedIn, apis_of, checked_form, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_events.codes import SessionMode, Topic
from peer_events.events.safeguarding import SafeguardingCategory, Urgency
from peer_events.events.sessions import Attendance
from peer_shared.clock import uk_today

router = APIRouter(prefix="/mentor")
Mentor = Annotated[Account, Depends(SignedIn(Area.MENTORING))]
CHOICES: dict[str, Any] = {
    "modes": list(SessionMode),
    "attendances": list(Attendance),
    "topics": list(Topic),
    "categories": list(SafeguardingCategory),
    "urgencies": list(Urgency),
    "progress_choices": PROGRESS,
    "confidence_choices": CONFIDENCE,
}


async def _pairings(request: Request, account: Account) -> list[dict[str, Any]]:
    page = await apis_of(request).get(account, Api.SESSIONS, "/pairings")
    return list(page["items"])


@router.get("")
async def my_mentees(request: Request, account: Mentor) -> Response:
    """The mentor's pairings, newest first."""
    return render(request, "mentor_home.html", title="My mentees", pairings=await _pairings(request, account))


@router.get("/pairings/{pairing_id}")
async def pairing(request: Request, account: Mentor, pairing_id: str) -> Response:
    """One mentee: the contact card (audited by referrals), sessions and goals."""
    apis = apis_of(request)
    found = await apis.get(account, Api.SESSIONS, f"/pairings/{pairing_id}")
    try:
        card = await apis.get(account, Api.REFERRALS, f"/referrals/{found['referral_id']}/contact-card")
    except ApiError as exc:
        card = {"error": exc.message}
    sessions = await apis.get(account, Api.SESSIONS, f"/pairings/{pairing_id}/sessions")
    goals = await apis.get(account, Api.SESSIONS, f"/pairings/{pairing_id}/goals")
    return render(
        request,
        "mentor_pairing.html",
        title="Mentee",
        pairing=found,
        card=card,
        sessions=sessions["items"],
        goals=goals,
    )


async def _goals_to_review(request: Request, account: Account, pairing_id: str) -> list[dict[str, Any]]:
    """The pairing's open goals (the pairing is checked to be the mentor's own by the service)."""
    if not PAIRING_ID.match(pairing_id):
        raise HTTPException(404)
    goals = await apis_of(request).get(account, Api.SESSIONS, f"/pairings/{pairing_id}/goals")
    return [dict(g) for g in open_goals(goals)]


def _session_page(
    request: Request, pairing_id: str, goals: list[dict[str, Any]], form: SessionForm, status: int = 200
) -> Response:
    return render(
        request,
        "log_session.html",
        status,
        title="Log a session",
        pairing_id=pairing_id,
        goals=goals,
        errors=form.errors,
        values=form.values,
        **CHOICES,
    )


@router.get("/pairings/{pairing_id}/sessions/new")
async def new_session(request: Request, account: Mentor, pairing_id: str) -> Response:
    """The log-a-session form, filled with today's date, with a review row for each open goal."""
    goals = await _goals_to_review(request, account, pairing_id)
    today = uk_today(console_of(request).clock)
    values = {
        "date": today.isoformat(),
        "time": "10:00",
        "duration": "60",
        "attendance": "attended",
        "confidence": "7",
    }
    values |= {review_field(goal["id"], "progress"): "" for goal in goals}
    return _session_page(request, pairing_id, goals, SessionForm(values))


@router.post("/pairings/{pairing_id}/sessions")
async def log_session(request: Request, account: Mentor, pairing_id: str) -> Response:
    """Log the session with the goals set and reviewed in it; errors are shown next to their fields and
    nothing typed is lost."""
    form = await checked_form(request)
    goals = await _goals_to_review(request, account, pairing_id)
    parsed: SessionForm = read_session_form(form, goals)
    if not parsed.errors:
        try:
            await apis_of(request).post(
                account, Api.SESSIONS, f"/pairings/{pairing_id}/sessions", parsed.body
            )
        except ApiError as exc:
            if not exc.is_refusal:
                raise
            parsed.errors[refusal_field(exc.code)] = exc.message
        else:
            return RedirectResponse(f"/mentor/pairings/{pairing_id}?logged=1", status_code=303)
    return _session_page(request, pairing_id, goals, parsed, 422)


@router.get("/concern")
async def concern_form(request: Request, account: Mentor, pairing: str = "") -> Response:
    """Raise a safeguarding concern: reached in one tap from any mentor page."""
    return render(
        request,
        "concern.html",
        title="Raise a safeguarding concern",
        pairings=await _pairings(request, account),
        errors={},
        values={"pairing_id": pairing},
        **CHOICES,
    )


@router.post("/concern")
async def raise_concern(request: Request, account: Mentor) -> Response:
    """Send the concern to the sessions service, which escalates it until a coordinator acknowledges."""
    form = await checked_form(request)
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    errors = {}
    if not values.get("pairing_id"):
        errors["pairing_id"] = "Choose who the concern is about"
    if values.get("category") not in {c.value for c in SafeguardingCategory}:
        errors["category"] = "Choose what kind of concern it is"
    if values.get("urgency") not in {u.value for u in Urgency}:
        errors["urgency"] = "Choose how urgent it is"
    if not errors:
        body = {
            "category": values["category"],
            "urgency": values["urgency"],
            "details": values.get("details") or None,
        }
        try:
            await apis_of(request).post(
                account, Api.SESSIONS, f"/pairings/{values['pairing_id']}/safeguarding-concerns", body
            )
        except ApiError as exc:
            if exc.status not in (403, 404, 409, 422):
                raise
            errors["details"] = exc.message
        else:
            return render(request, "concern_raised.html", 201, title="Concern raised")
    return render(
        request,
        "concern.html",
        422,
        title="Raise a safeguarding concern",
        pairings=await _pairings(request, account),
        errors=errors,
        values=values,
        **CHOICES,
    )
