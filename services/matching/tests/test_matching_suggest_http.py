"""`suggest` mode over HTTP: a proposal waits for a coordinator with its explanation; confirming or
overriding it (with a reason, to an eligible mentor only) publishes `MentorMatched`."""

from __future__ import annotations

import functools

import pytest
from nats.js import JetStreamContext

from peer_events.events.matching import ConfirmedBy, MatchMode, MatchReason, MentorMatched
from peer_testkit.harness import ServiceHarness
from peer_testkit.matching import COORDINATOR, mentor_body, referral_events, snapshot
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def proposals(matching: ServiceHarness, condition: str) -> list[dict]:
    response = await matching.client.get("/matches", params={"status": "proposed", "condition": condition})
    return response.json()


async def test_a_coordinator_confirms_or_overrides_a_proposal(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    body = functools.partial(mentor_body, matching)
    near = (await matching.client.post("/mentors", json=body(condition))).json()
    farther = (await matching.client.post("/mentors", json=body(condition, postcode_district="M4"))).json()
    man = (await matching.client.post("/mentors", json=body(condition, gender="male"))).json()
    programme = f"{condition}-suggest"
    first = referral_events(condition, programme=programme, preferences={"preferred_mentor_gender": "female"})
    for event in first:
        await matching.publish(event)

    async def proposed() -> bool:
        return len(await proposals(matching, condition)) == 1

    await eventually(proposed)
    (proposal,) = await proposals(matching, condition)
    assert proposal["mentor_id"] == near["mentor_id"] and proposal["mode"] == "suggest"
    assert {c["component"] for c in proposal["components"]} >= {"distance", "availability", "spare-capacity"}
    mentee = (await matching.client.get(f"/mentees/{first[0].data.referral_id}")).json()
    assert mentee["state"] == "proposed" and mentee["open_match_id"] == proposal["match_id"]
    assert await events_of(js, condition, MentorMatched) == []

    before = await snapshot(matching)
    url = f"/matches/{proposal['match_id']}/override"
    refused = await matching.client.post(
        url, json={"mentor_id": man["mentor_id"], "reason": "knows the area"}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "mentor-ineligible"
    assert "gender-preference" in refused.json()["detail"]
    no_reason = await matching.client.post(url, json={"mentor_id": farther["mentor_id"], "reason": ""})
    assert no_reason.status_code == 422
    assert await snapshot(matching) == before

    chosen = await matching.client.post(
        url, json={"mentor_id": farther["mentor_id"], "reason": "same GP surgery"}
    )
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["override_of"] == proposal["match_id"]
    assert (await matching.client.get(f"/matches/{proposal['match_id']}")).json()["status"] == "overridden"

    second = referral_events(condition, programme=programme)
    for event in second:
        await matching.publish(event)
    await eventually(proposed)
    (next_proposal,) = await proposals(matching, condition)
    confirm_url = f"/matches/{next_proposal['match_id']}/confirm"
    assert (await matching.client.post(confirm_url)).json()["status"] == "confirmed"
    again = await matching.client.post(confirm_url)
    assert again.status_code == 409 and again.json()["code"] == "not-proposed"

    async def two_published() -> bool:
        return len(await events_of(js, condition, MentorMatched)) == 2

    await eventually(two_published)
    overridden, confirmed = await events_of(js, condition, MentorMatched)
    assert overridden.data.mentor_id == farther["mentor_id"]
    assert MatchReason.COORDINATOR_CHOICE in overridden.data.reasons
    for event in (overridden, confirmed):
        assert event.data.mode is MatchMode.SUGGEST
        assert event.data.confirmed_by is ConfirmedBy.COORDINATOR
        assert event.data.coordinator_id == COORDINATOR
    assert confirmed.data.referral_id == second[0].data.referral_id
    assert "same GP surgery" not in str(overridden.model_dump())  # the free-text reason stays here
