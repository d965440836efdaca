"""The coordinator's triage as API calls: opening new referrals, contact, consent, accept or reject."""

from __future__ import annotations

from typing import Any

from peer_support_cli.demo.client import Api, DemoError
from peer_support_cli.demo.state import COORDINATOR, State
from peer_support_cli.demo.steps import Step


async def read_new_referrals(api: Api, state: State, arrived: int) -> None:
    """Open each new referral in the work queue (an audited read, for triage) to learn whose it is."""
    page = await api.json(
        "referrals", "GET", "/referrals", params={"status": "received", "limit": 200}, **COORDINATOR
    )
    keys = {r.person.nhs_number: r.key for r in state.scenario.referrals}
    known = set(state.referral_ids.values())
    new = [item["referral_id"] for item in page["items"] if item["referral_id"] not in known]
    if len(new) != arrived:
        raise DemoError(f"{arrived} referrals were sent but {len(new)} new ones are in the work queue")
    for referral_id in new:
        detail = await api.json(
            "referrals", "GET", f"/referrals/{referral_id}", params={"purpose": "triage"}, **COORDINATOR
        )
        state.referral_ids[keys[detail["person"]["nhs_number"]]] = referral_id


def _referral_path(state: State, step: Step, action: str) -> str:
    return f"/referrals/{state.referral_ids[step.referral or '']}/{action}"


async def contact(api: Api, state: State, step: Step) -> None:
    await api.call(
        "referrals", "POST", _referral_path(state, step, "contact-attempts"), json=step.detail, **COORDINATOR
    )


async def consent(api: Api, state: State, step: Step) -> None:
    body = {
        "peer_support": True,
        "share_outcomes_with_referrer": True,
        "contact_for_evaluation": True,
        "given_on": str(step.detail["given_on"]),
    }
    await api.call("referrals", "POST", _referral_path(state, step, "consent"), json=body, **COORDINATOR)


async def accept(api: Api, state: State, step: Step) -> None:
    """Accept with the preferences confirmed on the phone (HL7 referrals carry none of their own)."""
    found: dict[str, list[str]] = {}
    codes = step.detail["preferences"]
    assert isinstance(codes, tuple)
    for code in codes:
        kind, value = code.split(":")
        found.setdefault(kind, []).append(value)
    preferences: dict[str, Any] = {
        "languages": found.get("language", []),
        "availability": found.get("availability", []),
        "contact_modes": found.get("contact-mode", []),
        "experience": found.get("experience", []),
    }
    if "mentor-gender" in found:
        preferences["preferred_mentor_gender"] = found["mentor-gender"][0]
    body = {"preferences": preferences}
    await api.call("referrals", "POST", _referral_path(state, step, "accept"), json=body, **COORDINATOR)


async def reject(api: Api, state: State, step: Step) -> None:
    await api.call(
        "referrals", "POST", _referral_path(state, step, "reject"), json=step.detail, **COORDINATOR
    )
