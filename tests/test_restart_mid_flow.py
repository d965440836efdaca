"""Services stop and start again mid-flow, and the flow completes with nothing lost and nothing twice.

Four referrals go through while services come and go: matching stops right after a referral is accepted
(perhaps in the middle of handling it), outcomes is down for most of the run, sessions stops while
matching catches up (so the matches it missed wait on the stream), and referrals stops right after an
acceptance (perhaps before its relay published it). Each restart is a new app on the same database and
the same durable consumers. At the end every stream holds exactly the events the four referrals should
cause, once each, and every service's API shows exactly one row per referral.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from nats.js import JetStreamContext

from peer_events.events import MentorMatched, PairingStarted, ReferralAccepted
from peer_shared.auth import Role
from peer_support_cli.embedded import Infrastructure
from peer_testkit.journeys import Person, accept, pairing_of, refer, referral_status, register_mentor
from peer_testkit.platform import Platform, platform, wait_for_events
from peer_testkit.streams import everything_on_the_bus
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

START = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
MENTOR = {"full_name": "Grace Mensah", "email": "grace.mensah@example.org", "phone": "07700 900777"}
PEOPLE = [
    Person((given,), family, born, postcode, street, f"07700 90020{n}", f"{given.lower()}@example.com")
    for n, (given, family, born, postcode, street) in enumerate(
        [
            ("Amira", "Haddad", date(1958, 2, 3), "LS8 2TP", "7 Easterly Road"),
            ("Joan", "Whitaker", date(1949, 11, 30), "LS8 1AB", "3 Oakwood Lane"),
            ("Priya", "Sandhu", date(1970, 7, 14), "LS8 3QD", "22 Roundhay Road"),
            ("Helen", "Brierley", date(1965, 5, 5), "LS8 4EX", "9 Gledhow Park"),
        ]
    )
]


async def test_services_restart_mid_flow_without_loss_or_duplicates(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    async with platform(infra, js, condition, START) as p:
        mentor_id = await register_mentor(p, MENTOR, capacity=4, trained_on=date(2025, 8, 1))
        first = await refer(p, PEOPLE[0])
        await accept(p, first)
        await wait_for_events(js, condition, PairingStarted, 1)

        await p.stop("outcomes")
        second = await refer(p, PEOPLE[1])
        await accept(p, second)
        await p.stop("matching")  # at once: matching may be half-way through the acceptance
        third = await refer(p, PEOPLE[2])
        await accept(p, third)
        await wait_for_events(js, condition, ReferralAccepted, 3)

        await p.stop("sessions")
        await p.start("matching")
        await wait_for_events(js, condition, MentorMatched, 3)  # published while sessions is away
        fourth = await refer(p, PEOPLE[3])
        await accept(p, fourth)
        await p.stop("referrals")  # at once: its relay may not have published the acceptance yet
        await p.start("referrals")
        await wait_for_events(js, condition, MentorMatched, 4)

        await p.start("sessions")
        await p.start("outcomes")
        referrals = [first, second, third, fourth]
        await wait_for_events(js, condition, PairingStarted, 4)

        p.move_clock(datetime.combine(START.date() + timedelta(days=1), time(19), UTC))
        for hour, referral_id in ((15, first), (17, second)):  # the same mentor: one after the other
            pairing = await pairing_of(p, referral_id)
            session = {
                "starts_at": datetime.combine(START.date() + timedelta(days=1), time(hour), UTC).isoformat(),
                "duration_minutes": 60,
                "mode": "cafe",
                "attendance": "attended",
                "topics": ["diet"],
            }
            path = f"/pairings/{pairing['id']}/sessions"
            await p.call(
                "sessions", "POST", path, role=Role.MENTOR, subject=mentor_id, json=session, expect=201
            )

        async def all_caught_up() -> bool:
            if not await p.quiet():
                return False
            return [await referral_status(p, r) for r in referrals] == ["started"] * 4

        await eventually(all_caught_up, timeout=45)
        assert await p.dead_letters() == dict.fromkeys(p.running, 0)
        await _check_events(js, condition, referrals, mentor_id)
        await _check_state(p, referrals, mentor_id)


async def _check_events(js: JetStreamContext, condition: str, referrals: list[str], mentor_id: str) -> None:
    messages = await everything_on_the_bus(js, condition)
    events = [m.event() for m in messages]
    assert len({e.id for e in events}) == len(events), "an event reached the bus twice"
    expected: Counter[tuple[str, str]] = Counter(
        {("MentorRegistered", mentor_id): 1, ("MentorActivated", mentor_id): 1}
    )
    for referral_id in referrals:
        for name in ("ReferralReceived", "ReferralAccepted", "MentorMatched", "PairingStarted"):
            expected[(name, referral_id)] = 1
    for referral_id in referrals[:2]:
        expected[("SessionLogged", referral_id)] = 1
    found = Counter(
        (type(e.data).__name__, getattr(e.data, "referral_id", None) or e.data.mentor_id) for e in events
    )
    assert found == expected
    matches = {e.data.match_id for e in events if isinstance(e.data, MentorMatched)}
    started = {e.data.match_id for e in events if isinstance(e.data, PairingStarted)}
    assert started == matches and len(matches) == 4


async def _check_state(p: Platform, referrals: list[str], mentor_id: str) -> None:
    queue = await p.call("referrals", "GET", "/referrals")
    assert sorted((r["referral_id"], r["status"]) for r in queue["items"]) == sorted(
        (r, "started") for r in referrals
    )

    matches = await p.call("matching", "GET", "/matches")
    assert sorted((m["referral_id"], m["status"]) for m in matches) == sorted(
        (r, "confirmed") for r in referrals
    )
    assert {m["mentor_id"] for m in matches} == {mentor_id}
    mentor = await p.call("matching", "GET", f"/mentors/{mentor_id}")
    assert mentor["load"] == 4
    assert await p.call("matching", "GET", "/waitlist") == []

    pairings = await p.call("sessions", "GET", "/pairings")
    assert pairings["total"] == 4
    by_referral = {item["referral_id"]: item for item in pairings["items"]}
    assert sorted(by_referral) == sorted(referrals)
    assert [by_referral[r]["activity"]["sessions"] for r in referrals] == [1, 1, 0, 0]
    assert {item["status"] for item in pairings["items"]} == {"active"}

    period = {"start": "2025-09-01", "end": "2025-09-30"}
    report = await p.call("outcomes", "GET", "/reports/programme", params=period)
    activity = report["total"]["activity"]
    counted = {
        k: activity[k]
        for k in ("referrals_received", "accepted", "matched", "mentees_seen", "sessions_delivered")
    }
    assert counted == {
        "referrals_received": 4,
        "accepted": 4,
        "matched": 4,
        "mentees_seen": 2,
        "sessions_delivered": 2,
    }
    assert report["mentors"]["total"]["registered"] == 1
