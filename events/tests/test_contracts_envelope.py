"""The CloudEvents envelope: building, parsing, correlation and subjects."""

from __future__ import annotations

import gc
import json
import re
import uuid
import weakref
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from peer_events import EVENT_TYPES, CloudEvent, new_event, parse_event, subject_for
from peer_events.codes import AgeBand, Gender
from peer_events.envelope import envelope_for
from peer_events.events import MentorMatched, ReferralReceived, SafeguardingConcernRaised
from peer_events.events.matching import ConfirmedBy, MatchMode
from peer_events.events.referrals import ReferralSource
from peer_events.registry import MalformedEvent, UnknownEventType
from peer_events.subjects import subject_of
from peer_shared.clock import FixedClock

CLOCK = FixedClock(datetime(2025, 3, 10, 9, 30, tzinfo=UTC))
REF = "ref_" + "a" * 32
SUBJECT = re.compile(r"^(peer|internal)\.[a-z][a-z0-9-]*\.[a-z]+\.[a-z-]+\.v[0-9]+$")


def _received() -> ReferralReceived:
    return ReferralReceived(
        referral_id=REF,
        received_on=date(2025, 3, 10),
        source=ReferralSource.CSV,
        referrer_ods_code="A81001",
        age_band=AgeBand.AGE_65_74,
        gender=Gender.MALE,
        postcode_district="TS18",
    )


def _matched() -> MentorMatched:
    return MentorMatched(
        match_id="mat_" + "b" * 32,
        referral_id=REF,
        mentor_id="mnt_" + "c" * 32,
        score=0.7,
        mode=MatchMode.AUTO,
        confirmed_by=ConfirmedBy.SYSTEM,
    )


def _wire(**changes: Any) -> str:
    event = json.loads(
        new_event(_received(), clock=CLOCK, condition="t2d", programme="t2d-one-to-one").model_dump_json()
    )
    event.update(changes)
    return json.dumps(event)


def test_round_trip_keeps_every_attribute() -> None:
    event = new_event(_received(), clock=CLOCK, condition="t2d", programme="t2d-one-to-one", subject=REF)
    parsed = parse_event(event.model_dump_json().encode())
    assert parsed == event
    assert isinstance(parsed.data, ReferralReceived)
    assert parsed.type == "uk.nhs.peer-support.referrals.referral-received.v1"
    assert parsed.source == "/peer-support/referrals"
    assert parsed.dataschema == ReferralReceived.schema_uri()
    assert parsed.time == CLOCK.now()
    assert parsed.causationid is None


def test_a_caused_event_inherits_the_correlation_id_and_records_its_cause() -> None:
    cause = new_event(_received(), clock=CLOCK, condition="t2d", programme="t2d-one-to-one")
    effect = new_event(_matched(), clock=CLOCK, condition="t2d", programme="t2d-one-to-one", caused_by=cause)
    assert effect.correlationid == cause.correlationid
    assert effect.causationid == cause.id
    assert effect.id != cause.id


def test_a_new_flow_gets_a_fresh_correlation_id_unless_given_one() -> None:
    first = new_event(_received(), clock=CLOCK, condition="t2d", programme="x")
    second = new_event(_received(), clock=CLOCK, condition="t2d", programme="x")
    assert first.correlationid != second.correlationid
    given = uuid.uuid4()
    assert (
        new_event(
            _received(), clock=CLOCK, condition="t2d", programme="x", correlation_id=given
        ).correlationid
        == given
    )


def test_time_must_be_timezone_aware() -> None:
    with pytest.raises(MalformedEvent):
        parse_event(_wire(time="2025-03-10T09:30:00"))
    with pytest.raises(ValidationError):
        CloudEvent[ReferralReceived](
            id=uuid.uuid4(),
            source="/peer-support/referrals",
            type=ReferralReceived.event_type(),
            time=datetime(2025, 3, 10, 9, 30),
            dataschema=ReferralReceived.schema_uri(),
            correlationid=uuid.uuid4(),
            condition="t2d",
            programme="t2d-one-to-one",
            data=_received(),
        )


def test_a_time_in_another_offset_is_the_same_instant() -> None:
    parsed = parse_event(_wire(time="2025-03-10T10:30:00+01:00"))
    assert parsed.time == datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownEventType):
        parse_event(_wire(type="uk.nhs.peer-support.referrals.referral-received.v9"))


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"specversion": "1.0"}',
        _wire(data={"referral_id": REF}),
        _wire(data={**json.loads(_wire())["data"], "postcode_district": "TS18 1AA"}),
        _wire(specversion="0.3"),
        _wire(id="not-a-uuid"),
        _wire(condition="Type 2"),
    ],
)
def test_malformed_events_are_refused(raw: str | bytes) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(raw)


def test_unknown_fields_from_a_newer_producer_are_tolerated_and_dropped() -> None:
    """Compatible changes add optional fields: an older consumer reads past them (tolerant reader)."""
    newer = _wire(traceparent="00-abc-def-01", data={**json.loads(_wire())["data"], "added_later": "x"})
    parsed = parse_event(newer)
    assert "added_later" not in parsed.data.model_dump()
    assert "added_later" not in parsed.model_dump_json()
    assert "traceparent" not in parsed.model_dump()


def test_malformed_and_unknown_are_value_errors() -> None:
    assert issubclass(MalformedEvent, ValueError)
    assert issubclass(UnknownEventType, ValueError)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_subject_format(event_type: str) -> None:
    data_type = EVENT_TYPES[event_type]
    subject = subject_of(data_type, "long-covid")
    assert SUBJECT.fullmatch(subject)
    root, condition, service, name, version = subject.split(".")
    assert (root == "internal") is data_type.internal
    assert (condition, service, name, version) == (
        "long-covid",
        data_type.producer,
        data_type.event_name,
        f"v{data_type.version}",
    )


def test_subject_of_an_event_uses_its_condition() -> None:
    assert (
        subject_for(new_event(_received(), clock=CLOCK, condition="t2d", programme="x"))
        == "peer.t2d.referrals.referral-received.v1"
    )
    assert (
        subject_of(SafeguardingConcernRaised, "t2d") == "internal.t2d.sessions.safeguarding-concern-raised.v1"
    )


def test_payloads_are_frozen_and_undeclared_fields_never_reach_the_wire() -> None:
    event = _received()
    with pytest.raises(ValidationError):
        event.age_band = AgeBand.AGE_18_24  # type: ignore[misc]
    smuggled = ReferralReceived.model_validate({**event.model_dump(), "nhs_number": "9434765919"})
    assert "9434765919" not in smuggled.model_dump_json()


def test_the_envelope_of_a_payload_class_is_built_once_and_kept() -> None:
    kept = weakref.ref(envelope_for(SafeguardingConcernRaised))
    gc.collect()  # pydantic's own cache of parametrised models is weak: a collection empties it
    envelope = kept()
    assert envelope is not None and envelope_for(SafeguardingConcernRaised) is envelope
    assert envelope.model_fields["data"].annotation is SafeguardingConcernRaised
