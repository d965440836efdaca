"""No direct identifier of a person ever reaches the bus.

Three people are referred with every identifier a referral carries (NHS number, name, date of birth,
address and postcode, phone, email) and free text about them: one goes through support (sessions with
notes and worded goals, a safeguarding concern described in words, PAM before and after, completion), one
is rejected, one is matched and then withdraws and asks to be erased. Their mentor's own name and contact
details are in the matching service too. Afterwards every message the flow published under the test's
condition, on every stream (public and internal), is read back as raw bytes and searched, ignoring case,
for each identifier in every common spelling: none may be there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from nats.js import JetStreamContext

from peer_events.events import PairingStarted
from peer_shared.auth import Role
from peer_support_cli.embedded import Infrastructure
from peer_testkit.group_journeys import (
    GROUP_PROGRAMME,
    cohort_action,
    plan_cohort,
    record_c19_yrsm,
    register_facilitator,
    take_register,
    wait_for_facilitators,
    wait_for_waitlist,
)
from peer_testkit.journeys import (
    LONG_COVID_SNOMED,
    Person,
    accept,
    pairing_of,
    pam_body,
    refer,
    register_mentor,
)
from peer_testkit.platform import Platform, platform, wait_for_events
from peer_testkit.streams import BusMessage, everything_on_the_bus
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
PEOPLE = [
    Person(
        ("Marguerite", "Ife"),
        "Oyelaran",
        date(1957, 3, 9),
        "LS8 5HX",
        "41 Bayswater Row",
        "07700 900311",
        "m.oyelaran@example.com",
    ),
    Person(
        ("Tadeusz",),
        "Wisniewski",
        date(1972, 10, 27),
        "LS8 2PN",
        "6 Gathorne Terrace",
        "07700 900312",
        "tadek.w@example.net",
    ),
    Person(
        ("Rosalind",),
        "Featherstonehaugh",
        date(1948, 12, 1),
        "LS8 1JW",
        "2 Cowper Street",
        "+44 7700 900313",
        "ros.fh@example.org",
    ),
]
MENTOR = {"full_name": "Ottoline Barraclough", "email": "ottoline.b@example.org", "phone": "07700 900399"}
FREE_TEXT = {
    "referral note": "Struggles with insulin since her sister Beatrix passed away",
    "session notes": "Talked about her grandson Ezekiel and the allotment on Roxholme Place",
    "goal wording": "Walk to the Harehills mosque and back every Thursday",
    "concern details": "Bruising on her arm; says her lodger Cornelius shouts at her",
}


async def test_no_direct_identifier_is_published_on_any_stream(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    async with platform(infra, js, condition, START) as p:
        referrals = await _run_flow(p, js, condition)
        messages = await everything_on_the_bus(js, condition)

    streams = {m.stream for m in messages}
    assert {
        "PEER_REFERRALS",
        "PEER_MATCHING",
        "PEER_SESSIONS",
        "PEER_OUTCOMES",
        "INTERNAL_SESSIONS",
    } <= streams
    assert len(messages) >= 20
    # The scan reads what the flow published: each person's pseudonymous id is there, in place of them.
    assert all(any(referral_id.encode() in m.data for m in messages) for referral_id in referrals)
    identifiers = _identifiers()
    found = [
        (message.subject, who, spelling)
        for message in messages
        for who, spelling in identifiers
        if spelling.lower().encode() in _raw(message).lower()
    ]
    assert found == []


async def test_no_direct_identifier_is_published_by_a_group_programme(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    async with platform(infra, js, condition, START, programme=GROUP_PROGRAMME) as p:
        referrals = await _run_group_flow(p)
        messages = await everything_on_the_bus(js, condition)

    assert {"PEER_REFERRALS", "PEER_MATCHING", "PEER_GROUPS", "INTERNAL_GROUPS"} <= {
        m.stream for m in messages
    }
    assert all(any(referral_id.encode() in m.data for m in messages) for referral_id in referrals)
    found = [
        (message.subject, who, spelling)
        for message in messages
        for who, spelling in _identifiers()
        if spelling.lower().encode() in _raw(message).lower()
    ]
    assert found == []


def _raw(message: BusMessage) -> bytes:
    """Everything the message carries: subject, headers and body."""
    headers = [f"{name}: {value}".encode() for name, value in message.headers.items()]
    return b"\n".join([message.subject.encode(), *headers, message.data])


def _identifiers() -> list[tuple[str, str]]:
    """Every identifier of the inputs, in the spellings it could take in text."""
    found: list[tuple[str, str]] = []
    for n, person in enumerate(PEOPLE):
        who = f"person {n}"
        nhs = person.nhs_number
        found += [
            (who, s) for s in (nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", f"{nhs[:3]}-{nhs[3:6]}-{nhs[6:]}")
        ]
        found += [
            (who, name) for name in (*person.given, person.family, f"{person.given[0]} {person.family}")
        ]
        found += [(who, s) for s in _date_spellings(person.birth_date)]
        found += [(who, s) for s in (person.postcode, person.postcode.replace(" ", ""), person.address_line)]
        found += [(who, s) for s in _phone_spellings(person.phone)]
        found += [(who, person.email), (who, person.email.split("@")[0])]
    found += [
        ("mentor", s)
        for s in (*MENTOR["full_name"].split(), MENTOR["email"], *_phone_spellings(MENTOR["phone"]))
    ]
    found += [(kind, text) for kind, text in FREE_TEXT.items()]
    return found


def _date_spellings(day: date) -> list[str]:
    formats = ["%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%Y", "%d%m%Y"]
    formats += ["%d %b %Y", "%d %B %Y", "%B %d, %Y", "%d-%b-%Y"]
    return [day.strftime(f) for f in formats] + [f"{day.day} {day.strftime('%B %Y')}"]


def _phone_spellings(phone: str) -> list[str]:
    digits = phone.replace(" ", "").replace("+44", "0")
    national = digits[1:]
    return [
        phone,
        digits,
        f"+44{national}",
        f"+44 {national[:4]} {national[4:]}",
        f"{digits[:5]} {digits[5:]}",
    ]


async def _run_flow(p: Platform, js: JetStreamContext, condition: str) -> list[str]:
    """Refer three people: one supported to the end, one rejected, one withdrawn and erased."""
    mentor_id = await register_mentor(p, MENTOR, capacity=2, trained_on=date(2025, 12, 1))
    referrals = [await refer(p, person, note=FREE_TEXT["referral note"]) for person in PEOPLE]

    accepted_on = START.date() + timedelta(days=1)
    p.move_clock(datetime.combine(accepted_on, time(10), UTC))
    await accept(p, referrals[0])
    await p.call("referrals", "POST", f"/referrals/{referrals[1]}/reject", json={"reason": "not-eligible"})
    await accept(p, referrals[2])
    await wait_for_events(js, condition, PairingStarted, 2)
    pairing = await pairing_of(p, referrals[0])

    async def outcomes_knows() -> bool:
        report = await p.call(
            "outcomes", "GET", "/reports/programme", params={"start": "2026-01-01", "end": "2026-03-31"}
        )
        return bool(report["total"]["activity"]["referrals_received"] == 3)

    await eventually(outcomes_knows, timeout=30)
    pam_path = f"/referrals/{referrals[0]}/pam"
    await p.call("outcomes", "POST", pam_path, json=pam_body("baseline", accepted_on, 44.2), expect=201)

    week_on = accepted_on + timedelta(weeks=1)
    p.move_clock(datetime.combine(week_on, time(19), UTC))
    session = {
        "starts_at": datetime.combine(week_on, time(17), UTC).isoformat(),
        "duration_minutes": 60,
        "mode": "community-centre",
        "attendance": "attended",
        "topics": ["physical-activity", "emotional-wellbeing"],
        "notes": FREE_TEXT["session notes"],
        "new_goals": [
            {
                "topic": "physical-activity",
                "what": FREE_TEXT["goal wording"],
                "how_often": "weekly",
                "confidence": 7,
            }
        ],
    }
    sessions_path = f"/pairings/{pairing['id']}/sessions"
    logged = await p.call(
        "sessions", "POST", sessions_path, role=Role.MENTOR, subject=mentor_id, json=session, expect=201
    )
    concern = {
        "category": "domestic-abuse",
        "urgency": "within-24-hours",
        "session_id": logged["id"],
        "details": FREE_TEXT["concern details"],
    }
    path = f"/pairings/{pairing['id']}/safeguarding-concerns"
    raised = await p.call(
        "sessions", "POST", path, role=Role.MENTOR, subject=mentor_id, json=concern, expect=201
    )
    await p.call(
        "sessions",
        "POST",
        f"/safeguarding/concerns/{raised['id']}/acknowledge",
        json={"action": "referred-to-local-authority"},
    )

    withdrawal = {"reason": "mentee-request", "consent_withdrawn": True}
    await p.call("referrals", "POST", f"/referrals/{referrals[2]}/withdraw", json=withdrawal)
    follow_up_on = week_on + timedelta(days=1)
    p.move_clock(datetime.combine(follow_up_on, time(11), UTC))
    await p.call("outcomes", "POST", pam_path, json=pam_body("follow-up", follow_up_on, 58.0, 1), expect=201)
    await p.call("sessions", "POST", f"/pairings/{pairing['id']}/complete")

    async def settled() -> bool:
        ended = await p.call("sessions", "GET", "/pairings", params={"status": "ended"})
        return bool(ended["total"] == 1) and await p.quiet()

    await eventually(settled, timeout=30)
    assert await p.dead_letters() == dict.fromkeys(p.running, 0)
    return referrals


async def _run_group_flow(p: Platform) -> list[str]:
    """The same people referred for long Covid: two join a cohort (notes, a concern, measures), one is
    rejected; one member withdraws and asks to be erased; the mentor facilitates."""
    facilitator = await register_facilitator(p, MENTOR, date(2025, 12, 1))
    await wait_for_facilitators(p, [facilitator])
    referrals = [
        await refer(p, person, note=FREE_TEXT["referral note"], reason=LONG_COVID_SNOMED) for person in PEOPLE
    ]
    accepted_on = START.date() + timedelta(days=1)
    p.move_clock(datetime.combine(accepted_on, time(10), UTC))
    await accept(p, referrals[0])
    await p.call("referrals", "POST", f"/referrals/{referrals[1]}/reject", json={"reason": "not-eligible"})
    await accept(p, referrals[2])
    members = [referrals[0], referrals[2]]
    await wait_for_waitlist(p, members)

    planned = await plan_cohort(p, "Leeds, January", accepted_on, [facilitator], planned_sessions=2)
    cohort_id = planned["cohort_id"]
    await cohort_action(p, cohort_id, "open")
    await cohort_action(p, cohort_id, "start")
    for member in members:
        await record_c19_yrsm(p, member, "baseline", accepted_on, 17, 8)
    register = dict.fromkeys(members, "attended")
    await take_register(p, cohort_id, facilitator, accepted_on, register, notes=FREE_TEXT["session notes"])
    concern = {
        "referral_id": referrals[0],
        "category": "domestic-abuse",
        "urgency": "within-24-hours",
        "details": FREE_TEXT["concern details"],
    }
    raised = await p.call(
        "groups",
        "POST",
        f"/cohorts/{cohort_id}/concerns",
        role=Role.MENTOR,
        subject=facilitator,
        json=concern,
        expect=201,
    )
    await p.call(
        "groups",
        "POST",
        f"/concerns/{raised['concern_id']}/acknowledge",
        json={"action": "referred-to-local-authority"},
    )
    withdrawal = {"reason": "mentee-request", "consent_withdrawn": True}
    await p.call("referrals", "POST", f"/referrals/{referrals[2]}/withdraw", json=withdrawal)
    await cohort_action(p, cohort_id, "finish")

    async def settled() -> bool:
        detail = await p.call("groups", "GET", f"/cohorts/{cohort_id}")
        return detail["status"] == "finished" and await p.quiet()

    await eventually(settled, timeout=30)
    assert await p.dead_letters() == dict.fromkeys(p.running, 0)
    return referrals
