"""PAM results over HTTP on real NATS and Postgres: roles, derived levels, corrections, `PamRecorded`
on the stream, and every bad input refused with its own status and code, changing nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from peer_events.codes import AgeBand, Gender, SessionMode
from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events import PamRecorded, ReferralReceived, SessionLogged
from peer_events.events.referrals import ReferralSource
from peer_events.events.sessions import Attendance
from peer_outcomes.store.pam_repo import referral_context
from peer_outcomes.store.tables import rpt_pam
from peer_shared.auth import unprotected_routes
from peer_shared.auth.tokens import Role
from peer_shared.clock import FixedClock
from peer_testkit.harness import ServiceHarness
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration
PROGRAMME = "t2d-one-to-one"
COORDINATOR = "usr_coordinator"


def event(data: EventData, condition: str, at: datetime = datetime(2026, 1, 2, 12, 0)) -> CloudEvent[Any]:
    return new_event(data, clock=FixedClock(at.astimezone()), condition=condition, programme=PROGRAMME)


def referral(condition: str) -> CloudEvent[ReferralReceived]:
    return event(
        ReferralReceived(
            referral_id=f"ref_{uuid.uuid4().hex}",
            received_on=date(2025, 12, 1),
            source=ReferralSource.FHIR,
            referrer_ods_code="A81001",
            age_band=AgeBand.AGE_55_64,
            gender=Gender.FEMALE,
            postcode_district="M1",
        ),
        condition,
    )


def session(condition: str, referral_id: str, on: date) -> CloudEvent[SessionLogged]:
    return event(
        SessionLogged(
            pairing_id=f"pai_{uuid.uuid4().hex}",
            referral_id=referral_id,
            mentor_id=f"mnt_{uuid.uuid4().hex}",
            session_id=f"ses_{uuid.uuid4().hex}",
            revision=1,
            session_number=1,
            session_date=on,
            attendance=Attendance.ATTENDED,
            duration_minutes=60,
            mode=SessionMode.CAFE,
        ),
        condition,
    )


def pam(
    score: float | str,
    level: int | None = None,
    *,
    timepoint: str = "baseline",
    number: int | None = None,
    on: str = "2026-01-05",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "timepoint": timepoint,
        "assessed_on": on,
        "score": score,
        "administered_by": "coordinator",
    }
    if level is not None:
        body["level"] = level
    if number is not None:
        body["follow_up_number"] = number
    return body


async def known_referral(outcomes: ServiceHarness, first_session: date) -> str:
    """A referral the service has seen, with its first session on `first_session`."""
    received = referral(outcomes.condition)
    referral_id = received.data.referral_id
    await outcomes.publish(received, session(outcomes.condition, referral_id, first_session))

    async def projected() -> bool:
        # The PAM rules need the referral and its first session, both learnt from the streams.
        async with outcomes.sessions() as s:
            context = await referral_context(s, referral_id)
        return context is not None and context.first_session_on == first_session

    await eventually(projected)
    return referral_id


async def pam_on_stream(outcomes: ServiceHarness) -> list[CloudEvent[Any]]:
    """The `PamRecorded` events the service published under the test's condition, oldest first."""
    return await events_of(outcomes.js, outcomes.condition, PamRecorded)


async def state(outcomes: ServiceHarness) -> tuple[int, int, int]:
    return (
        await outcomes.count("pam_records"),
        await outcomes.count("pam_revisions"),
        await outcomes.count("outbox"),
    )


async def test_every_endpoint_declares_roles_and_only_coordinators_handle_pam(
    outcomes: ServiceHarness,
) -> None:
    assert unprotected_routes(outcomes.app) == []
    referral_id = f"ref_{uuid.uuid4().hex}"
    for role in (Role.MENTOR, Role.COMMISSIONER, Role.REFERRER):
        post = await outcomes.client.post(
            f"/referrals/{referral_id}/pam", json=pam(50), headers=outcomes.auth(role)
        )
        listed = await outcomes.client.get(f"/referrals/{referral_id}/pam", headers=outcomes.auth(role))
        assert (post.status_code, listed.status_code) == (403, 403)
    assert (await outcomes.client.get(f"/referrals/{referral_id}/pam")).status_code == 401


async def test_a_baseline_follow_up_and_correction_are_recorded_and_published(
    outcomes: ServiceHarness,
) -> None:
    referral_id = await known_referral(outcomes, date(2026, 1, 5))
    coordinator = outcomes.auth(Role.COORDINATOR, COORDINATOR)

    baseline = await outcomes.client.post(
        f"/referrals/{referral_id}/pam", json=pam(50.3), headers=coordinator
    )
    follow_up = await outcomes.client.post(
        f"/referrals/{referral_id}/pam",
        json=pam("68.0", 4, timepoint="follow-up", number=1, on="2026-04-20"),
        headers=coordinator,
    )
    assert baseline.status_code == 201, baseline.text
    assert follow_up.status_code == 201, follow_up.text
    assert baseline.json() | {"pam_id": None} == {
        "pam_id": None,
        "referral_id": referral_id,
        "revision": 1,
        "timepoint": "baseline",
        "follow_up_number": None,
        "assessed_on": "2026-01-05",
        "score": 50.3,
        "level": 2,
        "level_derived": True,
        "cut_point_set": "hibbard-2005",
        "tool_version": "pam-13",
        "administered_by": "coordinator",
    }
    assert (follow_up.json()["level"], follow_up.json()["level_derived"]) == (4, False)

    pam_id = baseline.json()["pam_id"]
    corrected = await outcomes.client.put(
        f"/pam/{pam_id}", json=pam(46.0, on="2026-01-04"), headers=coordinator
    )
    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["revision"], corrected.json()["level"]) == (2, 1)
    history = (await outcomes.client.get(f"/pam/{pam_id}", headers=coordinator)).json()
    assert [(r["revision"], r["score"], r["entered_by"]) for r in history["revisions"]] == [
        (1, 50.3, COORDINATOR),
        (2, 46.0, COORDINATOR),
    ]

    await outcomes.wait_published(3)
    events = await pam_on_stream(outcomes)
    assert [
        (e.data.pam_id == pam_id, e.data.revision, float(e.data.score), e.data.level_derived) for e in events
    ] == [
        (True, 1, 50.3, True),
        (False, 1, 68.0, False),
        (True, 2, 46.0, True),
    ]
    assert all(e.subject == referral_id and e.condition == outcomes.condition for e in events)

    # Consumed back into the reporting projection, the correction winning.
    async def projected() -> bool:
        async with outcomes.sessions() as s:
            rows = (await s.execute(select(rpt_pam.c.pam_id, rpt_pam.c.revision, rpt_pam.c.score))).all()
        return sorted((r.revision, float(r.score)) for r in rows) == [(1, 68.0), (2, 46.0)]

    await eventually(projected)


BAD_INPUTS = [
    ("score 120", "new", pam(120), 422, "score-out-of-range"),
    ("level 5", "new", pam(50, 5), 422, "level-out-of-range"),
    ("score/level contradiction", "new", pam(60.2, 2), 422, "level-contradicts-score"),
    ("two decimals", "new", pam("55.25"), 422, "score-precision"),
    ("in the future", "new", pam(50, on="2026-04-21"), 422, "assessed-in-future"),
    ("second baseline", "known", pam(52.0, on="2026-01-03"), 409, "baseline-exists"),
    ("baseline after first session", "new", pam(50, on="2026-01-06"), 409, "baseline-after-first-session"),
    (
        "follow-up before baseline",
        "known",
        pam(70, timepoint="follow-up", number=1, on="2026-01-04"),
        409,
        "follow-up-before-baseline",
    ),
    (
        "follow-up without baseline",
        "new",
        pam(70, timepoint="follow-up", number=1, on="2026-03-01"),
        409,
        "no-baseline",
    ),
    ("unknown referral", "unknown", pam(50), 404, "unknown-referral"),
    ("referral not received yet", "stub", pam(50), 404, "unknown-referral"),
]


async def test_bad_pam_inputs_get_their_own_4xx_and_change_nothing(outcomes: ServiceHarness) -> None:
    coordinator = outcomes.auth(Role.COORDINATOR)
    with_baseline = await known_referral(outcomes, date(2026, 1, 5))
    without = await known_referral(outcomes, date(2026, 1, 5))
    first = await outcomes.client.post(f"/referrals/{with_baseline}/pam", json=pam(50.0), headers=coordinator)
    assert first.status_code == 201
    await outcomes.wait_published(1)
    before = await state(outcomes)
    # A referral seen only through its sessions: its ReferralReceived has not arrived.
    only_sessions = f"ref_{uuid.uuid4().hex}"
    await outcomes.publish(session(outcomes.condition, only_sessions, date(2026, 1, 5)))
    await eventually(lambda: _stub_projected(outcomes, only_sessions))
    targets = {
        "known": with_baseline,
        "new": without,
        "unknown": f"ref_{uuid.uuid4().hex}",
        "stub": only_sessions,
    }

    for name, target, body, status, code in BAD_INPUTS:
        response = await outcomes.client.post(
            f"/referrals/{targets[target]}/pam", json=body, headers=coordinator
        )
        assert (response.status_code, response.json().get("code")) == (status, code), name
        assert response.headers["content-type"] == "application/problem+json", name

    # The item answers of the licensed questionnaire are not accepted at all.
    answers = await outcomes.client.post(
        f"/referrals/{without}/pam", json=pam(50) | {"answers": [1] * 13}, headers=coordinator
    )
    correction = await outcomes.client.put(
        f"/pam/{first.json()['pam_id']}", json=pam(60.2, 2), headers=coordinator
    )
    unknown_pam = await outcomes.client.put(f"/pam/pam_{uuid.uuid4().hex}", json=pam(50), headers=coordinator)
    assert answers.status_code == 422
    assert (correction.status_code, correction.json()["code"]) == (422, "level-contradicts-score")
    assert (unknown_pam.status_code, unknown_pam.json()["code"]) == (404, "unknown-pam")

    assert await state(outcomes) == before
    assert len(await pam_on_stream(outcomes)) == 1


async def _stub_projected(outcomes: ServiceHarness, referral_id: str) -> bool:
    found = await outcomes.scalar(
        "SELECT count(*) FROM rpt_referrals WHERE referral_id = :referral_id", referral_id=referral_id
    )
    return int(found) == 1
