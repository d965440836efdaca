"""The group programme's steps as the real API calls: the coordinator registers group facilitators in
matching, plans, opens, starts and finishes cohorts in the groups service, follows up a member who stops
coming and enters C19-YRSm scores; the facilitator takes each session's register.

The groups service learns of facilitators and of accepted referrals from the bus, so the driver waits
for it to list them (as a coordinator would look before planning a cohort).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from peer_events.programmes import LONG_COVID_GROUP
from peer_support_cli.demo.actions import TRAINING, mentor_body
from peer_support_cli.demo.client import Api, DemoError
from peer_support_cli.demo.group_scenario import CONDITION
from peer_support_cli.demo.group_support import C19_YRSM, C19_YRSM_VERSION, GroupSessionPlan, MeasurePlan
from peer_support_cli.demo.people import MentorProfile
from peer_support_cli.demo.state import COORDINATOR, State
from peer_support_cli.demo.steps import Step

GROUP_FACILITATION = "group-facilitation"
"""The optional training module that lets a mentor facilitate groups."""
PROGRAMME = LONG_COVID_GROUP.code
WAIT_DEADLINE = 30.0


async def _until(ready: Callable[[], Awaitable[list[str]]], what: str, deadline: float, poll: float) -> None:
    """Poll until `ready` reports nothing missing; `DemoError` naming what is missing after `deadline`."""
    give_up = time.monotonic() + deadline
    while missing := await ready():
        if time.monotonic() > give_up:
            raise DemoError(f"{what} after {deadline:.0f} s: {', '.join(missing)}")
        await asyncio.sleep(poll)


async def register_facilitators(
    api: Api, state: State, facilitators: Sequence[MentorProfile], poll: float
) -> None:
    """Register the volunteers trained in group facilitation, then wait until groups knows them as
    active facilitators (matching tells it by events)."""
    modules = (*TRAINING, GROUP_FACILITATION)
    registered = await asyncio.gather(
        *(
            api.json("matching", "POST", "/mentors", json=mentor_body(m, [CONDITION], modules), **COORDINATOR)
            for m in facilitators
        )
    )
    state.facilitator_ids = [mentor["mentor_id"] for mentor in registered]

    async def unknown() -> list[str]:
        rows = await api.json("groups", "GET", "/facilitators", **COORDINATOR)
        able = {row["mentor_id"] for row in rows if row["group_facilitator"] and row["active"]}
        return [mentor_id for mentor_id in state.facilitator_ids if mentor_id not in able]

    await _until(unknown, "groups does not list the facilitators (is matching running?)", WAIT_DEADLINE, poll)


async def await_waitlist(api: Api, state: State, keys: list[str], poll: float) -> None:
    """Wait until the groups service has put each accepted person on the programme's waitlist."""

    async def missing() -> list[str]:
        waitlist = await api.json(
            "groups", "GET", "/waitlist", params={"programme": PROGRAMME}, **COORDINATOR
        )
        waiting = {item["referral_id"] for item in waitlist["items"]}
        return [key for key in keys if state.referral_ids[key] not in waiting]

    await _until(missing, "not on the waitlist", WAIT_DEADLINE, poll)


def _cohort_path(state: State, step: Step, action: str = "") -> str:
    return f"/cohorts/{state.cohort_ids[step.cohort or '']}{action}"


async def plan_cohort(api: Api, state: State, step: Step) -> None:
    """Plan the cohort and open it: the waitlist's first people take its places, in order."""
    plan = state.cohort(step.cohort or "")
    body = {
        "programme": PROGRAMME,
        "name": plan.name,
        "starts_on": plan.starts_on.isoformat(),
        "setting": "venue",
        "venue": plan.venue,
        "facilitators": [state.facilitator_ids[i] for i in plan.facilitators],
        "max_size": len(plan.members),
        "planned_sessions": plan.planned_sessions,
        "cadence_days": plan.cadence_days,
    }
    planned = await api.json("groups", "POST", "/cohorts", json=body, **COORDINATOR)
    state.cohort_ids[plan.key] = planned["cohort_id"]
    opened = await api.json("groups", "POST", _cohort_path(state, step, "/open"), **COORDINATOR)
    enrolled = {member["referral_id"] for member in opened["members"]}
    if enrolled != {state.referral_ids[key] for key in plan.members}:
        raise DemoError(
            f"{plan.name} opened with {len(enrolled)} members, not the {len(plan.members)} waiting"
        )


async def start_cohort(api: Api, state: State, step: Step) -> None:
    """Start the cohort on its first session day (groups may have started it already: its start date
    has come, which its own check also sees)."""
    path = _cohort_path(state, step, "/start")
    response = await api.call("groups", "POST", path, expect=(200, 409), **COORDINATOR)
    if response.status_code == 409 and await _status(api, state, step) != "running":
        raise DemoError(f"cohort not started: {response.text[:400]}")


async def group_session(api: Api, state: State, step: Step) -> None:
    """The first of the session's facilitators takes the register of every current member."""
    plan = step.group_session
    assert isinstance(plan, GroupSessionPlan)
    body = {
        "status": "held",
        "held_on": plan.held_on.isoformat(),
        "duration_minutes": plan.duration_minutes,
        "setting": "venue",
        "topics": list(plan.topics),
        "facilitators": [state.facilitator_ids[i] for i in plan.facilitators],
        "register": {state.referral_ids[key]: presence for key, presence in plan.register},
    }
    who = state.facilitator(plan.facilitators[0])
    await api.call("groups", "POST", _cohort_path(state, step, "/sessions"), json=body, **who)


async def follow_up(api: Api, state: State, step: Step) -> None:
    """The coordinator sees the member flagged after two absences in a row, calls, and records that
    they have stopped coming."""
    referral_id = state.referral_ids[step.referral or ""]
    cohort = await api.json("groups", "GET", _cohort_path(state, step), **COORDINATOR)
    if not any(m["referral_id"] == referral_id and m["follow_up"] for m in cohort["members"]):
        raise DemoError(f"{step.referral} is not flagged for follow-up after two absences in a row")
    path = _cohort_path(state, step, f"/members/{referral_id}/follow-up")
    await api.call("groups", "POST", path, json=step.detail, **COORDINATOR)


async def measure(api: Api, state: State, step: Step) -> None:
    """The coordinator enters the member's C19-YRSm scale totals."""
    plan = step.measure
    assert isinstance(plan, MeasurePlan)
    body = {
        "referral_id": state.referral_ids[step.referral or ""],
        "instrument": C19_YRSM,
        "instrument_version": C19_YRSM_VERSION,
        "timepoint": plan.timepoint,
        "assessed_on": plan.assessed_on.isoformat(),
        "scores": dict(plan.scores),
    }
    await api.call("groups", "POST", "/measures", json=body, **COORDINATOR)


async def finish_cohort(api: Api, state: State, step: Step) -> None:
    """Recording the last planned session finished the cohort (groups does that by itself, and every
    remaining member's place ended, completed or not): check that it did."""
    status = await _status(api, state, step)
    if status != "finished":
        raise DemoError(f"cohort still {status} after its last planned session")


async def _status(api: Api, state: State, step: Step) -> str:
    cohort: dict[str, Any] = await api.json("groups", "GET", _cohort_path(state, step), **COORDINATOR)
    return str(cohort["status"])


GROUP_ACTIONS: dict[str, Callable[[Api, State, Step], Awaitable[None]]] = {
    "plan-cohort": plan_cohort,
    "start-cohort": start_cohort,
    "group-session": group_session,
    "finish-cohort": finish_cohort,
    "group-follow-up": follow_up,
    "measure": measure,
}
"""The group steps, by action: the first four are about a cohort, the others about one of its members."""
