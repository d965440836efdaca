"""Builders and hypothesis strategies for the matching service's tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import text

from peer_matching.domain.eligibility import EligibilityContext
from peer_matching.domain.matching import RoundInput
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor, MentorStatus
from peer_matching.domain.scoring import ScoringRules
from peer_matching.domain.training import CheckRules, TrainingModule
from peer_shared.clock import SystemClock, to_london
from peer_shared.contracts import parse_event
from peer_shared.contracts.codes import AgeBand, ContactMode, ExperienceTag, Gender, GenderPreference
from peer_shared.contracts.envelope import CloudEvent, EventData, new_event
from peer_shared.contracts.events.referrals import (
    Consent,
    MenteePreferences,
    ReferralAccepted,
    ReferralReceived,
    ReferralSource,
)
from peer_shared.contracts.subjects import subject_for, subject_of
from peer_shared.messaging.outbox import headers_of

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


@dataclass
class MatchingService:
    """The service under test: its app, an HTTP client, the runtime (database, clock) and settings."""

    app: Any
    http: Any
    runtime: Any
    settings: Any

    @property
    def today(self) -> date:
        """The service's UK date."""
        return to_london(self.runtime.clock.now()).date()

    async def scalar(self, sql: str, **params: Any) -> Any:
        """One value from the service's database."""
        async with self.runtime.sessions() as session:
            return (await session.execute(text(sql), params)).scalar_one()

    async def snapshot(self) -> dict[str, Any]:
        """Counts and contents that a refused request must leave exactly as they were."""
        async with self.runtime.sessions() as session:
            tables = {}
            # The relay marks outbox rows published in the background: only which events exist counts.
            queries = {t: f"SELECT to_jsonb(t)::text FROM {t} t" for t in ("mentor", "mentor_training")}
            queries |= {
                t: f"SELECT to_jsonb(t)::text FROM {t} t" for t in ("mentor_contact", "match", "mentee")
            }
            queries["outbox"] = "SELECT event_id::text FROM outbox"
            for table, query in queries.items():
                tables[table] = sorted(r for (r,) in (await session.execute(text(query))).all())
            return tables

    def mentor_body(self, condition: str, **changes: Any) -> dict[str, Any]:
        """A valid registration: trained and checked recently, in Manchester."""
        done = (self.today - timedelta(days=30)).isoformat()
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


def referral_events(
    condition: str,
    *,
    programme: str | None = None,
    district: str = "M1",
    preferences: dict[str, Any] | None = None,
) -> tuple[CloudEvent[ReferralReceived], CloudEvent[ReferralAccepted]]:
    """A referral's `ReferralReceived` and `ReferralAccepted`, in one flow, under the test's condition."""
    referral_id = new_id("ref")
    programme = programme or f"{condition}-one-to-one"
    prefs = MenteePreferences(**(preferences or {}))
    today = to_london(SystemClock().now()).date()
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
        clock=SystemClock(),
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
        clock=SystemClock(),
        condition=condition,
        programme=programme,
        subject=referral_id,
        caused_by=received,
    )
    return received, accepted


async def publish(js: JetStreamContext, event: CloudEvent[Any], *, msg_id: str | None = None) -> None:
    """Publish an event as a producer's relay would (or, with a new `msg_id`, as a replay would)."""
    headers = headers_of(event)
    headers["Nats-Msg-Id"] = msg_id or headers["Nats-Msg-Id"]
    await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers)


async def published(
    js: JetStreamContext, data_type: type[EventData], condition: str
) -> list[CloudEvent[Any]]:
    """Every event of a type on its stream under the test's condition (read with an ephemeral consumer)."""
    psub = await js.pull_subscribe(
        subject_of(data_type, condition),
        stream=f"PEER_{data_type.producer.upper()}",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
    )
    try:
        pending = (await psub.consumer_info()).num_pending
        messages: list[Msg] = []
        while len(messages) < pending:
            messages += await psub.fetch(min(pending - len(messages), 1000), timeout=5)
        return [parse_event(m.data) for m in messages]
    finally:
        await psub.unsubscribe()


async def caught_up(js: JetStreamContext, stream: str, consumer: str) -> bool:
    """Whether a durable consumer has processed everything on its filter."""
    try:
        info = await js.consumer_info(stream, consumer)
    except NotFoundError:
        return False
    return info.num_pending == 0 and info.num_ack_pending == 0
