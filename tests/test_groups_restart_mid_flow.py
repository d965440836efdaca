"""The groups service stops and starts again mid-flow, and a long Covid cohort completes with nothing lost
and nothing twice.

Groups is down when the first two people are accepted (their acceptances wait on the stream); it stops again
straight after two more acceptances (perhaps half-way through enrolling them in the open cohort) and straight
after a register is taken (perhaps before its relay published the session); outcomes is down from the cohort's
opening until it finishes. Each restart is a new app on the same database and the same durable consumers. At
the end the streams hold exactly the events the four people should cause, once each, and the groups and
outcomes APIs agree.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from nats.js import JetStreamContext

from peer_events.events.groups import CohortFinished, GroupSessionHeld, MemberEnrolled
from peer_events.events.referrals import ReferralAccepted
from peer_support_cli.embedded import Infrastructure
from peer_testkit.group_journeys import (
    GROUP_PROGRAMME,
    cohort,
    cohort_action,
    plan_cohort,
    register_facilitator,
    take_register,
    wait_for_facilitators,
    wait_for_waitlist,
)
from peer_testkit.journeys import LONG_COVID_SNOMED, Person, accept, refer
from peer_testkit.platform import platform, wait_for_events
from peer_testkit.streams import everything_on_the_bus
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

START = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
STARTS_ON = date(2025, 11, 11)
FACILITATOR = {"full_name": "Olu Bankole", "email": "olu.bankole@example.org", "phone": "07700 900640"}
PEOPLE = [
    Person(
        (given,),
        family,
        born,
        "LS9 7AB",
        f"{n + 1} York Road",
        f"07700 90041{n}",
        f"{given.lower()}@example.net",
    )
    for n, (given, family, born) in enumerate(
        [
            ("Agnieszka", "Zielinska", date(1975, 5, 1)),
            ("Desmond", "Harrow", date(1960, 2, 14)),
            ("Farah", "Ismail", date(1988, 10, 3)),
            ("Brian", "Cowley", date(1952, 7, 27)),
        ]
    )
]


async def test_groups_restarts_mid_flow_without_loss_or_duplicates(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    async with platform(infra, js, condition, START, programme=GROUP_PROGRAMME) as p:
        facilitator = await register_facilitator(p, FACILITATOR, date(2025, 10, 1))
        await wait_for_facilitators(p, [facilitator])
        referrals = [await refer(p, person, reason=LONG_COVID_SNOMED) for person in PEOPLE]

        await p.stop("groups")
        for referral_id in referrals[:2]:
            await accept(p, referral_id)
        await wait_for_events(js, condition, ReferralAccepted, 2)
        await p.start("groups")
        await wait_for_waitlist(p, referrals[:2])

        planned = await plan_cohort(p, "Leeds, November", STARTS_ON, [facilitator], planned_sessions=2)
        cohort_id = planned["cohort_id"]
        await cohort_action(p, cohort_id, "open")
        await p.stop("outcomes")
        for referral_id in referrals[2:]:
            await accept(p, referral_id)
        await wait_for_events(js, condition, ReferralAccepted, 4)
        await p.stop("groups")  # at once: groups may be half-way through enrolling them
        await p.start("groups")
        await wait_for_events(js, condition, MemberEnrolled, 4)

        p.move_clock(datetime.combine(STARTS_ON, time(13), UTC))
        await cohort_action(p, cohort_id, "start")
        register = dict.fromkeys(referrals, "attended") | {referrals[3]: "apologies"}
        await take_register(p, cohort_id, facilitator, STARTS_ON, register)
        await p.stop("groups")  # at once: its relay may not have published the session yet
        await p.start("groups")
        await wait_for_events(js, condition, GroupSessionHeld, 1)
        p.move_clock(datetime.combine(STARTS_ON + timedelta(days=1), time(9), UTC))
        await cohort_action(p, cohort_id, "finish")  # closed early, after the first of two sessions
        await wait_for_events(js, condition, CohortFinished, 1)
        await p.start("outcomes")

        async def caught_up() -> bool:
            return await p.quiet()

        await eventually(caught_up, timeout=45)
        assert await p.dead_letters() == dict.fromkeys(p.running, 0)

        messages = await everything_on_the_bus(js, condition)
        events = [m.event() for m in messages]
        assert len({e.id for e in events}) == len(events), "an event reached the bus twice"
        found = Counter(
            (
                type(e.data).__name__,
                getattr(e.data, "referral_id", None) or getattr(e.data, "cohort_id", None),
            )
            for e in events
            if e.source == "/peer-support/groups"
        )
        expected = Counter({("CohortOpened", cohort_id): 1, ("CohortStarted", cohort_id): 1})
        expected[("CohortFinished", cohort_id)] = 1
        for referral_id in referrals:
            expected[("MemberEnrolled", referral_id)] = 1
            expected[("MemberLeft", referral_id)] = 1
        expected[("GroupSessionHeld", cohort_id)] = 1
        assert found == expected

        detail = await cohort(p, cohort_id)
        assert sorted((m["referral_id"], m["left_reason"]) for m in detail["members"]) == sorted(
            [(r, "completed") for r in referrals[:3]] + [(referrals[3], "not-completed")]
        )
