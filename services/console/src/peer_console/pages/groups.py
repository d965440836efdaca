"""Group programmes for coordinators: the cohorts (by programme and status), create a cohort with its
facilitators, and the cohort page (members with attendance and follow-up flags, schedule, facilitators'
checks) with its lifecycle actions, enrolment from the waitlist and follow-up outcomes, all through the
groups service's API. The groups service owns the rules; its refusals are shown next to what they
concern, with what was chosen kept."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_console.domain.accounts import Account
from peer_console.domain.group_form import (
    COHORT_ID,
    COHORT_REFUSALS,
    ENROL_REFUSALS,
    FOLLOW_UP_REFUSALS,
    GENERAL,
    GROUP_PROGRAMMES,
    REFERRAL_ID,
    SETTINGS,
    GroupForm,
    read_cohort_form,
    refusal_errors,
)
from peer_console.pages.coordinator import Coordinator
from peer_console.pages.web import apis_of, checked_form, console_of, render
from peer_console.service_apis import Api, ApiError
from peer_shared.clock import uk_today

router = APIRouter(prefix="/coordinator/groups")
STATUSES = ("planned", "open", "running", "finished", "cancelled")
ACTIONS = {
    "open": "Cohort opened for enrolment.",
    "start": "Cohort started.",
    "finish": "Cohort finished.",
    "cancel": "Cohort cancelled: its members are back at the front of the waitlist.",
}
DONE = ACTIONS | {
    "enrolled": "Member enrolled.",
    "back": "Follow-up recorded: the member is coming back.",
    "stopped": "Follow-up recorded: the member has stopped attending.",
}
FOLLOW_UP = (("back", "Coming back"), ("stopped", "Has stopped attending"))


def known_cohort(cohort_id: str) -> str:
    """The id, or a 404 page: a malformed id is a page that does not exist, not a question for the
    service."""
    if not COHORT_ID.match(cohort_id):
        raise HTTPException(404)
    return cohort_id


async def _optional(call: Any) -> Any:
    try:
        return await call
    except ApiError:
        return None


@router.get("")
async def cohorts(request: Request, account: Coordinator, programme: str = "", status: str = "") -> Response:
    """Every cohort, or those of one programme or status."""
    params = {k: v for k, v in (("programme", programme), ("status", status)) if v}
    found = await apis_of(request).get(account, Api.GROUPS, "/cohorts", limit=200, **params)
    return render(
        request,
        "cohorts.html",
        title="Group cohorts",
        cohorts=found,
        values={"programme": programme, "status": status},
        programmes=(("", "Every programme"), *GROUP_PROGRAMMES),
        statuses=(("", "Every status"), *((s, s.capitalize()) for s in STATUSES)),
    )


async def _facilitators(request: Request, account: Account) -> list[dict[str, Any]]:
    """Mentors who may facilitate (GET /facilitators), with their names when matching answers."""
    apis = apis_of(request)
    found, mentors = await asyncio.gather(
        apis.get(account, Api.GROUPS, "/facilitators"),
        _optional(apis.get(account, Api.MATCHING, "/mentors")),
    )
    listed = mentors["items"] if isinstance(mentors, dict) else (mentors or [])
    names = {m["mentor_id"]: (m.get("contact") or {}).get("full_name") for m in listed if "mentor_id" in m}
    # A mentor who has left is no longer a facilitator groups accepts (unknown-facilitator).
    rows = [dict(f) | {"name": names.get(f["mentor_id"])} for f in found if f.get("status") != "left"]
    today = uk_today(console_of(request).clock).isoformat()
    for row in rows:
        until = row.get("checks_valid_until")
        row["ready"] = bool(row.get("active") and row.get("group_facilitator") and until and until > today)
    return sorted(rows, key=lambda r: (not r["ready"], r["name"] or r["mentor_id"]))


def _cohort_form(
    request: Request, facilitators: list[dict[str, Any]], form: GroupForm, status: int = 200
) -> Response:
    return render(
        request,
        "cohort_form.html",
        status,
        title="Plan a cohort",
        facilitators=facilitators,
        errors=form.errors,
        values=form.values,
        programmes=(("", "Choose a programme"), *GROUP_PROGRAMMES),
        settings=SETTINGS,
    )


@router.get("/new")
async def new_cohort(
    request: Request, account: Coordinator, programme: str = "", starts_on: str = ""
) -> Response:
    """The create-a-cohort form (a waitlist's proposal fills in the programme and start date)."""
    values: dict[str, Any] = {"programme": programme or GROUP_PROGRAMMES[0][0], "starts_on": starts_on}
    values |= {"setting": "venue", "facilitators": []}
    return _cohort_form(request, await _facilitators(request, account), GroupForm(values))


@router.post("")
async def create_cohort(request: Request, account: Coordinator) -> Response:
    """Create the cohort (planned); errors are shown next to their fields and nothing typed is lost."""
    form = await checked_form(request)
    facilitators = await _facilitators(request, account)
    parsed = read_cohort_form(form, [f["mentor_id"] for f in facilitators])
    if not parsed.errors:
        try:
            created = await apis_of(request).post(account, Api.GROUPS, "/cohorts", parsed.body)
        except ApiError as exc:
            if not exc.is_refusal:
                raise
            parsed.errors |= refusal_errors(exc.code, exc.message, exc.problems, COHORT_REFUSALS, "name")
        else:
            return RedirectResponse(
                f"/coordinator/groups/{created['cohort_id']}?done=created", status_code=303
            )
    return _cohort_form(request, facilitators, parsed, 422)


async def _waiting(request: Request, account: Account, cohort: dict[str, Any]) -> list[dict[str, Any]]:
    """The programme's waitlist in order, less the people who have (or had) a place in this cohort;
    empty if the waitlist cannot be read. The waitlist's `cohort_id` is the place someone holds or
    would be offered, so it cannot tell who is still waiting: one holding a place elsewhere is refused
    by the groups service (not-waiting), in its words next to the choice."""
    waitlist = await _optional(
        apis_of(request).get(account, Api.GROUPS, "/waitlist", programme=cohort["programme"])
    )
    members = {m["referral_id"] for m in cohort["members"]}
    return [w for w in (waitlist or {}).get("items", []) if w["referral_id"] not in members]


def _refusal_of(exc: ApiError, codes: frozenset[str]) -> str:
    """The groups service's words for a refusal the form shows; anything else is an error page."""
    if exc.is_refusal or exc.code in codes:
        return exc.message
    raise exc


async def cohort_page(
    request: Request,
    account: Account,
    cohort_id: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The cohort page, with errors next to the action or member they concern."""
    cohort = await apis_of(request).get(account, Api.GROUPS, f"/cohorts/{cohort_id}")
    waiting = await _waiting(request, account, cohort) if cohort["status"] in STATUSES[:3] else []
    done = request.query_params.get("done", "")
    return render(
        request,
        "cohort.html",
        status,
        title=cohort["name"],
        cohort=cohort,
        waiting=waiting,
        done="Cohort planned." if done == "created" else DONE.get(done),
        errors=errors or {},
        values=values or {},
        follow_up_choices=FOLLOW_UP,
    )


@router.get("/{cohort_id}")
async def cohort(request: Request, account: Coordinator, cohort_id: str) -> Response:
    """One cohort: members, attendance, follow-up flags, schedule, facilitators' checks and actions."""
    return await cohort_page(request, account, known_cohort(cohort_id))


@router.post("/{cohort_id}/members")
async def enrol(request: Request, account: Coordinator, cohort_id: str) -> Response:
    """Enrol a waitlisted person in the cohort."""
    form = await checked_form(request)
    cohort_id = known_cohort(cohort_id)
    referral_id = str(form.get("referral_id", "")).strip()
    values = {"referral_id": referral_id}
    if not REFERRAL_ID.match(referral_id):
        return await cohort_page(
            request, account, cohort_id, 422, {"referral_id": "Choose who to enrol"}, values
        )
    try:
        await apis_of(request).post(account, Api.GROUPS, f"/cohorts/{cohort_id}/members", values)
    except ApiError as exc:
        errors = {"referral_id": _refusal_of(exc, ENROL_REFUSALS)}
        return await cohort_page(request, account, cohort_id, 422, errors, values)
    return RedirectResponse(f"/coordinator/groups/{cohort_id}?done=enrolled", status_code=303)


@router.post("/{cohort_id}/members/{referral_id}/follow-up")
async def follow_up(request: Request, account: Coordinator, cohort_id: str, referral_id: str) -> Response:
    """Record the outcome of following up a member who missed sessions: back, or stopped attending."""
    form = await checked_form(request)
    cohort_id = known_cohort(cohort_id)
    if not REFERRAL_ID.match(referral_id):
        raise HTTPException(404)
    name = f"follow_up_{referral_id}"
    outcome = str(form.get(name, ""))
    values = {name: outcome}
    if outcome not in {code for code, _ in FOLLOW_UP}:
        return await cohort_page(
            request, account, cohort_id, 422, {name: "Choose the follow-up outcome"}, values
        )
    path = f"/cohorts/{cohort_id}/members/{referral_id}/follow-up"
    try:
        await apis_of(request).post(account, Api.GROUPS, path, {"outcome": outcome})
    except ApiError as exc:
        errors = {name: _refusal_of(exc, FOLLOW_UP_REFUSALS)}
        return await cohort_page(request, account, cohort_id, 422, errors, values)
    return RedirectResponse(f"/coordinator/groups/{cohort_id}?done={outcome}", status_code=303)


@router.post("/{cohort_id}/{action}")
async def lifecycle(request: Request, account: Coordinator, cohort_id: str, action: str) -> Response:
    """Open, start, finish or cancel the cohort; a refusal (its state does not allow it) is shown above
    the actions in the groups service's words. (Last: its path would match the member routes.)"""
    await checked_form(request)
    if action not in ACTIONS:
        raise HTTPException(404)
    cohort_id = known_cohort(cohort_id)
    try:
        await apis_of(request).post(account, Api.GROUPS, f"/cohorts/{cohort_id}/{action}")
    except ApiError as exc:
        if not exc.is_refusal:
            raise
        return await cohort_page(request, account, cohort_id, 422, {GENERAL: exc.message})
    return RedirectResponse(f"/coordinator/groups/{cohort_id}?done={action}", status_code=303)
