"""Events in and out on the real NATS and Postgres: matches start pairings exactly once, mentor and
referral news pause or end them in any order, and logged sessions leave as `SessionLogged` without notes.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from peer_events import CloudEvent
from peer_events.events.matching import (
    ConfirmedBy,
    MatchMode,
    MentorActivated,
    MentorLeaveReason,
    MentorLeft,
    MentorMatched,
    MentorPaused,
    MentorPauseReason,
)
from peer_events.events.referrals import ReferralWithdrawn, WithdrawalReason
from peer_events.events.sessions import (
    PairingEnded,
    PairingEndReason,
    PairingPaused,
    PairingResumed,
    PairingStarted,
    SessionLogged,
)
from peer_sessions.domain.pairing import Pairing, PairingStatus
from peer_sessions.store import pairings_repo
from peer_sessions.store.tables import (
    goal,
    goal_history,
    mentoring_session,
    session_revision,
    withdrawn_referral,
)
from peer_shared.auth import Role
from peer_shared.messaging.dead_letters import list_dead_letters
from peer_shared.messaging.tables import inbox
from peer_testkit.harness import ServiceHarness
from peer_testkit.sessions import (
    as_coordinator,
    consumed_everything,
    has_published,
    incoming,
    published,
    raw_published,
)
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

MATCHING_CONSUMER = "sessions-matching-v1"
NOTES = "Mrs Example at 12 Acacia Avenue, NHS 943 476 5919, worried about her feet"


def matched(
    service: ServiceHarness, *, referral_id: str | None = None, mentor_id: str | None = None
) -> CloudEvent[Any]:
    data = MentorMatched(
        match_id=f"mat_{uuid.uuid4().hex}",
        referral_id=referral_id or f"ref_{uuid.uuid4().hex}",
        mentor_id=mentor_id or f"mnt_{uuid.uuid4().hex}",
        score=0.82,
        mode=MatchMode.AUTO,
        confirmed_by=ConfirmedBy.SYSTEM,
    )
    return incoming(service, data)


async def pairings_of_referral(service: ServiceHarness, referral_id: str) -> list[Pairing]:
    async with service.sessions() as session:
        return await pairings_repo.of_referral(session, referral_id)


async def wait_for_pairing(service: ServiceHarness, referral_id: str, status: PairingStatus) -> Pairing:
    async def arrived() -> bool:
        return any(p.status is status for p in await pairings_of_referral(service, referral_id))

    await eventually(arrived)
    return next(p for p in await pairings_of_referral(service, referral_id) if p.status is status)


async def test_mentor_matched_delivered_twice_starts_exactly_one_pairing(service: ServiceHarness) -> None:
    event = matched(service)
    # The same event twice under different message ids (as after a re-publish past the duplicate window),
    # and the same match again under a new event id (as if matching's relay re-sent it as a new event).
    await service.publish(event, msg_id_suffix="-a")
    await service.publish(event, msg_id_suffix="-b")
    again = event.model_copy(update={"id": uuid.uuid4()})
    await service.publish(again)

    await wait_for_pairing(service, event.data.referral_id, PairingStatus.ACTIVE)
    await eventually(lambda: consumed_everything(service, "PEER_MATCHING", MATCHING_CONSUMER))
    async with service.sessions() as session:
        claimed = (
            await session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_([event.id, again.id])))
        ).scalars()
        assert set(claimed) == {event.id, again.id}  # both event ids were handled; one match, one pairing
    found = await pairings_of_referral(service, event.data.referral_id)
    assert [(p.match_id, p.status) for p in found] == [(event.data.match_id, PairingStatus.ACTIVE)]
    pairing = found[0]
    assert (pairing.mentor_id, pairing.condition, pairing.programme) == (
        event.data.mentor_id, service.condition, "t2d-one-to-one",
    )  # fmt: skip
    assert pairing.planned_end_on == pairing.started_on + timedelta(weeks=16)

    await service.outbox_drained()
    started = await published(service, PairingStarted)
    assert len(started) == 1
    assert (started[0].causationid, started[0].correlationid) == (event.id, event.correlationid)


async def test_a_second_match_for_a_referral_with_an_open_pairing_is_parked_for_an_operator(
    service: ServiceHarness,
) -> None:
    first = matched(service)
    second = matched(service, referral_id=first.data.referral_id)
    await service.publish(first)
    await service.publish(second)

    async def parked() -> bool:
        async with service.sessions() as session:
            return len(await list_dead_letters(session)) == 1

    await eventually(parked)
    async with service.sessions() as session:
        [letter] = await list_dead_letters(session)
    assert letter.event_id == second.id
    assert "already has open pairing" in letter.error
    assert [p.match_id for p in await pairings_of_referral(service, first.data.referral_id)] == [
        first.data.match_id
    ]


async def test_a_logged_session_leaves_as_exactly_one_session_logged_without_notes(
    service: ServiceHarness,
) -> None:
    event = matched(service)
    await service.publish(event)
    pairing = await wait_for_pairing(service, event.data.referral_id, PairingStatus.ACTIVE)
    body = {
        "starts_at": service.clock.now().isoformat(),
        "duration_minutes": 55,
        "mode": "community-centre",
        "attendance": "attended",
        "topics": ["foot-care", "emotional-wellbeing"],
        "notes": NOTES,
        "new_goals": [{"topic": "foot-care", "what": "Check feet every evening", "confidence": 7}],
    }
    response = await service.client.post(
        f"/pairings/{pairing.id}/sessions", json=body, headers=service.auth(Role.MENTOR, pairing.mentor_id)
    )
    assert response.status_code == 201, response.text

    await eventually(lambda: has_published(service, SessionLogged, 1))
    messages = await raw_published(service, SessionLogged)
    assert len(messages) == 1
    raw = messages[0].data.decode()
    for fragment in ("Acacia", "943 476 5919", "Mrs Example", "feet", "Check feet"):
        assert fragment not in raw
    data = json.loads(raw)["data"]
    assert data == {
        "pairing_id": pairing.id,
        "referral_id": pairing.referral_id,
        "mentor_id": pairing.mentor_id,
        "session_id": response.json()["id"],
        "revision": 1,
        "session_number": 1,
        "session_date": service.today().isoformat(),
        "attendance": "attended",
        "duration_minutes": 55,
        "mode": "community-centre",
        "topics": ["foot-care", "emotional-wellbeing"],
        "goals_set": 1,
        "goals_reviewed": 0,
    }
    assert messages[0].headers is not None
    assert messages[0].headers["Nats-Msg-Id"] == json.loads(raw)["id"]


async def test_a_withdrawal_ends_the_pairing_and_erases_what_was_written_about_the_person(
    service: ServiceHarness,
) -> None:
    event = matched(service)
    await service.publish(event)
    pairing = await wait_for_pairing(service, event.data.referral_id, PairingStatus.ACTIVE)
    body = {
        "starts_at": service.clock.now().isoformat(),
        "duration_minutes": 60,
        "mode": "phone",
        "attendance": "attended",
        "notes": NOTES,
        "new_goals": [
            {"topic": "diet", "what": "Porridge for breakfast", "how_often": "daily", "confidence": 8}
        ],
    }
    mentor = service.auth(Role.MENTOR, pairing.mentor_id)
    logged = await service.client.post(f"/pairings/{pairing.id}/sessions", json=body, headers=mentor)
    correction = body | {"duration_minutes": 50}
    del correction["new_goals"]
    await service.client.put(f"/sessions/{logged.json()['id']}", json=correction, headers=mentor)

    withdrawal = ReferralWithdrawn(
        referral_id=pairing.referral_id,
        withdrawn_on=date(2026, 1, 5),
        reason=WithdrawalReason.MENTEE_REQUEST,
        erase_personal_data=True,
    )
    await service.publish(incoming(service, withdrawal))
    ended = await wait_for_pairing(service, pairing.referral_id, PairingStatus.ENDED)
    assert (ended.end_reason, ended.finished_on) == (PairingEndReason.MENTEE_WITHDREW, date(2026, 1, 5))

    async with service.sessions() as session:
        texts = [
            *(await session.execute(select(mentoring_session.c.notes))).scalars(),
            *(await session.execute(select(session_revision.c.notes))).scalars(),
            *(await session.execute(select(goal.c.what, goal.c.how_often))).all()[0],
            *(await session.execute(select(goal_history.c.what))).scalars(),
        ]
        attendance = (await session.execute(select(mentoring_session.c.attendance))).scalars().all()
    # One session with two revisions; one goal (what, how often) set once.
    assert texts == [None] * 6
    assert attendance == ["attended"]  # codes stay for reporting

    await eventually(lambda: has_published(service, PairingEnded, 1))
    [ended_event] = await published(service, PairingEnded)
    assert (ended_event.data.reason, ended_event.data.sessions_attended) == ("mentee-withdrew", 1)  # type: ignore[attr-defined]
    # A session cannot be logged on the ended pairing.
    late = await service.client.post(f"/pairings/{pairing.id}/sessions", json=body, headers=mentor)
    assert (late.status_code, late.json()["code"], late.json()["status"]) == (409, "pairing-not-active", 409)


async def test_a_withdrawal_heard_before_the_match_starts_no_pairing(service: ServiceHarness) -> None:
    referral_id = f"ref_{uuid.uuid4().hex}"
    withdrawal = ReferralWithdrawn(
        referral_id=referral_id,
        withdrawn_on=date(2026, 1, 5),
        reason=WithdrawalReason.MOVED_AWAY,
        erase_personal_data=False,
    )
    await service.publish(incoming(service, withdrawal))
    # The withdrawal is applied before the match is published, as when the streams are read out of order.
    await eventually(lambda: _withdrawn(service, referral_id))
    await service.publish(matched(service, referral_id=referral_id))

    await eventually(lambda: consumed_everything(service, "PEER_MATCHING", MATCHING_CONSUMER))
    assert await pairings_of_referral(service, referral_id) == []
    assert await published(service, PairingStarted) == []


async def test_mentor_pause_return_and_departure_carry_through_to_pairings(service: ServiceHarness) -> None:
    mentor_id = f"mnt_{uuid.uuid4().hex}"
    first, second = matched(service, mentor_id=mentor_id), matched(service, mentor_id=mentor_id)
    await service.publish(first)
    await service.publish(second)
    await wait_for_pairing(service, second.data.referral_id, PairingStatus.ACTIVE)
    # A coordinator pauses one pairing themselves: the mentor's return must not resume that one.
    held = (await pairings_of_referral(service, first.data.referral_id))[0]
    response = await service.client.post(
        f"/pairings/{held.id}/pause", json={"reason": "mentee-unavailable"}, headers=as_coordinator(service)
    )
    assert response.status_code == 200

    await service.publish(incoming(service, MentorPaused(
        mentor_id=mentor_id, paused_on=date(2026, 2, 1), reason=MentorPauseReason.UNAVAILABLE
    )))  # fmt: skip
    paused = await wait_for_pairing(service, second.data.referral_id, PairingStatus.PAUSED)
    assert (paused.pause_reason, paused.paused_for_mentor) == ("mentor-unavailable", True)

    service.clock.advance(timedelta(seconds=1))  # the mentor's return is newer news than the pause
    await service.publish(
        incoming(service, MentorActivated(mentor_id=mentor_id, activated_on=date(2026, 3, 1), capacity=2))
    )
    await wait_for_pairing(service, second.data.referral_id, PairingStatus.ACTIVE)
    assert (await pairings_of_referral(service, first.data.referral_id))[0].status is PairingStatus.PAUSED

    service.clock.advance(timedelta(seconds=1))
    await service.publish(incoming(service, MentorLeft(
        mentor_id=mentor_id, left_on=date(2026, 4, 1), reason=MentorLeaveReason.MOVED_AWAY
    )))  # fmt: skip
    for event in (first, second):
        ended = await wait_for_pairing(service, event.data.referral_id, PairingStatus.ENDED)
        assert ended.end_reason == "mentor-left"

    await eventually(lambda: has_published(service, PairingEnded, 2))
    assert len(await published(service, PairingPaused)) == 2  # the coordinator's and the mentor's
    assert len(await published(service, PairingResumed)) == 1


async def test_a_mentor_who_left_before_the_match_was_heard_gets_a_pairing_that_ends_at_once(
    service: ServiceHarness,
) -> None:
    mentor_id = f"mnt_{uuid.uuid4().hex}"
    await service.publish(incoming(service, MentorLeft(
        mentor_id=mentor_id, left_on=date(2026, 4, 1), reason=MentorLeaveReason.STEPPED_DOWN
    )))  # fmt: skip
    late = matched(service, mentor_id=mentor_id)
    await service.publish(late)

    ended = await wait_for_pairing(service, late.data.referral_id, PairingStatus.ENDED)
    assert ended.end_reason == "mentor-left"
    # Matching hears both: the pairing started, and ended, so the referral can be matched again.
    await eventually(lambda: has_published(service, PairingEnded, 1))
    assert len(await published(service, PairingStarted)) == 1


async def _withdrawn(service: ServiceHarness, referral_id: str) -> bool:
    query = select(withdrawn_referral.c.referral_id).where(withdrawn_referral.c.referral_id == referral_id)
    async with service.sessions() as session:
        return (await session.execute(query)).first() is not None
