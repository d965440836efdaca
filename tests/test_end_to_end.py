"""One referral through all four services on the real NATS and Postgres.

A GP practice refers a woman with type 2 diabetes over FHIR; the coordinator reaches her, records her
consent and accepts; matching pairs her with the one active mentor (auto mode); sessions starts the
pairing; outcomes takes her baseline PAM; over the following weeks the mentor logs five sessions (one
missed) with goals set and reviewed; at the planned end she takes the follow-up PAM and the coordinator
completes the pairing; the programme report for the period shows it all. The scenario runs on a shared,
backdated clock that moves on week by week, so no rule is bent to make it fit.

Every event on the streams is checked (type, referral, exactly once, the flow's correlation id) and so is
every service's state, through each service's own HTTP API.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from nats.js import JetStreamContext

from peer_events.events import MentorMatched, PairingCompleted, PairingStarted
from peer_shared.auth import Role
from peer_support_cli.embedded import Infrastructure
from peer_testkit.journeys import (
    Person,
    accept,
    pairing_of,
    pam_body,
    refer,
    referral_status,
    register_mentor,
)
from peer_testkit.platform import PROGRAMME, Platform, platform, wait_for_events
from peer_testkit.streams import everything_on_the_bus
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)  # a Monday: the mentor is activated, the referral arrives
ACCEPTED_ON = date(2025, 6, 3)
PLANNED_END = ACCEPTED_ON + timedelta(weeks=16)
PERIOD = {"start": "2025-06-01", "end": "2025-09-30"}
PERSON = Person(
    given=("Samina", "Noor"),
    family="Akhtar",
    birth_date=date(1961, 4, 12),
    postcode="LS8 5HX",
    address_line="14 Harehills Lane",
    phone="07700 900123",
    email="samina.akhtar@example.com",
)
MENTOR_CONTACT = {"full_name": "Bernadette Okoro", "email": "b.okoro@example.org", "phone": "07700 900555"}

# Five weekly sessions on Tuesday evenings (UK time): (attendance, minutes, mode, topics, new goals, reviews)
# where a review names a goal by its order of setting (0 = the first goal set).
SESSIONS: list[
    tuple[str, int | None, str, list[str], list[tuple[str, str, int]], list[tuple[int, str, int]]]
] = [
    (
        "attended",
        60,
        "cafe",
        ["diet", "physical-activity"],
        [("diet", "Swap white bread for wholemeal", 6), ("physical-activity", "Walk after dinner", 5)],
        [],
    ),
    ("attended", 55, "community-centre", ["diet"], [], [(0, "partly", 7)]),
    ("mentee-did-not-attend", None, "cafe", [], [], []),
    (
        "attended",
        60,
        "phone",
        ["physical-activity", "blood-glucose-monitoring"],
        [("blood-glucose-monitoring", "Check sugars before breakfast", 7)],
        [(0, "done", 9), (1, "partly", 6)],
    ),
    ("attended", 45, "cafe", ["blood-glucose-monitoring"], [], [(1, "done", 8), (2, "partly", 8)]),
]


async def test_one_referral_goes_through_all_four_services(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    async with platform(infra, js, condition, START) as p:
        mentor_id = await register_mentor(p, MENTOR_CONTACT, capacity=2, trained_on=date(2025, 5, 1))
        p.move_clock(START + timedelta(minutes=30))
        referral_id = await refer(p, PERSON)
        assert await referral_status(p, referral_id) == "received"

        p.move_clock(datetime.combine(ACCEPTED_ON, time(10), UTC))
        await accept(p, referral_id)
        [matched] = await wait_for_events(js, condition, MentorMatched, 1)
        await wait_for_events(js, condition, PairingStarted, 1)
        pairing = await pairing_of(p, referral_id)
        assert pairing["started_on"] == ACCEPTED_ON.isoformat()

        await _outcomes_knows(p, referral_id)
        baseline = await p.call(
            "outcomes",
            "POST",
            f"/referrals/{referral_id}/pam",
            json=pam_body("baseline", ACCEPTED_ON, 50.0),
            expect=201,
        )
        assert (baseline["level"], baseline["level_derived"]) == (2, True)

        logged = await _log_weekly_sessions(p, pairing["id"], mentor_id)

        p.move_clock(datetime.combine(PLANNED_END, time(10), UTC))
        follow_up = await p.call(
            "outcomes",
            "POST",
            f"/referrals/{referral_id}/pam",
            json=pam_body("follow-up", PLANNED_END, 72.5, follow_up_number=1),
            expect=201,
        )
        assert follow_up["level"] == 4
        completed = await p.call("sessions", "POST", f"/pairings/{pairing['id']}/complete")
        assert completed["status"] == "completed"
        await wait_for_events(js, condition, PairingCompleted, 1)

        async def everyone_caught_up() -> bool:
            return await p.quiet() and await referral_status(p, referral_id) == "completed"

        await eventually(everyone_caught_up, timeout=30)
        assert await p.dead_letters() == dict.fromkeys(p.running, 0)

        await _check_events(
            js, condition, referral_id, mentor_id, matched.data.match_id, pairing["id"], logged
        )
        await _check_state(p, referral_id, mentor_id, pairing["id"], logged)
        await _check_report(p)


async def _outcomes_knows(p: Platform, referral_id: str) -> None:
    """A PAM result is refused until outcomes has heard of the referral: wait for its report to count it."""

    async def counted() -> bool:
        report = await p.call("outcomes", "GET", "/reports/programme", params=PERIOD)
        return bool(report["total"]["activity"]["referrals_received"] == 1)

    await eventually(counted, timeout=30)


async def _log_weekly_sessions(p: Platform, pairing_id: str, mentor_id: str) -> list[dict[str, Any]]:
    """The mentor logs each session on its evening, on the scenario clock of that day."""
    logged: list[dict[str, Any]] = []
    goal_ids: list[str] = []
    for week, (attendance, minutes, mode, topics, goals, reviews) in enumerate(SESSIONS, start=1):
        day = ACCEPTED_ON + timedelta(weeks=week)
        p.move_clock(datetime.combine(day, time(19, 30), UTC))
        body = {
            "starts_at": datetime.combine(day, time(17), UTC).isoformat(),
            "duration_minutes": minutes,
            "mode": mode,
            "attendance": attendance,
            "topics": topics,
            "notes": f"Week {week}: talked about family meals.",
            "new_goals": [{"topic": t, "what": what, "confidence": c} for t, what, c in goals],
            "goal_reviews": [
                {"goal_id": goal_ids[i], "progress": pr, "confidence": c} for i, pr, c in reviews
            ],
        }
        session = await p.call(
            "sessions",
            "POST",
            f"/pairings/{pairing_id}/sessions",
            role=Role.MENTOR,
            subject=mentor_id,
            json=body,
            expect=201,
        )
        assert session["number"] == week and len(session["goal_ids"]) == len(goals)
        goal_ids += session["goal_ids"]
        logged.append(session | {"reviews": [(goal_ids[i], pr) for i, pr, _ in reviews]})
    return logged


async def _check_events(
    js: JetStreamContext,
    condition: str,
    referral_id: str,
    mentor_id: str,
    match_id: str,
    pairing_id: str,
    logged: list[dict[str, Any]],
) -> None:
    messages = await everything_on_the_bus(js, condition)
    events = [m.event() for m in messages]
    assert all(m.headers["Nats-Msg-Id"] == str(e.id) for m, e in zip(messages, events, strict=True))
    assert len({e.id for e in events}) == len(events)
    assert not [m for m in messages if m.stream.startswith("INTERNAL_")]

    def key(event: Any) -> tuple[str, str]:
        about = getattr(event.data, "referral_id", None) or event.data.mentor_id
        return (type(event.data).__name__, about)

    goals_set = sum(len(s["goal_ids"]) for s in logged)
    reviews = sum(len(s["reviews"]) for s in logged)
    assert Counter(key(e) for e in events) == {
        ("ReferralReceived", referral_id): 1,
        ("ReferralAccepted", referral_id): 1,
        ("MentorRegistered", mentor_id): 1,
        ("MentorActivated", mentor_id): 1,
        ("MentorMatched", referral_id): 1,
        ("PairingStarted", referral_id): 1,
        ("SessionLogged", referral_id): len(logged),
        ("GoalSet", referral_id): goals_set,
        ("GoalReviewed", referral_id): reviews,
        ("PamRecorded", referral_id): 2,
        ("PairingCompleted", referral_id): 1,
    }
    by_type: dict[str, list[Any]] = {}
    for event in events:
        by_type.setdefault(type(event.data).__name__, []).append(event)

    [received] = by_type["ReferralReceived"]
    flow = received.correlationid
    about_referral = [e for e in events if getattr(e.data, "referral_id", None) == referral_id]
    assert {e.correlationid for e in about_referral} == {flow}, "the referral's flow is followed everywhere"
    assert all((e.condition, e.programme) == (condition, PROGRAMME) for e in events)

    data = received.data
    assert (data.source, data.referrer_ods_code, data.gender, data.age_band) == (
        "fhir",
        "B86001",
        "female",
        "55-64",
    )
    assert data.postcode_district == "LS8" and data.preferences.preferred_mentor_gender == "female"
    [accepted] = by_type["ReferralAccepted"]
    assert accepted.data.accepted_on == ACCEPTED_ON and accepted.data.consent.share_outcomes_with_referrer

    [matched] = by_type["MentorMatched"]
    assert (matched.data.mentor_id, matched.data.mode, matched.data.confirmed_by) == (
        mentor_id,
        "auto",
        "system",
    )
    assert matched.causationid in {received.id, accepted.id}
    [started] = by_type["PairingStarted"]
    assert started.causationid == matched.id and started.data.match_id == match_id == matched.data.match_id
    assert (started.data.pairing_id, started.data.started_on, started.data.planned_end_on) == (
        pairing_id,
        ACCEPTED_ON,
        PLANNED_END,
    )

    sessions = sorted(by_type["SessionLogged"], key=lambda e: e.data.session_number)
    assert [(e.data.session_id, e.data.revision) for e in sessions] == [(s["id"], 1) for s in logged]
    assert [e.data.attendance for e in sessions] == [s[0] for s in SESSIONS]
    assert [e.data.session_date for e in sessions] == [ACCEPTED_ON + timedelta(weeks=w) for w in range(1, 6)]
    assert sorted(e.data.goal_id for e in by_type["GoalSet"]) == sorted(
        g for s in logged for g in s["goal_ids"]
    )
    assert sorted((e.data.goal_id, e.data.progress) for e in by_type["GoalReviewed"]) == sorted(
        r for s in logged for r in s["reviews"]
    )
    pam = sorted(by_type["PamRecorded"], key=lambda e: e.data.assessed_on)
    assert [(e.data.timepoint, e.data.score, e.data.level, e.data.revision) for e in pam] == [
        ("baseline", 50.0, 2, 1),
        ("follow-up", 72.5, 4, 1),
    ]
    [completed] = by_type["PairingCompleted"]
    assert (completed.data.completed_on, completed.data.sessions_attended) == (PLANNED_END, 4)
    assert all(e.subject == pairing_id for e in events if e.source == "/peer-support/sessions")


async def _check_state(
    p: Platform, referral_id: str, mentor_id: str, pairing_id: str, logged: list[dict[str, Any]]
) -> None:
    queue = await p.call("referrals", "GET", "/referrals")
    [summary] = queue["items"]
    assert (summary["referral_id"], summary["status"], summary["triage_status"]) == (
        referral_id,
        "completed",
        "accepted",
    )
    assert summary["postcode_district"] == "LS8" and not summary["needs_review"]

    mentee = await p.call("matching", "GET", f"/mentees/{referral_id}")
    assert (mentee["state"], mentee["open_match_id"]) == ("closed", None)
    [match] = await p.call("matching", "GET", "/matches")
    assert (match["referral_id"], match["mentor_id"], match["status"]) == (
        referral_id,
        mentor_id,
        "completed",
    )
    mentor = await p.call("matching", "GET", f"/mentors/{mentor_id}")
    assert (mentor["status"], mentor["load"]) == ("active", 0)
    assert await p.call("matching", "GET", "/waitlist") == []

    pairings = await p.call("sessions", "GET", "/pairings")
    [pairing] = pairings["items"]
    assert (pairing["id"], pairing["status"], pairing["finished_on"]) == (
        pairing_id,
        "completed",
        PLANNED_END.isoformat(),
    )
    assert (pairing["activity"]["sessions"], pairing["activity"]["attended"]) == (5, 4)
    sessions = await p.call("sessions", "GET", f"/pairings/{pairing_id}/sessions")
    assert [s["id"] for s in sessions["items"]] == [s["id"] for s in logged]
    goals = await p.call("sessions", "GET", f"/pairings/{pairing_id}/goals")
    assert sorted((g["topic"], g["progress"], len(g["history"])) for g in goals) == [
        ("blood-glucose-monitoring", "partly", 2),
        ("diet", "done", 3),
        ("physical-activity", "done", 3),
    ]

    pam = await p.call("outcomes", "GET", f"/referrals/{referral_id}/pam")
    assert [(r["timepoint"], r["score"], r["level"]) for r in pam] == [
        ("baseline", 50.0, 2),
        ("follow-up", 72.5, 4),
    ]


async def _check_report(p: Platform) -> None:
    report = await p.call("outcomes", "GET", "/reports/programme", params=PERIOD)
    activity, outcomes = report["total"]["activity"], report["total"]["outcomes"]
    assert {
        k: activity[k] for k in ("referrals_received", "accepted", "matched", "mentees_seen", "completions")
    } == {
        "referrals_received": 1,
        "accepted": 1,
        "matched": 1,
        "mentees_seen": 1,
        "completions": 1,
    }
    assert (activity["sessions_delivered"], activity["sessions_missed"], activity["early_endings"]) == (
        4,
        1,
        0,
    )
    assert activity["received_by_source"]["fhir"] == 1 and activity["time_to_match_days"]["n"] == 1
    assert (outcomes["baselines_recorded"], outcomes["paired"], outcomes["gained_3_or_more"]) == (1, 1, 1)
    assert (outcomes["baseline_mean_level"], outcomes["follow_up_mean_level"]) == (2.0, 4.0)
    assert (outcomes["baseline_mean_score"], outcomes["follow_up_mean_score"], outcomes["mean_change"]) == (
        50.0,
        72.5,
        22.5,
    )
    assert outcomes["level_transitions"]["2"]["4"] == 1
    assert report["breakdowns"]["condition"][p.condition]["activity"]["completions"] == 1
    assert (report["mentors"]["total"]["registered"], report["mentors"]["total"]["activated"]) == (1, 1)
