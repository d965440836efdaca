"""Status from matching's and sessions' events, and the matched mentor's audited contact card."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.matching import ConfirmedBy, MatchMode, MentorMatched
from peer_events.events.sessions import PairingEnded, PairingEndReason, PairingStarted
from peer_shared.auth import Role
from peer_shared.clock import FixedClock
from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import service_request, submit_fhir
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def at(moment: datetime, data: EventData, condition: str) -> CloudEvent[EventData]:
    return new_event(data, clock=FixedClock(moment), condition=condition, programme="t2d-one-to-one")


def matched(referral_id: str, mentor_id: str, match_id: str) -> MentorMatched:
    return MentorMatched(
        match_id=match_id,
        referral_id=referral_id,
        mentor_id=mentor_id,
        score=0.82,
        mode=MatchMode.AUTO,
        confirmed_by=ConfirmedBy.SYSTEM,
    )


def started(referral_id: str, mentor_id: str, match_id: str, pairing_id: str) -> PairingStarted:
    return PairingStarted(
        pairing_id=pairing_id,
        referral_id=referral_id,
        mentor_id=mentor_id,
        match_id=match_id,
        started_on=date(2026, 11, 12),
        planned_end_on=date(2027, 3, 12),
    )


async def status_of(harness: ServiceHarness, referral_id: str) -> tuple[str | None, str | None]:
    async with harness.sessions() as session:
        from sqlalchemy import text

        row = (
            await session.execute(
                text("SELECT support_stage, support_mentor_id FROM referrals WHERE id = :id"),
                {"id": referral_id},
            )
        ).one()
    return row[0], row[1]


async def test_events_in_any_order_leave_the_latest_stage_and_the_right_mentor(
    referrals: ServiceHarness,
) -> None:
    referral_id = await submit_fhir(referrals, service_request())
    mentor, match, pairing = f"mnt_{uuid.uuid4().hex}", f"mat_{uuid.uuid4().hex}", f"pai_{uuid.uuid4().hex}"
    condition = referrals.condition
    # Sessions' event arrives before matching's, as it may across streams.
    await referrals.publish(
        at(T0 + timedelta(days=2), started(referral_id, mentor, match, pairing), condition)
    )
    await referrals.publish(at(T0, matched(referral_id, mentor, match), condition))

    async def is_started() -> bool:
        return await status_of(referrals, referral_id) == ("started", mentor)

    await eventually(is_started)
    me = referrals.auth(Role.REFERRER, "ods-B86001")
    assert (await referrals.client.get(f"/my/referrals/{referral_id}", headers=me)).json()[
        "status"
    ] == "started"

    ended = PairingEnded(
        pairing_id=pairing,
        referral_id=referral_id,
        mentor_id=mentor,
        ended_on=date(2026, 12, 1),
        reason=PairingEndReason.MENTOR_LEFT,
        sessions_attended=2,
    )
    await referrals.publish(at(T0 + timedelta(days=21), ended, condition))

    async def is_ended() -> bool:
        return await status_of(referrals, referral_id) == ("ended", None)

    await eventually(is_ended)


async def test_only_the_matched_mentor_opens_the_contact_card_and_it_is_audited(
    referrals: ServiceHarness,
) -> None:
    referral_id = await submit_fhir(referrals, service_request())
    mentor, other = f"mnt_{uuid.uuid4().hex}", f"mnt_{uuid.uuid4().hex}"
    await referrals.publish(
        at(T0, matched(referral_id, mentor, f"mat_{uuid.uuid4().hex}"), referrals.condition)
    )

    async def is_matched() -> bool:
        return await status_of(referrals, referral_id) == ("matched", mentor)

    await eventually(is_matched)
    path = f"/referrals/{referral_id}/contact-card"
    card = await referrals.client.get(path, headers=referrals.auth(Role.MENTOR, mentor))
    assert card.status_code == 200, card.text
    assert card.json() == {
        "referral_id": referral_id,
        "name": "Samina Noor Akhtar",
        "preferred_contact": "phone",
        "phone": "07700 900123",
        "email": None,
    }
    assert (await referrals.client.get(path, headers=referrals.auth(Role.MENTOR, other))).status_code == 404
    unknown = f"/referrals/ref_{uuid.uuid4().hex}/contact-card"
    assert (
        await referrals.client.get(unknown, headers=referrals.auth(Role.MENTOR, mentor))
    ).status_code == 404
    coordinator = await referrals.client.get(path, headers=referrals.auth(Role.COORDINATOR))
    assert coordinator.status_code == 403

    log = await referrals.client.get(
        f"/audit?referral_id={referral_id}", headers=referrals.auth(Role.COORDINATOR)
    )
    [entry] = log.json()["items"]
    assert (entry["actor_role"], entry["actor"], entry["action"], entry["purpose"]) == (
        "mentor",
        mentor,
        "open-contact-card",
        "arrange-first-meeting",
    )
