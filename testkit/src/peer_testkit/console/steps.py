"""Steps of the console's scenarios: set-up through the services' APIs (a mentor registered, a referral
made, a pairing started), reads of what the services hold, and the console's sign-in form."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from peer_matching.domain.training import TrainingModule
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, uk_today
from peer_testkit.console.platform import PASSWORD, STAFF_SUBJECT, Platform
from peer_testkit.referrals import transaction_bundle
from peer_testkit.waiting import eventually

WAIT_SECONDS = 20.0


async def register_mentor(platform: Platform) -> str:
    """A trained, checked mentor near the referred person who fits her preferences."""
    done = (uk_today(SystemClock()) - timedelta(days=30)).isoformat()
    body = {
        "contact": {"full_name": "Priya Example", "email": "priya@example.org", "phone": "07700 900123"},
        "conditions": [platform.condition],
        "training": [{"module": m.value, "completed_on": done} for m in TrainingModule],
        "dbs_checked_on": done,
        "safeguarding_refreshed_on": done,
        "postcode_district": "LS8",
        "travel_km": 10,
        "gender": "female",
        "languages": ["en", "pa"],
        "availability": ["tue-evening"],
        "contact_modes": ["in-person"],
        "experience": ["newly-diagnosed"],
        "status": "active",
    }
    response = await platform.apis["matching"].post(
        "/mentors", json=body, headers=platform.as_operator(Role.COORDINATOR)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["mentor_id"])


async def refer(platform: Platform) -> str:
    """A GP practice refers someone (the UK Core example transaction Bundle); the referral's id."""
    headers = platform.as_operator(Role.REFERRER, "ods-B86001") | {"Content-Type": "application/fhir+json"}
    response = await platform.apis["referrals"].post("/fhir", json=transaction_bundle(), headers=headers)
    assert response.status_code == 200, response.text
    queue = await platform.apis["referrals"].get("/referrals", headers=platform.as_operator(Role.COORDINATOR))
    (referral,) = queue.json()["items"]
    return str(referral["referral_id"])


async def service_json(
    platform: Platform, service: str, path: str, role: Role = Role.COORDINATOR, subject: str = STAFF_SUBJECT
) -> Any:
    """What a service holds, read with the operator's key."""
    response = await platform.apis[service].get(path, headers=platform.as_operator(role, subject))
    assert response.status_code == 200, response.text
    return response.json()


async def outcomes_knows(platform: Platform, referral_id: str) -> None:
    """Wait until the outcomes service has seen the referral (ReferralReceived, over the bus).

    The probe is a PAM entry whose level contradicts its score: refused as `unknown-referral` (404) until
    the referral is known, then as `level-contradicts-score` (422); either way nothing is recorded.
    """
    probe = {
        "timepoint": "baseline",
        "assessed_on": "2026-01-01",
        "score": 10,
        "level": 4,
        "administered_by": "coordinator",
    }

    async def known() -> bool:
        response = await platform.apis["outcomes"].post(
            f"/referrals/{referral_id}/pam", json=probe, headers=platform.as_operator(Role.COORDINATOR)
        )
        return response.status_code != 404

    await eventually(known, timeout=WAIT_SECONDS)


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Open the sign-in page and post the form with its CSRF token."""
    token = csrf_of(await client.get("/sign-in"))
    form = {"username": username, "password": password, "csrf_token": token}
    return await client.post("/sign-in", data=form)


async def pair(platform: Platform) -> tuple[str, str, str]:
    """A referral triaged and accepted, its match proposed and confirmed, and the pairing the sessions
    service starts from it, all through the services' APIs: (mentor id, referral id, pairing id)."""
    mentor_id = await register_mentor(platform)
    referral_id = await refer(platform)
    coordinator = platform.as_operator(Role.COORDINATOR)
    referrals, matching = platform.apis["referrals"], platform.apis["matching"]
    consent = {
        "peer_support": True,
        "share_outcomes_with_referrer": False,
        "contact_for_evaluation": False,
        "given_on": uk_today(SystemClock()).isoformat(),
    }
    steps = [
        (f"/referrals/{referral_id}/contact-attempts", {"method": "phone", "outcome": "reached"}),
        (f"/referrals/{referral_id}/consent", consent),
        (f"/referrals/{referral_id}/accept", {}),
    ]
    for path, body in steps:
        response = await referrals.post(path, json=body, headers=coordinator)
        assert response.status_code < 300, response.text
    proposals: list[dict[str, Any]] = []

    async def proposed() -> bool:
        proposals[:] = (
            await matching.get("/matches", params={"status": "proposed"}, headers=coordinator)
        ).json()
        return len(proposals) == 1

    await eventually(proposed, timeout=WAIT_SECONDS)
    confirmed = await matching.post(f"/matches/{proposals[0]['match_id']}/confirm", headers=coordinator)
    assert confirmed.status_code == 200, confirmed.text
    pairings: list[dict[str, Any]] = []

    async def started() -> bool:
        pairings[:] = (await service_json(platform, "sessions", "/pairings"))["items"]
        return len(pairings) == 1

    await eventually(started, timeout=WAIT_SECONDS)
    return mentor_id, referral_id, str(pairings[0]["id"])
