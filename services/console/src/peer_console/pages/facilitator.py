"""The facilitator's group pages, designed for a phone (mentor accounts): my cohorts, and take the
register of a group session (one row per member: attended, apologies or absent; date, duration, topics;
held, or cancelled with its reason). The groups service lets a mentor see only the cohorts they
facilitate, and refuses a session unless a facilitator is valid on its day; its refusals are shown next
to their field, and nothing typed is lost."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.group_form import (
    CANCEL_REASONS,
    GROUP_TOPICS,
    HELD,
    PRESENCE,
    REGISTER,
    REGISTER_REFUSALS,
    SETTINGS,
    GroupForm,
    presence_field,
    read_register_form,
    refusal_errors,
)
from peer_console.pages.groups import known_cohort
from peer_console.pages.mentor import Mentor
from peer_console.pages.web import apis_of, checked_form, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_shared.clock import uk_today

router = APIRouter(prefix="/mentor/groups")
CHOICES: dict[str, Any] = {
    "presence_choices": PRESENCE,
    "held_choices": HELD,
    "cancel_reasons": CANCEL_REASONS,
    "topic_choices": GROUP_TOPICS,
    "setting_choices": SETTINGS,
}


@router.get("")
async def my_cohorts(request: Request, account: Mentor) -> Response:
    """The cohorts the mentor facilitates, the running and open ones first."""
    found = await apis_of(request).get(account, Api.GROUPS, "/cohorts", limit=200)
    order = {s: i for i, s in enumerate(("running", "open", "planned", "finished", "cancelled"))}
    cohorts = sorted(found["items"], key=lambda c: (order.get(c["status"], 9), c["starts_on"]))
    return render(request, "facilitator_home.html", title="My groups", cohorts=cohorts)


def current_members(cohort: dict[str, Any]) -> list[dict[str, Any]]:
    """The members a register lists: those still enrolled."""
    return [m for m in cohort.get("members", []) if m.get("status") == "enrolled"]


def next_planned(cohort: dict[str, Any]) -> dict[str, Any] | None:
    """The first planned session of the schedule not yet held or cancelled."""
    return next((s for s in cohort.get("schedule", []) if s.get("status") == "planned"), None)


def _register_page(
    request: Request, account: Account, cohort: dict[str, Any], form: GroupForm, status: int = 200
) -> Response:
    return render(
        request,
        "group_register.html",
        status,
        title="Take the register",
        cohort=cohort,
        members=current_members(cohort),
        session=next_planned(cohort),
        facilitator_choices=[
            (f, "You" if f == account.api_subject else f"Co-facilitator {f[:12]}…")
            for f in cohort["facilitators"]
        ],
        errors=form.errors,
        values=form.values,
        presence_field=presence_field,
        **CHOICES,
    )


async def _cohort(request: Request, account: Account, cohort_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis_of(request).get(
        account, Api.GROUPS, f"/cohorts/{known_cohort(cohort_id)}"
    )
    return found


@router.get("/{cohort_id}/register")
async def register_form(request: Request, account: Mentor, cohort_id: str) -> Response:
    """The register of the cohort's next session: held today by this facilitator, in the cohort's setting,
    every member to mark (the length left empty is the programme's usual)."""
    cohort = await _cohort(request, account, cohort_id)
    today = uk_today(console_of(request).clock).isoformat()
    values: dict[str, Any] = {
        "status": "held",
        "held_on": today,
        "duration_minutes": "",
        "setting": cohort.get("setting", ""),
        "facilitators": [account.api_subject] if account.api_subject in cohort["facilitators"] else [],
        "topics": [],
    }
    return _register_page(request, account, cohort, GroupForm(values))


@router.post("/{cohort_id}/register")
async def take_register(request: Request, account: Mentor, cohort_id: str) -> Response:
    """Record the session with its register; errors are shown next to their fields (a member's next to
    their row) and nothing typed is lost."""
    form = await checked_form(request)
    cohort = await _cohort(request, account, cohort_id)
    members = [m["referral_id"] for m in current_members(cohort)]
    parsed = read_register_form(form, members, cohort["facilitators"])
    if not parsed.errors:
        path = f"/cohorts/{cohort['cohort_id']}/sessions"
        try:
            await apis_of(request).post(account, Api.GROUPS, path, parsed.body)
        except ApiError as exc:
            if not exc.is_refusal:
                raise
            errors = refusal_errors(exc.code, exc.message, exc.problems, REGISTER_REFUSALS, "held_on")
            # The members may have changed since the form was shown (member-missing): show them as
            # they are now, and a line about someone without a row above the register.
            cohort = await _cohort(request, account, cohort_id)
            rows = {presence_field(m["referral_id"]) for m in current_members(cohort)}
            for name in [n for n in errors if n.startswith("presence_") and n not in rows]:
                errors.setdefault(REGISTER, errors.pop(name))
            parsed.errors |= errors
        else:
            return RedirectResponse(f"/mentor/groups?recorded={cohort['cohort_id']}", status_code=303)
    return _register_page(request, account, cohort, parsed, 422)
