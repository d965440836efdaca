"""Synthetic events for the outcomes rebuild benchmark: the mentor workforce and mentees' journeys."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from peer_events.codes import AgeBand, Gender, SessionMode
from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events import (
    MentorActivated,
    MentorMatched,
    MentorRegistered,
    PairingCompleted,
    PairingStarted,
    PamRecorded,
    ReferralAccepted,
    ReferralReceived,
    SessionLogged,
)
from peer_events.events.matching import ConfirmedBy, MatchMode
from peer_events.events.outcomes import Timepoint
from peer_events.events.referrals import Consent, MenteePreferences, ReferralSource
from peer_events.events.sessions import Attendance
from peer_shared.clock import FixedClock

PROGRAMME = "t2d-one-to-one"
MENTORS = 2000
DISTRICTS = ("M1", "M2", "M8", "M14", "M20", "SK4", "OL1", "BL1", "WN1", "WA1")
CONSENT = Consent(peer_support=True, share_outcomes_with_referrer=True, contact_for_evaluation=True)


def hid(prefix: str) -> str:
    """A fresh identifier of one kind (`ref_...`, `mnt_...`)."""
    return f"{prefix}_{uuid.uuid4().hex}"


def wrap(data: EventData, condition: str, day: date) -> CloudEvent[Any]:
    """`data` as an event of the benchmark's condition, raised at noon on `day`."""
    clock = FixedClock(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    return new_event(data, clock=clock, condition=condition, programme=PROGRAMME)


def mentee_events(rng: random.Random, condition: str, mentors: list[str]) -> Iterator[CloudEvent[Any]]:
    """One mentee's journey: about twenty events."""
    ref = hid("ref")
    received = date(2025, 4, 1) + timedelta(days=rng.randint(0, 330))
    yield wrap(
        ReferralReceived(
            referral_id=ref,
            received_on=received,
            source=rng.choice(list(ReferralSource)),
            referrer_ods_code=f"A8{rng.randint(1000, 1200)}",
            age_band=rng.choice(list(AgeBand)),
            gender=rng.choice(list(Gender)),
            postcode_district=rng.choice(DISTRICTS),
            ethnic_category=rng.choice(("A", "A", "A", "H", "J", "N", None)),
        ),
        condition,
        received,
    )
    accepted = received + timedelta(days=rng.randint(1, 10))
    yield wrap(
        ReferralAccepted(
            referral_id=ref, accepted_on=accepted, consent=CONSENT, preferences=MenteePreferences()
        ),
        condition,
        accepted,
    )
    match_id, pairing_id, mentor = hid("mat"), hid("pai"), rng.choice(mentors)
    matched = accepted + timedelta(days=rng.randint(1, 40))
    yield wrap(
        MentorMatched(
            match_id=match_id,
            referral_id=ref,
            mentor_id=mentor,
            score=0.7,
            mode=MatchMode.AUTO,
            confirmed_by=ConfirmedBy.SYSTEM,
        ),
        condition,
        matched,
    )
    ids = {"pairing_id": pairing_id, "referral_id": ref, "mentor_id": mentor}
    started = matched + timedelta(days=rng.randint(1, 5))
    yield wrap(
        PairingStarted(
            **ids, match_id=match_id, started_on=started, planned_end_on=started + timedelta(days=120)
        ),
        condition,
        started,
    )
    baseline = Decimal(rng.randint(300, 700)) / 10
    yield pam(ref, condition, Timepoint.BASELINE, started, baseline)
    attended = 0
    for number in range(1, 13):
        on = started + timedelta(days=7 * (number - 1))
        attendance = (
            Attendance.ATTENDED if number == 1 or rng.random() < 0.8 else Attendance.MENTEE_DID_NOT_ATTEND
        )
        attended += attendance is Attendance.ATTENDED
        yield wrap(
            SessionLogged(
                **ids,
                session_id=hid("ses"),
                revision=1,
                session_number=number,
                session_date=on,
                attendance=attendance,
                mode=SessionMode.CAFE,
                duration_minutes=60 if attendance is Attendance.ATTENDED else None,
            ),
            condition,
            on,
        )
    completed = started + timedelta(days=7 * 12)
    yield wrap(
        PairingCompleted(**ids, completed_on=completed, sessions_attended=attended), condition, completed
    )
    follow_up = min(Decimal(100), baseline + Decimal(rng.randint(-50, 200)) / 10)
    yield pam(ref, condition, Timepoint.FOLLOW_UP, completed, follow_up)


def pam(ref: str, condition: str, timepoint: Timepoint, on: date, score: Decimal) -> CloudEvent[Any]:
    """A PAM result with its level derived from the score (Hibbard's 2005 cut points)."""
    level = 1 if score <= 47 else 2 if score <= Decimal("55.1") else 3 if score <= 67 else 4
    return wrap(
        PamRecorded(
            pam_id=hid("pam"),
            referral_id=ref,
            revision=1,
            timepoint=timepoint,
            follow_up_number=1 if timepoint is Timepoint.FOLLOW_UP else None,
            assessed_on=on,
            score=score,
            level=level,
            level_derived=True,
            cut_point_set="hibbard-2005",
            tool_version="pam-13",
        ),
        condition,
        on,
    )


def synthetic_events(n: int, condition: str) -> Iterator[CloudEvent[Any]]:
    """`n` events: the mentor workforce first, then mentees' journeys until `n` is reached."""
    rng = random.Random(2025)
    mentors = [hid("mnt") for _ in range(MENTORS)]
    produced = 0
    for mentor in mentors:
        for event in (
            wrap(
                MentorRegistered(
                    mentor_id=mentor,
                    registered_on=date(2025, 3, 1),
                    conditions=(condition,),
                    postcode_district="M1",
                    capacity=3,
                ),
                condition,
                date(2025, 3, 1),
            ),
            wrap(
                MentorActivated(mentor_id=mentor, activated_on=date(2025, 3, 20), capacity=3),
                condition,
                date(2025, 3, 20),
            ),
        ):
            if produced == n:
                return
            produced += 1
            yield event
    while True:
        for event in mentee_events(rng, condition, mentors):
            if produced == n:
                return
            produced += 1
            yield event
