"""Safeguarding on real NATS and Postgres: concerns travel on the internal stream in their own outbox
lane, ahead of any backlog of ordinary events; unacknowledged ones are raised again until acknowledged.
"""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta

import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select

from peer_events import parse_event, subject_of
from peer_events.codes import SessionMode
from peer_events.events.safeguarding import (
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRaised,
)
from peer_events.events.sessions import Attendance, SessionLogged
from peer_sessions.use_cases.escalation import escalate_overdue
from peer_shared.auth import Role
from peer_shared.http.problems import PROBLEM_JSON
from peer_shared.messaging.outbox import DEFAULT_LANE, put_in_outbox
from peer_shared.messaging.tables import outbox
from peer_testkit.harness import ServiceHarness
from peer_testkit.sessions import as_coordinator, counts, incoming, published, seed_pairing
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

BACKLOG = 20_000
CONCERN = {
    "category": "self-neglect",
    "urgency": "immediate",
    "details": "Has not eaten for days; lives alone.",
}


async def unpublished_default_rows(service: ServiceHarness) -> int:
    query = select(func.count()).where(outbox.c.lane == DEFAULT_LANE, outbox.c.published_at.is_(None))
    async with service.sessions() as session:
        return int((await session.execute(query)).scalar_one())


async def test_a_concern_reaches_its_subscribers_ahead_of_a_backlog_of_ordinary_events(
    service: ServiceHarness,
) -> None:
    pairing = await seed_pairing(service)
    # The safeguarding lead's subscriber: a consumer on the internal stream, listening from the start.
    subscriber = await service.js.pull_subscribe(
        subject_of(SafeguardingConcernRaised, service.condition),
        stream="INTERNAL_SESSIONS",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, ack_policy=AckPolicy.EXPLICIT),
    )
    logged = SessionLogged(
        pairing_id=pairing.id,
        referral_id=pairing.referral_id,
        mentor_id=pairing.mentor_id,
        session_id="ses_" + "1" * 32,
        revision=1,
        session_number=1,
        session_date=date(2026, 1, 5),
        attendance=Attendance.ATTENDED,
        duration_minutes=60,
        mode=SessionMode.CAFE,
    )
    template = incoming(service, logged)
    backlog = [template.model_copy(update={"id": event_id}) for event_id in _uuids(BACKLOG)]
    async with service.sessions() as session, session.begin():
        await put_in_outbox(session, backlog)
    # Raise the concern while the default lane's relay is busy with the backlog.
    await eventually(lambda: _fewer_waiting_than(service, BACKLOG - 1000))

    started = time.monotonic()
    raised = await service.client.post(
        f"/pairings/{pairing.id}/safeguarding-concerns",
        json=CONCERN,
        headers=service.auth(Role.MENTOR, pairing.mentor_id),
    )
    assert raised.status_code == 201, raised.text
    [message] = await subscriber.fetch(1, timeout=10)
    latency = time.monotonic() - started
    still_waiting = await unpublished_default_rows(service)
    await message.ack()
    await subscriber.unsubscribe()

    event = parse_event(message.data)
    assert isinstance(event.data, SafeguardingConcernRaised)
    assert event.data.concern_id == raised.json()["id"]
    assert "eaten" not in message.data.decode()  # the details stay in the sessions service
    print(f"concern delivered in {latency * 1000:.0f} ms; {still_waiting} of {BACKLOG} ordinary rows waiting")
    assert still_waiting > 0, "the ordinary backlog had already drained: the test proves nothing"


async def test_an_unacknowledged_concern_is_raised_again_until_a_coordinator_acknowledges_it(
    service: ServiceHarness,
) -> None:
    pairing = await seed_pairing(service)
    raised = await service.client.post(
        f"/pairings/{pairing.id}/safeguarding-concerns",
        json=CONCERN,
        headers=service.auth(Role.MENTOR, pairing.mentor_id),
    )
    concern_id = raised.json()["id"]
    await eventually(lambda: _raised_levels(service, [0]))

    service.clock.advance(timedelta(minutes=16))  # immediate concerns are raised again every 15 minutes
    await eventually(lambda: _raised_levels(service, [0, 1]))
    listed = await service.client.get("/safeguarding/concerns", headers=as_coordinator(service))
    [open_concern] = listed.json()["items"]
    assert (open_concern["id"], open_concern["escalation_level"]) == (concern_id, 1)
    assert open_concern["details"] == CONCERN["details"]

    acknowledged = await service.client.post(
        f"/safeguarding/concerns/{concern_id}/acknowledge",
        json={"action": "gp-informed"},
        headers=as_coordinator(service),
    )
    assert acknowledged.status_code == 200, acknowledged.text
    again = await service.client.post(
        f"/safeguarding/concerns/{concern_id}/acknowledge",
        json={"action": "monitoring"},
        headers=as_coordinator(service),
    )
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM_JSON)
    assert again.json()["code"] == "concern-already-acknowledged"

    service.clock.advance(timedelta(minutes=30))  # level 3 were it still open (tokens last an hour)
    async with service.runtime.unit_of_work() as uow:
        assert await escalate_overdue(uow, service.settings.escalation_intervals()) == 0
    await service.outbox_drained()
    assert await _raised_levels(service, [0, 1])
    [ack_event] = await published(service, SafeguardingConcernAcknowledged)
    assert (ack_event.data.concern_id, ack_event.data.acknowledged_by) == (concern_id, "usr_" + "c" * 32)  # type: ignore[attr-defined]
    assert (await service.client.get("/safeguarding/concerns", headers=as_coordinator(service))).json()[
        "items"
    ] == []


async def test_concerns_are_refused_outside_the_caller_s_pairings_and_change_nothing(
    service: ServiceHarness,
) -> None:
    pairing, other = await seed_pairing(service), await seed_pairing(service)
    mentor = service.auth(Role.MENTOR, pairing.mentor_id)
    before = await counts(service)
    cases = [
        (other, CONCERN, 403, "not-your-pairing"),
        (pairing, CONCERN | {"details": "x" * 10_001}, 422, "details-too-long"),
        (pairing, CONCERN | {"session_id": "ses_" + "0" * 32}, 422, "session-not-in-pairing"),
    ]
    for target, body, status, code in cases:
        path = f"/pairings/{target.id}/safeguarding-concerns"
        response = await service.client.post(path, json=body, headers=mentor)
        assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM_JSON)
        assert (response.json()["status"], response.json()["code"]) == (status, code)
    assert (await service.client.get("/safeguarding/concerns", headers=mentor)).status_code == 403
    assert await counts(service) == before


async def _fewer_waiting_than(service: ServiceHarness, count: int) -> bool:
    return await unpublished_default_rows(service) < count


async def _raised_levels(service: ServiceHarness, levels: list[int]) -> bool:
    events = await published(service, SafeguardingConcernRaised)
    return [e.data.escalation_level for e in events] == levels  # type: ignore[attr-defined]


def _uuids(count: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(count)]
