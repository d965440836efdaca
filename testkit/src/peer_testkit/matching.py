"""Builders for the matching service's tests: mentors, mentees and rounds (with hypothesis strategies),
referral events, registration bodies, and reads of a running matching service."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import text

from peer_events.codes import AgeBand, ContactMode, ExperienceTag, Gender, GenderPreference
from peer_events.envelope import CloudEvent, new_event
from peer_events.events.referrals import (
    Consent,
    MenteePreferences,
    ReferralAccepted,
    ReferralReceived,
    ReferralSource,
)
from peer_matching.domain.eligibility import EligibilityContext
from peer_matching.domain.matching import RoundInput
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor, MentorStatus
from peer_matching.domain.scoring import ScoringRules
from peer_matching.domain.training import CheckRules, TrainingModule
from peer_shared.clock import Clock, SystemClock, uk_today
from peer_testkit.harness import ServiceHarness

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
CONTEXT = EligibilityContext(first_session_on=TODAY + timedelta(days=14), rules=CheckRules())
RULES = ScoringRules()
CONDITION = "t2d"
COORDINATOR = "usr_" + "c0" * 16
"""The staff account the tests' coordinator token is issued to."""
PROGRAMME = "t2d-one-to-one"
# Greater Manchester districts a few km apart, and one that is not in the centroid table.
DISTRICTS = ("M1", "M4", "M8", "M14", "M20", "M32", "SK4", "OL1", "BL1", "WA14")
UNKNOWN_DISTRICT = "ZZ9"
SLOTS = ("mon-morning", "tue-evening", "wed-afternoon", "thu-morning", "sat-morning")
LANGUAGES = ("en", "pa", "ur", "pl")
ALL_MODULES = {module: date(2025, 9, 1) for module in TrainingModule}
# What a refused request must leave as it was (outbox rows only by id: the relay marks them published).
_SNAPSHOT_TABLES = ("mentor", "mentor_training", "mentor_contact", "match", "mentee")


def new_id(prefix: str) -> str:
    """A fresh pseudonymous id of a kind, e.g. `mnt_...`."""
    return f"{prefix}_{uuid.uuid4().hex}"


def mentor(**changes: Any) -> Mentor:
    """An active, trained, checked mentor in M1 who travels 10 km; override any field."""
    base = Mentor(
        mentor_id=new_id("mnt"),
        status=MentorStatus.ACTIVE,
        conditions=(CONDITION,),
        postcode_district="M1",
        travel_km=10.0,
        gender=Gender.FEMALE,
        registered_on=date(2025, 8, 1),
        training=dict(ALL_MODULES),
        dbs_checked_on=date(2025, 6, 1),
        safeguarding_refreshed_on=date(2025, 9, 1),
    )
    return replace(base, **changes)


def mentee(**changes: Any) -> Mentee:
    """A mentee in M1 accepted a week ago with no preferences; override any field."""
    base = Mentee(
        referral_id=new_id("ref"),
        condition=CONDITION,
        programme=PROGRAMME,
        postcode_district="M1",
        gender=Gender.MALE,
        waiting_since=NOW - timedelta(days=7),
    )
    return replace(base, **changes)


def round_input(
    mentees: list[Mentee], mentors: list[Mentor], loads: dict[str, int] | None = None
) -> RoundInput:
    """A round at `NOW` with the default rules for every programme."""
    return RoundInput(
        condition=CONDITION,
        mentees=mentees,
        mentors=mentors,
        loads=loads or {},
        now=NOW,
        context=CONTEXT,
        rules_for=lambda _programme: RULES,
    )


def _subset(values: tuple[Any, ...], max_size: int | None = None) -> st.SearchStrategy[frozenset[Any]]:
    return st.frozensets(st.sampled_from(values), max_size=max_size or len(values))


@st.composite
def mentors(draw: st.DrawFn) -> Mentor:
    """Mentors of every kind: some not active, untrained, out of date, or for another condition."""
    modules = draw(_subset(tuple(TrainingModule)))
    return mentor(
        status=draw(st.sampled_from(tuple(MentorStatus)).filter(lambda s: s is not MentorStatus.LEFT)),
        conditions=draw(st.sampled_from(((CONDITION,), ("long-covid",), (CONDITION, "long-covid")))),
        postcode_district=draw(st.sampled_from(DISTRICTS)),
        travel_km=draw(st.floats(0, 25)),
        gender=draw(st.sampled_from(tuple(Gender))),
        capacity=draw(st.integers(1, 3)),
        languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True))),
        availability=draw(_subset(SLOTS)),
        experience=draw(_subset(tuple(ExperienceTag), 3)),
        contact_modes=draw(_subset(tuple(ContactMode)).filter(bool)),
        training={m: date(2025, 9, 1) for m in modules} if draw(st.booleans()) else dict(ALL_MODULES),
        dbs_checked_on=draw(st.sampled_from((date(2025, 6, 1), date(2023, 3, 10), None))),
    )


@st.composite
def mentees(draw: st.DrawFn) -> Mentee:
    """Mentees with any mix of preferences, some in a district the table does not know."""
    return mentee(
        postcode_district=draw(st.sampled_from((*DISTRICTS, UNKNOWN_DISTRICT))),
        gender=draw(st.sampled_from(tuple(Gender))),
        waiting_since=NOW - timedelta(days=draw(st.integers(0, 90))),
        preferred_mentor_gender=draw(st.none() | st.sampled_from(tuple(GenderPreference))),
        languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), max_size=2, unique=True))),
        preferred_language=draw(st.none() | st.sampled_from(LANGUAGES)),
        availability=draw(_subset(SLOTS, 3)),
        contact_modes=draw(_subset(tuple(ContactMode))),
        experience=draw(_subset(tuple(ExperienceTag), 3)),
    )


def mentor_body(service: ServiceHarness, condition: str, **changes: Any) -> dict[str, Any]:
    """A valid registration: trained and checked recently (on the service's clock), in Manchester."""
    done = (service.today() - timedelta(days=30)).isoformat()
    body: dict[str, Any] = {
        "contact": {"full_name": "Alex Example", "email": "alex@example.org", "phone": "07700 900123"},
        "conditions": [condition],
        "training": [{"module": m.value, "completed_on": done} for m in TrainingModule],
        "dbs_checked_on": done,
        "safeguarding_refreshed_on": done,
        "postcode_district": "M1",
        "travel_km": 10,
        "gender": "female",
        "status": "active",
    }
    return body | changes


async def snapshot(service: ServiceHarness) -> dict[str, list[str]]:
    """Every row of the matching tables, and which events the outbox holds: what a refused request must
    leave exactly as it was."""
    queries = {table: f"SELECT to_jsonb(t)::text FROM {table} t" for table in _SNAPSHOT_TABLES}
    queries["outbox"] = "SELECT event_id::text FROM outbox"
    async with service.sessions() as session:
        return {
            table: sorted(row for (row,) in (await session.execute(text(query))).all())
            for table, query in queries.items()
        }


def referral_events(
    condition: str,
    *,
    programme: str | None = None,
    district: str = "M1",
    preferences: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> tuple[CloudEvent[ReferralReceived], CloudEvent[ReferralAccepted]]:
    """A referral's `ReferralReceived` and `ReferralAccepted`, in one flow, under the test's condition."""
    clock = clock or SystemClock()
    referral_id = new_id("ref")
    programme = programme or f"{condition}-one-to-one"
    prefs = MenteePreferences(**(preferences or {}))
    today = uk_today(clock)
    received = new_event(
        ReferralReceived(
            referral_id=referral_id,
            received_on=today,
            source=ReferralSource.FHIR,
            referrer_ods_code="A81001",
            age_band=AgeBand.AGE_55_64,
            gender=Gender.MALE,
            postcode_district=district,
            preferences=prefs,
        ),
        clock=clock,
        condition=condition,
        programme=programme,
        subject=referral_id,
    )
    accepted = new_event(
        ReferralAccepted(
            referral_id=referral_id,
            accepted_on=today,
            consent=Consent(
                peer_support=True, share_outcomes_with_referrer=True, contact_for_evaluation=False
            ),
            preferences=prefs,
        ),
        clock=clock,
        condition=condition,
        programme=programme,
        subject=referral_id,
        caused_by=received,
    )
    return received, accepted


async def caught_up(js: JetStreamContext, stream: str, consumer: str) -> bool:
    """Whether a durable consumer has processed everything on its filter."""
    try:
        info = await js.consumer_info(stream, consumer)
    except NotFoundError:
        return False
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)
