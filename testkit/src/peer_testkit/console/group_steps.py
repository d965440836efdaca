"""Steps of the console's group programme scenarios, on a platform whose test condition is wired to the
long Covid group programme (`whole_platform(..., programme=GROUP_PROGRAMME)`): a facilitator the groups
service knows (as matching's events would tell it), people referred by their GP and accepted onto the
group waitlist, and reads of what the groups service holds."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from nats.js import JetStreamContext

from peer_events.envelope import new_event
from peer_events.events.matching import MentorActivated, MentorRegistered
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, uk_today
from peer_testkit.console.platform import Platform
from peer_testkit.console.steps import WAIT_SECONDS, service_json
from peer_testkit.referrals import transaction_bundle
from peer_testkit.streams import publish_events
from peer_testkit.waiting import eventually

GROUP_PROGRAMME = "long-covid-group"
LONG_COVID_SNOMED = "1325161000000102"
"""Post-COVID-19 syndrome."""


async def facilitator(
    platform: Platform, js: JetStreamContext, checks_valid_until: date | None = None
) -> str:
    """A mentor trained to facilitate groups, with checks in date until `checks_valid_until` (a year from
    today unless given), told to the groups service as the matching service's events tell it; its id."""
    mentor_id = f"mnt_{uuid.uuid4().hex}"
    today = uk_today(SystemClock())
    until = checks_valid_until or today + timedelta(days=365)
    clock, condition = SystemClock(), platform.condition
    registered = MentorRegistered(
        mentor_id=mentor_id, registered_on=today, conditions=[condition], postcode_district="LS8", capacity=2
    )
    activated = MentorActivated(
        mentor_id=mentor_id, activated_on=today, capacity=2, group_facilitator=True, checks_valid_until=until
    )
    await publish_events(
        js,
        *(
            new_event(data, clock=clock, condition=condition, programme=GROUP_PROGRAMME)
            for data in (registered, activated)
        ),
    )

    async def known() -> bool:
        found = await service_json(platform, "groups", "/facilitators")
        return any(f["mentor_id"] == mentor_id and f["group_facilitator"] for f in found)

    await eventually(known, timeout=WAIT_SECONDS)
    return mentor_id


async def refer_to_group(platform: Platform) -> str:
    """Someone with long Covid referred by their GP practice, triaged and accepted: the groups service
    waitlists them (or enrols them in an open cohort with places). The referral's id."""
    referrals, coordinator = platform.apis["referrals"], platform.as_operator(Role.COORDINATOR)
    before = {
        r["referral_id"] for r in (await referrals.get("/referrals", headers=coordinator)).json()["items"]
    }
    bundle = transaction_bundle()
    request = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    )
    request["reasonCode"] = [
        {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": LONG_COVID_SNOMED,
                    "display": "Post-COVID-19 syndrome",
                }
            ]
        }
    ]
    headers = platform.as_operator(Role.REFERRER, "ods-B86001") | {"Content-Type": "application/fhir+json"}
    response = await referrals.post("/fhir", json=bundle, headers=headers)
    assert response.status_code == 200, response.text
    listed = (await referrals.get("/referrals", headers=coordinator)).json()["items"]
    (referral_id,) = {r["referral_id"] for r in listed} - before
    consent = {
        "peer_support": True,
        "share_outcomes_with_referrer": False,
        "contact_for_evaluation": False,
        "given_on": uk_today(SystemClock()).isoformat(),
    }
    for path, body in (
        (f"/referrals/{referral_id}/contact-attempts", {"method": "phone", "outcome": "reached"}),
        (f"/referrals/{referral_id}/consent", consent),
        (f"/referrals/{referral_id}/accept", {}),
    ):
        answer = await referrals.post(path, json=body, headers=coordinator)
        assert answer.status_code < 300, answer.text

    async def arrived() -> bool:
        return any(w["referral_id"] == referral_id for w in (await waitlist(platform))["items"]) or bool(
            await cohort_of(platform, referral_id)
        )

    await eventually(arrived, timeout=WAIT_SECONDS)
    return str(referral_id)


async def waitlist(platform: Platform) -> dict[str, Any]:
    """The group programme's waitlist as the groups service holds it."""
    found: dict[str, Any] = await service_json(platform, "groups", f"/waitlist?programme={GROUP_PROGRAMME}")
    return found


async def cohort_of(platform: Platform, referral_id: str) -> str | None:
    """The cohort the person is enrolled in, if any."""
    for listed in (await service_json(platform, "groups", "/cohorts?limit=200"))["items"]:
        detail = await service_json(platform, "groups", f"/cohorts/{listed['cohort_id']}")
        if any(m["referral_id"] == referral_id and m["status"] == "enrolled" for m in detail["members"]):
            return str(listed["cohort_id"])
    return None
