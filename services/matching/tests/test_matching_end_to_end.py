"""End to end on the real NATS and Postgres: referral events on the stream lead to exactly one
`MentorMatched` per referral, in either order, and replaying the same events changes nothing."""

from __future__ import annotations

import uuid

import pytest
from nats.js import JetStreamContext

from peer_events.events.matching import ConfirmedBy, MatchMode, MentorMatched
from peer_testkit.harness import ServiceHarness
from peer_testkit.matching import caught_up, mentor_body, referral_events, snapshot
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def test_referral_events_lead_to_one_match_each_and_replay_changes_nothing(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    mentor = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, capacity=2))
    ).json()
    in_order = referral_events(condition)
    reversed_order = referral_events(condition, district="M4")
    events = [*in_order, *reversed(reversed_order)]
    for event in events:
        await matching.publish(event)

    async def two_matches() -> bool:
        return len(await events_of(js, condition, MentorMatched)) == 2

    await eventually(two_matches)
    matched = await events_of(js, condition, MentorMatched)
    referrals = {e.data.referral_id: e for e in matched}
    assert set(referrals) == {in_order[0].data.referral_id, reversed_order[0].data.referral_id}
    first = referrals[in_order[0].data.referral_id]
    assert first.data.mentor_id == mentor["mentor_id"]
    assert first.data.mode is MatchMode.AUTO and first.data.confirmed_by is ConfirmedBy.SYSTEM
    assert 0 < first.data.score <= 1 and first.data.components and first.data.reasons
    assert first.correlationid == in_order[0].correlationid  # the referral's flow carries on
    assert first.condition == condition and first.programme == f"{condition}-one-to-one"
    state = await snapshot(matching)

    # A replay (after the de-duplication window, so with new message ids) of every input event.
    for event in events:
        await matching.publish(event, msg_id_suffix=f"-replay-{uuid.uuid4()}")
    consumer = f"{condition}-matching-referrals-v1"
    await eventually(lambda: caught_up(js, "PEER_REFERRALS", consumer))
    assert len(await events_of(js, condition, MentorMatched)) == 2
    assert await snapshot(matching) == state
    mentor_now = (await matching.client.get(f"/mentors/{mentor['mentor_id']}")).json()
    assert mentor_now["load"] == 2
