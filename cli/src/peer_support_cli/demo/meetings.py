"""Support as API calls: mentors log sessions and raise concerns; the coordinator enters PAM results,
acknowledges concerns, and completes or ends pairings."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from peer_support_cli.demo.client import Api, DemoError
from peer_support_cli.demo.state import COORDINATOR, State
from peer_support_cli.demo.steps import Step
from peer_support_cli.demo.support import PamPlan, SessionPlan

PAM_DEADLINE = 30.0
CONCERN_DETAILS = "Mentee said they have stopped collecting prescriptions and are not eating properly."


async def _pam(api: Api, state: State, step: Step, timepoint: str) -> None:
    """Enter a PAM result; the outcomes service may not have heard of the referral yet, so wait for it."""
    pam = step.pam
    assert isinstance(pam, PamPlan)
    body: dict[str, Any] = {
        "timepoint": timepoint,
        "assessed_on": pam.assessed_on.isoformat(),
        "score": str(pam.score),
        "administered_by": "coordinator",
    }
    if timepoint == "follow-up":
        body["follow_up_number"] = 1
    path = f"/referrals/{state.referral_ids[step.referral or '']}/pam"
    give_up = time.monotonic() + PAM_DEADLINE
    while True:
        response = await api.call("outcomes", "POST", path, json=body, expect=(201, 404), **COORDINATOR)
        if response.status_code == 201:
            return
        if response.json().get("code") != "unknown-referral" or time.monotonic() > give_up:
            raise DemoError(f"PAM not recorded: {response.text[:400]}")
        await asyncio.sleep(0.1)


async def baseline(api: Api, state: State, step: Step) -> None:
    await _pam(api, state, step, "baseline")


async def follow_up(api: Api, state: State, step: Step) -> None:
    await _pam(api, state, step, "follow-up")


async def session(api: Api, state: State, step: Step) -> None:
    """The mentor logs the session, with the goals set and reviewed in it."""
    plan, key = step.session, step.referral or ""
    assert isinstance(plan, SessionPlan)
    goals = state.goal_ids.setdefault(key, [])
    body: dict[str, Any] = {
        "starts_at": plan.starts_at.isoformat(),
        "mode": plan.mode,
        "attendance": plan.attendance,
    }
    if plan.attended:
        body |= {
            "duration_minutes": plan.duration_minutes,
            "topics": list(plan.topics),
            "notes": plan.notes,
            "new_goals": [vars(goal) for goal in plan.new_goals],
            "goal_reviews": [
                {"goal_id": goals[r.goal], "progress": r.progress, "confidence": r.confidence}
                for r in plan.reviews
            ],
        }
    path = f"/pairings/{state.pairings[key][0]}/sessions"
    logged = await api.json("sessions", "POST", path, json=body, **state.mentor(key))
    goals.extend(logged["goal_ids"])
    state.session_ids[(key, plan.number)] = logged["id"]


async def concern(api: Api, state: State, step: Step) -> None:
    """The mentor raises a concern from a session; the coordinator acknowledges it at once."""
    key, detail = step.referral or "", step.detail
    body = {
        "category": detail["category"],
        "urgency": detail["urgency"],
        "session_id": state.session_ids[(key, int(str(detail["session"])))],
        "details": CONCERN_DETAILS,
    }
    path = f"/pairings/{state.pairings[key][0]}/safeguarding-concerns"
    raised = await api.json("sessions", "POST", path, json=body, **state.mentor(key))
    ack = {"action": detail["action"]}
    await api.call(
        "sessions", "POST", f"/safeguarding/concerns/{raised['id']}/acknowledge", json=ack, **COORDINATOR
    )


async def end(api: Api, state: State, step: Step) -> None:
    path = f"/pairings/{state.pairings[step.referral or ''][0]}/end"
    await api.call("sessions", "POST", path, json=step.detail, **COORDINATOR)


async def complete(api: Api, state: State, step: Step) -> None:
    await api.call(
        "sessions", "POST", f"/pairings/{state.pairings[step.referral or ''][0]}/complete", **COORDINATOR
    )
