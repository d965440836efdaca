"""The mentor registry for coordinators: list mentors (status, load against capacity, checks running
out), one mentor with their contact details, register, change details, activate, pause and retire, all
through the matching service's API.

Mentors' contact details are shown on these coordinator pages only; the matching service gives them to
coordinators alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_console.domain import mentor_form
from peer_console.domain.accounts import Account
from peer_console.domain.mentor_form import (
    MENTOR_ID,
    STATUSES,
    MentorForm,
    read_mentor_form,
)
from peer_console.domain.mentor_refusals import refusal_errors
from peer_console.pages.coordinator import Coordinator
from peer_console.pages.web import apis_of, checked_form, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_events.codes import ContactMode, Gender
from peer_shared.clock import uk_today

router = APIRouter(prefix="/coordinator/mentors")
STATUS_ORDER = {s: i for i, s in enumerate(("active", "paused", "in-training", "applicant", "left"))}
CHECKS = (
    ("DBS check", "dbs_checked_on", "dbs_expires_on"),
    ("Safeguarding refresher", "safeguarding_refreshed_on", "safeguarding_expires_on"),
)


def _mentor_id(value: str) -> str:
    if not MENTOR_ID.match(value):
        raise HTTPException(404)
    return value


def _today(request: Request) -> date:
    return uk_today(console_of(request).clock)


def checks_of(mentor: dict[str, Any], today: date, within_days: int) -> list[dict[str, Any]]:
    """The mentor's two safety checks: done on, runs out on, days left, and whether that needs action."""
    found = []
    for name, done_field, expires_field in CHECKS:
        expires = mentor.get(expires_field)
        days_left = (date.fromisoformat(expires) - today).days if expires else None
        if days_left is None:
            state = "missing"
        elif days_left <= 0:
            state = "expired"
        elif days_left <= within_days:
            state = "soon"
        else:
            state = "ok"
        found.append(
            {
                "name": name,
                "done_on": mentor.get(done_field),
                "expires_on": expires,
                "days_left": days_left,
                "state": state,
            }
        )
    return found


@router.get("")
async def mentors(request: Request, account: Coordinator, status: str = "") -> Response:
    """Every mentor (or those with one status): status, mentees against capacity, checks running out."""
    status = status if status in STATUSES else ""
    params = {"status": status} if status else {}
    listed: list[dict[str, Any]] = await apis_of(request).get(account, Api.MATCHING, "/mentors", **params)
    today, within = _today(request), console_of(request).settings.expiring_check_days
    for m in listed:
        m["checks"] = checks_of(m, today, within)
    listed.sort(
        key=lambda m: (STATUS_ORDER.get(m["status"], 9), (m.get("contact") or {}).get("full_name", ""))
    )
    return render(
        request,
        "mentors.html",
        title="Mentors",
        mentors=listed,
        status=status,
        statuses=STATUSES,
        within_days=within,
    )


@router.get("/new")
async def new_mentor(request: Request, account: Coordinator) -> Response:
    """The registration form."""
    values = mentor_form.blank_values(console_of(request).settings.conditions)
    return _form_page(request, None, MentorForm(values))


@router.post("")
async def register(request: Request, account: Coordinator) -> Response:
    """Register a mentor; refusals are shown next to their fields and nothing typed is lost."""
    parsed = read_mentor_form(await checked_form(request), registering=True)
    if not parsed.errors:
        try:
            created = await apis_of(request).post(account, Api.MATCHING, "/mentors", parsed.body)
        except ApiError as exc:
            if not exc.is_refusal:
                raise
            parsed.errors = refusal_errors(
                exc.code, exc.message, exc.fields, registering=True, sent=parsed.body
            )
        else:
            return RedirectResponse(f"/coordinator/mentors/{created['mentor_id']}?done=registered", 303)
    return _form_page(request, None, parsed, 422)


@router.get("/{mentor_id}")
async def mentor(request: Request, account: Coordinator, mentor_id: str) -> Response:
    """One mentor: contact details, training, checks, load, and the lifecycle actions."""
    return await _detail_page(request, account, _mentor_id(mentor_id))


@router.get("/{mentor_id}/edit")
async def edit(request: Request, account: Coordinator, mentor_id: str) -> Response:
    """The change-details form, filled with the mentor's current details."""
    found = await apis_of(request).get(account, Api.MATCHING, f"/mentors/{_mentor_id(mentor_id)}")
    return _form_page(request, found, MentorForm(mentor_form.values_of(found)))


@router.post("/{mentor_id}")
async def update(request: Request, account: Coordinator, mentor_id: str) -> Response:
    """Save changed details (the whole form: an emptied date is cleared)."""
    _mentor_id(mentor_id)
    parsed = read_mentor_form(await checked_form(request), registering=False)
    apis = apis_of(request)
    if not parsed.errors:
        try:
            await apis.patch(account, Api.MATCHING, f"/mentors/{mentor_id}", parsed.body)
        except ApiError as exc:
            if not exc.is_refusal:
                raise
            parsed.errors = refusal_errors(
                exc.code, exc.message, exc.fields, registering=False, sent=parsed.body
            )
        else:
            return RedirectResponse(f"/coordinator/mentors/{mentor_id}?done=updated", 303)
    found = await apis.get(account, Api.MATCHING, f"/mentors/{mentor_id}")
    parsed.values["status"] = found["status"]
    return _form_page(request, found, parsed, 422)


@router.post("/{mentor_id}/activate")
async def activate(request: Request, account: Coordinator, mentor_id: str) -> Response:
    """Make a trained, checked mentor available (or bring one back from a pause)."""
    _mentor_id(mentor_id)
    await checked_form(request)
    return await _act(request, account, mentor_id, "activate", None, "activate", {})


@router.post("/{mentor_id}/pause")
async def pause(request: Request, account: Coordinator, mentor_id: str) -> Response:
    """Pause an active mentor: no new matches; optionally their current mentees are rematched."""
    _mentor_id(mentor_id)
    form = await checked_form(request)
    values = {
        "pause_reason": str(form.get("pause_reason", "")),
        "expected_back_on": str(form.get("expected_back_on", "")).strip(),
        "release_mentees": "yes" if form.get("release_mentees") == "yes" else "",
    }
    errors = {}
    if values["pause_reason"] not in mentor_form.pause_reasons():
        errors["pause_reason"] = "Choose why the mentor is pausing"
    if values["expected_back_on"] and not _is_date(values["expected_back_on"]):
        errors["expected_back_on"] = "Enter the date they expect to be back, for example 2026-09-01"
    if errors:
        return await _detail_page(request, account, mentor_id, 422, errors, values)
    body = {
        "reason": values["pause_reason"],
        "expected_back_on": values["expected_back_on"] or None,
        "release_mentees": values["release_mentees"] == "yes",
    }
    return await _act(request, account, mentor_id, "pause", body, "pause_reason", values)


@router.post("/{mentor_id}/retire")
async def retire(request: Request, account: Coordinator, mentor_id: str) -> Response:
    """The mentor stops volunteering; their mentees are rematched first."""
    _mentor_id(mentor_id)
    form = await checked_form(request)
    values = {"leave_reason": str(form.get("leave_reason", ""))}
    if values["leave_reason"] not in mentor_form.leave_reasons():
        errors = {"leave_reason": "Choose why the mentor is leaving"}
        return await _detail_page(request, account, mentor_id, 422, errors, values)
    body = {"reason": values["leave_reason"]}
    return await _act(request, account, mentor_id, "retire", body, "leave_reason", values)


async def _act(
    request: Request,
    account: Account,
    mentor_id: str,
    action: str,
    body: dict[str, Any] | None,
    field: str,
    values: dict[str, str],
) -> Response:
    """One lifecycle action; a refusal (e.g. checks out of date) is shown next to `field`."""
    try:
        await apis_of(request).post(account, Api.MATCHING, f"/mentors/{mentor_id}/{action}", body)
    except ApiError as exc:
        if not exc.is_refusal:
            raise
        message = exc.message[:1].upper() + exc.message[1:]
        return await _detail_page(request, account, mentor_id, 422, {field: message}, values)
    done = {"activate": "activated", "pause": "paused", "retire": "retired"}[action]
    return RedirectResponse(f"/coordinator/mentors/{mentor_id}?done={done}", status_code=303)


async def _detail_page(
    request: Request,
    account: Account,
    mentor_id: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    found = await apis_of(request).get(account, Api.MATCHING, f"/mentors/{mentor_id}")
    within = console_of(request).settings.expiring_check_days
    return render(
        request,
        "mentor_detail.html",
        status,
        title="Mentor",
        mentor=found,
        checks=checks_of(found, _today(request), within),
        slots=dict(mentor_form.availability_slots()),
        errors=errors or {},
        values=values or {},
        pause_reasons=mentor_form.pause_reasons(),
        leave_reasons=mentor_form.leave_reasons(),
    )


def _form_page(
    request: Request, found: dict[str, Any] | None, form: MentorForm, status: int = 200
) -> Response:
    """The registration form (`found` None) or the change-details form of `found`."""
    conditions = list(console_of(request).settings.conditions)
    conditions += [c for c in form.values.get("conditions", []) if c not in conditions]
    if found:
        conditions += [c for c in found.get("conditions", []) if c not in conditions]
    return render(
        request,
        "mentor_form.html",
        status,
        title="Change a mentor's details" if found else "Register a mentor",
        mentor=found,
        errors=form.errors,
        values=form.values,
        conditions=[(c, c) for c in conditions],
        modules=[(mentor_form.training_field(m), m) for m in mentor_form.TRAINING_MODULES],
        genders=[("", "Choose"), *((g.value, g.value.replace("-", " ").capitalize()) for g in Gender)],
        slots=mentor_form.availability_slots(),
        experience=[(x, x.replace("-", " ").capitalize()) for x in mentor_form.experience_tags()],
        contact_modes=[(m.value, m.value.replace("-", " ").capitalize()) for m in ContactMode],
        start_statuses=mentor_form.START_STATUSES,
    )


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
