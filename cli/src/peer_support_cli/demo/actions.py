"""Each kind of scenario step as the real API calls a coordinator or mentor would make; registering the
mentors, and waiting for matching to pair an accepted mentee."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from peer_support_cli.demo import meetings, triage
from peer_support_cli.demo.client import Api, DemoError
from peer_support_cli.demo.people import MentorProfile
from peer_support_cli.demo.state import COORDINATOR, State
from peer_support_cli.demo.steps import Step

TRAINING = (
    "mentoring", "motivational-interviewing", "goal-setting", "action-planning", "boundaries",
    "confidentiality", "safeguarding",
)  # fmt: skip


def mentor_body(m: MentorProfile, conditions: Sequence[str], modules: Sequence[str]) -> dict[str, Any]:
    """A volunteer registered as active: `modules` of training done and checks in date."""
    return {
        "contact": {"full_name": m.full_name, "email": m.email, "phone": m.phone},
        "status": "active",
        "conditions": list(conditions),
        "training": [{"module": module, "completed_on": m.trained_on.isoformat()} for module in modules],
        "dbs_checked_on": m.dbs_checked_on.isoformat(),
        "safeguarding_refreshed_on": m.safeguarding_refreshed_on.isoformat(),
        "capacity": m.capacity,
        "postcode_district": m.district,
        "travel_km": m.travel_km,
        "gender": m.gender,
        "languages": list(m.languages),
        "availability": list(m.availability),
        "experience": list(m.experience),
    }


async def register_mentors(api: Api, cohort: Sequence[MentorProfile]) -> None:
    """Register every volunteer as active: training done and checks in date."""
    await asyncio.gather(
        *(
            api.call("matching", "POST", "/mentors", json=mentor_body(m, ["t2d"], TRAINING), **COORDINATOR)
            for m in cohort
        )
    )


async def await_pairings(api: Api, state: State, keys: list[str], deadline: float, poll: float) -> None:
    """Wait until matching has matched each accepted referral and the sessions service paired them."""
    wanted = {state.referral_ids[key]: key for key in keys}
    give_up = time.monotonic() + deadline
    while True:
        page = await api.json("sessions", "GET", "/pairings", params={"limit": 200}, **COORDINATOR)
        for item in page["items"]:
            key = wanted.get(item["referral_id"])
            if key is not None and item["status"] == "active":
                state.pairings[key] = (item["id"], item["mentor_id"])
        missing = [key for key in keys if key not in state.pairings]
        if not missing:
            return
        if time.monotonic() > give_up:
            raise DemoError(
                f"no pairing after {deadline:.0f} s for {', '.join(missing)}: is matching running?"
            )
        await asyncio.sleep(poll)


ACTIONS: dict[str, Callable[[Api, State, Step], Awaitable[None]]] = {
    "contact": triage.contact,
    "consent": triage.consent,
    "accept": triage.accept,
    "reject": triage.reject,
    "baseline": meetings.baseline,
    "session": meetings.session,
    "concern": meetings.concern,
    "end": meetings.end,
    "complete": meetings.complete,
    "follow-up": meetings.follow_up,
}
