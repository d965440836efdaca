"""The waitlist on the real NATS and Postgres: a mentee with no eligible mentor waits with a visible
reason and position, and is matched as soon as a suitable mentor becomes active; a pairing that ends
early frees the place and its mentee is rematched (ahead of others, see test_matching_round)."""

from __future__ import annotations

import pytest
from nats.js import JetStreamContext

from peer_events.envelope import new_event
from peer_events.events.matching import MentorMatched
from peer_events.events.referrals import (
    ReferralRejected,
    ReferralWithdrawn,
    RejectionReason,
    WithdrawalReason,
)
from peer_events.events.sessions import PairingEnded, PairingEndReason
from peer_testkit.harness import ServiceHarness
from peer_testkit.matching import mentor_body, referral_events
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def waitlist(matching: ServiceHarness, condition: str) -> list[dict]:
    return (await matching.client.get("/waitlist", params={"condition": condition})).json()


async def test_a_waiting_mentee_is_matched_when_a_suitable_mentor_becomes_active(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    man = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, gender="male"))
    ).json()
    wants_woman = referral_events(condition, preferences={"preferred_mentor_gender": "female"})
    wants_punjabi = referral_events(condition, preferences={"languages": ["pa"]})
    for event in (*wants_woman, *wants_punjabi):
        await matching.publish(event)

    async def both_waiting() -> bool:
        return [e["reason_code"] for e in await waitlist(matching, condition)] == [
            "gender-preference",
            "no-shared-language",
        ]

    await eventually(both_waiting)
    entries = await waitlist(matching, condition)
    assert [(e["referral_id"], e["position"]) for e in entries] == [
        (wants_woman[0].data.referral_id, 1),
        (wants_punjabi[0].data.referral_id, 2),
    ]
    assert entries[0]["reason"] == "no active mentor is of the gender the mentee asked for"
    assert entries[0]["funnel"]["active"] == 1 and entries[0]["funnel"]["gender"] == 0
    assert await events_of(js, condition, MentorMatched) == []

    woman = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, status="in-training"))
    ).json()
    assert await events_of(js, condition, MentorMatched) == []  # not matched while in training
    activated = await matching.client.post(f"/mentors/{woman['mentor_id']}/activate")
    assert activated.status_code == 200 and activated.json()["load"] == 1

    async def matched_once() -> bool:
        return len(await events_of(js, condition, MentorMatched)) == 1

    await eventually(matched_once)
    (match,) = await events_of(js, condition, MentorMatched)
    assert (match.data.referral_id, match.data.mentor_id) == (
        wants_woman[0].data.referral_id,
        woman["mentor_id"],
    )
    entries = await waitlist(matching, condition)
    assert [(e["referral_id"], e["position"]) for e in entries] == [(wants_punjabi[0].data.referral_id, 1)]
    assert man["mentor_id"] != match.data.mentor_id


async def test_a_pairing_that_ends_early_frees_the_place_and_its_mentee_is_rematched(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    first = (await matching.client.post("/mentors", json=mentor_body(matching, condition, capacity=1))).json()
    earlier, later = referral_events(condition), referral_events(condition)
    for event in (*earlier, *later):
        await matching.publish(event)

    async def one_matched_one_waiting() -> bool:
        waiting = await waitlist(matching, condition)
        return len(await events_of(js, condition, MentorMatched)) == 1 and len(waiting) == 1

    await eventually(one_matched_one_waiting)
    (match,) = await events_of(js, condition, MentorMatched)
    assert match.data.referral_id == earlier[0].data.referral_id
    assert (await waitlist(matching, condition))[0]["reason_code"] == "mentors-at-capacity"

    # The mentor stepped back from the pairing; a second mentor with one place arrives meanwhile.
    ended = new_event(
        PairingEnded(
            pairing_id="pai_" + match.data.match_id[4:],
            referral_id=match.data.referral_id,
            mentor_id=first["mentor_id"],
            ended_on=matching.today(),
            reason=PairingEndReason.OTHER,
            sessions_attended=2,
        ),
        clock=matching.clock,
        condition=condition,
        programme=f"{condition}-one-to-one",
        caused_by=match,
    )
    second = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, capacity=1))
    ).json()
    # The later mentee took the new mentor's place at once.
    assert second["load"] == 1
    await matching.publish(ended)

    async def rematched() -> bool:
        return len(await events_of(js, condition, MentorMatched)) == 3

    await eventually(rematched)
    events = await events_of(js, condition, MentorMatched)
    assert [(e.data.referral_id, e.data.mentor_id) for e in events] == [
        (earlier[0].data.referral_id, first["mentor_id"]),
        (later[0].data.referral_id, second["mentor_id"]),
        (earlier[0].data.referral_id, first["mentor_id"]),
    ]
    assert len({e.data.match_id for e in events}) == 3
    assert await waitlist(matching, condition) == []


async def test_withdrawal_frees_the_place_and_rejection_leaves_the_waitlist(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    mentor = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, capacity=1))
    ).json()
    matched, waiting, rejected = (
        referral_events(condition),
        referral_events(condition),
        referral_events(condition),
    )
    for event in (*matched, *waiting, *rejected):
        await matching.publish(event)

    async def two_waiting() -> bool:
        return len(await waitlist(matching, condition)) == 2

    await eventually(two_waiting)
    referral = rejected[0].data.referral_id
    no = new_event(
        ReferralRejected(referral_id=referral, rejected_on=matching.today(), reason=RejectionReason.DECLINED),
        clock=matching.clock,
        condition=condition,
        programme=f"{condition}-one-to-one",
    )
    gone = new_event(
        ReferralWithdrawn(
            referral_id=matched[0].data.referral_id,
            withdrawn_on=matching.today(),
            reason=WithdrawalReason.MENTEE_REQUEST,
            erase_personal_data=True,
        ),
        clock=matching.clock,
        condition=condition,
        programme=f"{condition}-one-to-one",
    )
    await matching.publish(no)
    await matching.publish(gone)

    async def waiting_one_matched() -> bool:
        return (
            len(await events_of(js, condition, MentorMatched)) == 2
            and await waitlist(matching, condition) == []
        )

    await eventually(waiting_one_matched)
    events = await events_of(js, condition, MentorMatched)
    assert [(e.data.referral_id, e.data.mentor_id) for e in events] == [
        (matched[0].data.referral_id, mentor["mentor_id"]),
        (waiting[0].data.referral_id, mentor["mentor_id"]),
    ]
    erased = (await matching.client.get(f"/mentees/{matched[0].data.referral_id}")).json()
    assert erased["state"] == "closed" and erased["open_match_id"] is None
    district = await matching.scalar(
        "SELECT postcode_district FROM mentee WHERE referral_id = :r", r=matched[0].data.referral_id
    )
    assert district is None
    assert (await matching.client.get(f"/mentees/{referral}")).json()["state"] == "closed"
