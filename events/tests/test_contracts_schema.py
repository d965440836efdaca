"""The committed JSON Schemas and AsyncAPI document match the models, and every event fits them.

Each type has two schemas: the whole envelope (`<type>.json`) and its `data` alone (`<type>.data.json`),
the one the event's `dataschema` names, as CloudEvents defines that attribute.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from peer_events import EVENT_TYPES, EventData, new_event, parse_event, subject_for
from peer_events import events as ev
from peer_events.codes import (
    AgeBand,
    ContactMode,
    EthnicCategory,
    ExperienceTag,
    Gender,
    GenderPreference,
    SessionMode,
    Topic,
)
from peer_events.export import (
    ASYNCAPI_PATH,
    SCHEMA_DIR,
    data_file,
    drift,
    envelope_file,
    rendered_files,
)
from peer_events.streams import ALL_STREAMS
from peer_events.subjects import subject_of
from peer_shared.clock import FixedClock
from peer_shared.messaging.outbox import headers_of

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
CLOCK = FixedClock(datetime(2025, 3, 10, 9, 30, tzinfo=UTC))


def _id(kind: str, n: int) -> str:
    return f"{kind}_{n:032x}"


REF, MNT, PAI, SES = _id("ref", 1), _id("mnt", 2), _id("pai", 3), _id("ses", 4)
COH, GSS = _id("coh", 11), _id("gss", 12)
IN_PAIRING = {"pairing_id": PAI, "referral_id": REF, "mentor_id": MNT}
PREFERENCES = ev.referrals.MenteePreferences(
    preferred_mentor_gender=GenderPreference.FEMALE,
    languages=("en", "pa"),
    availability=("tue-evening", "sat-morning"),
    contact_modes=(ContactMode.IN_PERSON, ContactMode.PHONE),
    experience=(ExperienceTag.NEWLY_DIAGNOSED, ExperienceTag.WORK),
)

EXAMPLES: list[EventData] = [
    ev.ReferralReceived(
        referral_id=REF,
        received_on=date(2025, 3, 3),
        source=ev.referrals.ReferralSource.FHIR,
        referrer_ods_code="A81001",
        age_band=AgeBand.AGE_55_64,
        gender=Gender.FEMALE,
        postcode_district="TS18",
        ethnic_category=EthnicCategory.ASIAN_INDIAN,
        preferred_language="pa",
        preferences=PREFERENCES,
    ),
    ev.ReferralAccepted(
        referral_id=REF,
        accepted_on=date(2025, 3, 5),
        consent=ev.referrals.Consent(
            peer_support=True, share_outcomes_with_referrer=True, contact_for_evaluation=False
        ),
        preferences=PREFERENCES,
    ),
    ev.ReferralRejected(
        referral_id=_id("ref", 9),
        rejected_on=date(2025, 3, 5),
        reason=ev.referrals.RejectionReason.DUPLICATE,
        duplicate_of=REF,
    ),
    ev.ReferralWithdrawn(
        referral_id=REF,
        withdrawn_on=date(2025, 5, 1),
        reason=ev.referrals.WithdrawalReason.MOVED_AWAY,
        erase_personal_data=True,
    ),
    ev.MentorRegistered(
        mentor_id=MNT,
        registered_on=date(2025, 1, 6),
        conditions=("t2d",),
        postcode_district="TS17",
        capacity=2,
    ),
    ev.MentorActivated(mentor_id=MNT, activated_on=date(2025, 2, 3), capacity=2),
    ev.MentorPaused(
        mentor_id=MNT,
        paused_on=date(2025, 7, 1),
        reason=ev.matching.MentorPauseReason.UNAVAILABLE,
        expected_back_on=date(2025, 8, 1),
    ),
    ev.MentorLeft(mentor_id=MNT, left_on=date(2025, 9, 1), reason=ev.matching.MentorLeaveReason.MOVED_AWAY),
    ev.MentorMatched(
        match_id=_id("mat", 5),
        referral_id=REF,
        mentor_id=MNT,
        score=0.82,
        components=(
            ev.matching.ScorePart(component=ev.matching.ScoreComponent.DISTANCE, value=0.9, weight=0.4),
            ev.matching.ScorePart(component=ev.matching.ScoreComponent.LANGUAGE, value=1.0, weight=0.2),
        ),
        reasons=(ev.matching.MatchReason.NEARBY, ev.matching.MatchReason.SHARED_LANGUAGE),
        mode=ev.matching.MatchMode.SUGGEST,
        confirmed_by=ev.matching.ConfirmedBy.COORDINATOR,
        coordinator_id=_id("usr", 6),
    ),
    ev.PairingStarted(
        **IN_PAIRING, match_id=_id("mat", 5), started_on=date(2025, 3, 10), planned_end_on=date(2025, 7, 10)
    ),
    ev.PairingPaused(
        **IN_PAIRING, paused_on=date(2025, 4, 1), reason=ev.sessions.PairingPauseReason.MENTEE_UNAVAILABLE
    ),
    ev.PairingResumed(**IN_PAIRING, resumed_on=date(2025, 4, 15)),
    ev.PairingCompleted(**IN_PAIRING, completed_on=date(2025, 7, 10), sessions_attended=14),
    ev.PairingEnded(
        **IN_PAIRING,
        ended_on=date(2025, 5, 1),
        reason=ev.sessions.PairingEndReason.MENTEE_WITHDREW,
        sessions_attended=5,
    ),
    ev.SessionLogged(
        **IN_PAIRING,
        session_id=SES,
        revision=2,
        session_number=3,
        session_date=date(2025, 3, 24),
        attendance=ev.sessions.Attendance.ATTENDED,
        duration_minutes=60,
        mode=SessionMode.CAFE,
        topics=(Topic.DIET, Topic.PHYSICAL_ACTIVITY),
        goals_set=1,
        goals_reviewed=2,
    ),
    ev.GoalSet(
        **IN_PAIRING,
        goal_id=_id("gol", 7),
        session_id=SES,
        topic=Topic.PHYSICAL_ACTIVITY,
        confidence=6,
        set_on=date(2025, 3, 24),
    ),
    ev.GoalReviewed(
        **IN_PAIRING,
        goal_id=_id("gol", 7),
        topic=Topic.PHYSICAL_ACTIVITY,
        confidence=8,
        progress=ev.sessions.GoalProgress.PARTLY,
        reviewed_on=date(2025, 4, 7),
    ),
    ev.SafeguardingConcernRaised(
        **IN_PAIRING,
        concern_id=_id("sgc", 8),
        raised_at=datetime(2025, 3, 24, 11, 5, tzinfo=UTC),
        raised_by=ev.safeguarding.RaisedBy.MENTOR,
        category=ev.safeguarding.SafeguardingCategory.SELF_NEGLECT,
        urgency=ev.safeguarding.Urgency.WITHIN_24_HOURS,
    ),
    ev.SafeguardingConcernAcknowledged(
        **IN_PAIRING,
        concern_id=_id("sgc", 8),
        acknowledged_at=datetime(2025, 3, 24, 12, 0, tzinfo=UTC),
        acknowledged_by=_id("usr", 6),
        action=ev.safeguarding.SafeguardingAction.GP_INFORMED,
    ),
    ev.PamRecorded(
        pam_id=_id("pam", 9),
        referral_id=REF,
        revision=1,
        timepoint=ev.outcomes.Timepoint.FOLLOW_UP,
        follow_up_number=1,
        assessed_on=date(2025, 7, 12),
        score=Decimal("67.1"),
        level=4,
        level_derived=True,
        cut_point_set="insignia-2024",
        tool_version="pam-13",
    ),
    ev.MentorCredentialsChanged(
        mentor_id=MNT,
        changed_on=date(2025, 3, 1),
        group_facilitator=True,
        checks_valid_until=date(2026, 2, 1),
    ),
    ev.CohortOpened(
        cohort_id=COH,
        opened_on=date(2025, 3, 1),
        starts_on=date(2025, 3, 20),
        max_size=10,
        min_size=6,
        planned_sessions=6,
        cadence_days=14,
        setting=ev.groups.GroupSetting.ONLINE,
        facilitators=(MNT,),
    ),
    ev.MemberEnrolled(
        cohort_id=COH, referral_id=REF, enrolled_on=date(2025, 3, 6), waitlisted_on=date(2025, 3, 5)
    ),
    ev.CohortStarted(cohort_id=COH, started_on=date(2025, 3, 20), members=8),
    ev.GroupSessionHeld(
        cohort_id=COH,
        session_id=GSS,
        revision=1,
        session_number=1,
        held_on=date(2025, 3, 20),
        duration_minutes=90,
        setting=ev.groups.GroupSetting.ONLINE,
        topics=(Topic.FATIGUE_AND_PACING, Topic.SLEEP),
        facilitators=(MNT,),
        attended=(REF,),
        apologies=(_id("ref", 10),),
        absent=(_id("ref", 11),),
    ),
    ev.GroupSessionCancelled(
        cohort_id=COH,
        session_id=_id("gss", 13),
        planned_on=date(2025, 4, 3),
        reason=ev.groups.CancellationReason.NO_FACILITATOR,
    ),
    ev.MeasureRecorded(
        measure_id=_id("msr", 14),
        referral_id=REF,
        cohort_id=COH,
        revision=1,
        instrument=ev.groups.Instrument.C19_YRSM,
        instrument_version="c19-yrsm-2022",
        timepoint=ev.groups.MeasureTimepoint.BASELINE,
        assessed_on=date(2025, 3, 18),
        scores=(
            ev.groups.ScaleScore(scale=ev.groups.Scale.SYMPTOM_SEVERITY, score=17),
            ev.groups.ScaleScore(scale=ev.groups.Scale.FUNCTIONAL_ABILITY, score=8),
        ),
    ),
    ev.MemberLeft(
        cohort_id=COH,
        referral_id=REF,
        left_on=date(2025, 6, 1),
        reason=ev.groups.LeaveReason.COMPLETED,
        sessions_attended=5,
        sessions_held=6,
    ),
    ev.CohortFinished(
        cohort_id=COH,
        finished_on=date(2025, 6, 1),
        sessions_held=6,
        sessions_cancelled=1,
        members_completed=6,
    ),
    ev.GroupConcernRaised(
        cohort_id=COH,
        concern_id=_id("sgc", 15),
        referral_id=REF,
        raised_at=datetime(2025, 4, 17, 10, 0, tzinfo=UTC),
        raised_by=ev.safeguarding.RaisedBy.MENTOR,
        category=ev.safeguarding.SafeguardingCategory.RISK_TO_SELF,
        urgency=ev.safeguarding.Urgency.IMMEDIATE,
    ),
    ev.GroupConcernAcknowledged(
        cohort_id=COH,
        concern_id=_id("sgc", 15),
        referral_id=REF,
        acknowledged_at=datetime(2025, 4, 17, 10, 20, tzinfo=UTC),
        acknowledged_by=_id("usr", 6),
        action=ev.safeguarding.SafeguardingAction.GP_INFORMED,
    ),
]
BY_TYPE = {type(example).event_type(): example for example in EXAMPLES}


def _committed(path: Path) -> dict[str, Any]:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _schemas_by_id() -> dict[str, dict[str, Any]]:
    schemas = [_committed(path.relative_to(ROOT)) for path in sorted((ROOT / SCHEMA_DIR).glob("*.json"))]
    return {schema["$id"]: schema for schema in schemas}


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _nats_match(filter_subject: str, subject: str) -> bool:
    pattern, tokens = filter_subject.split("."), subject.split(".")
    if pattern[-1] == ">":
        head = pattern[:-1]
        return len(tokens) > len(head) and all(p in ("*", t) for p, t in zip(head, tokens, strict=False))
    return len(tokens) == len(pattern) and all(p in ("*", t) for p, t in zip(pattern, tokens, strict=True))


def test_committed_documents_match_the_models() -> None:
    assert drift(ROOT) == [], "run: uv run python -m peer_events.export"


def test_generation_is_deterministic() -> None:
    assert rendered_files() == rendered_files()
    assert all(text.endswith("}\n") for text in rendered_files().values())


def test_every_type_has_an_example() -> None:
    assert sorted(BY_TYPE) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_type_has_its_two_schema_files_and_a_channel(event_type: str) -> None:
    data_type = EVENT_TYPES[event_type]
    assert _committed(SCHEMA_DIR / f"{event_type}.json")["$id"] == data_type.envelope_schema_uri()
    assert _committed(SCHEMA_DIR / f"{event_type}.data.json")["$id"] == data_type.schema_uri()
    document = _committed(ASYNCAPI_PATH)
    channel = document["channels"][event_type]
    assert channel["address"] == subject_of(data_type, "{condition}")
    assert channel["x-internal"] is data_type.internal
    message = document["components"]["messages"][event_type]
    assert message["x-dataschema"] == data_type.schema_uri()
    files = message["x-schema-files"]
    assert (ROOT / ASYNCAPI_PATH.parent / files["data"]) == ROOT / data_file(data_type)
    assert (ROOT / ASYNCAPI_PATH.parent / files["envelope"]) == ROOT / envelope_file(data_type)


def test_dataschema_keeps_the_value_of_the_first_release() -> None:
    # Streams keep every event and replay them to new consumers: had the value changed, the events already
    # published would name another schema than the new ones.
    assert {t.schema_uri() for t in EVENT_TYPES.values()} == {
        f"urn:peer-support:schema:{event_type}" for event_type in EVENT_TYPES
    }


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
@pytest.mark.parametrize("suffix", [".json", ".data.json"])
def test_schema_is_valid_json_schema(event_type: str, suffix: str) -> None:
    jsonschema.Draft202012Validator.check_schema(_committed(SCHEMA_DIR / f"{event_type}{suffix}"))


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_example_validates_against_committed_schema_and_round_trips(event_type: str) -> None:
    event = new_event(
        BY_TYPE[event_type], clock=CLOCK, condition="t2d", programme="t2d-one-to-one", subject=REF
    )
    raw = event.model_dump_json()
    _validator(_committed(SCHEMA_DIR / f"{event_type}.json")).validate(json.loads(raw))
    parsed = parse_event(raw)
    assert parsed == event
    assert type(parsed.data) is EVENT_TYPES[event_type]


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_data_validates_against_the_schema_its_dataschema_names(event_type: str) -> None:
    event = json.loads(
        new_event(BY_TYPE[event_type], clock=CLOCK, condition="t2d", programme="x").model_dump_json()
    )
    schema = _schemas_by_id()[event["dataschema"]]
    assert schema == _committed(SCHEMA_DIR / f"{event_type}.data.json")
    _validator(schema).validate(event["data"])
    assert not _validator(schema).is_valid(event), "the data schema describes `data`, not the envelope"


def test_a_data_schema_rejects_the_data_of_another_type() -> None:
    event = new_event(
        BY_TYPE["uk.nhs.peer-support.sessions.goal-set.v1"], clock=CLOCK, condition="t2d", programme="x"
    )
    schema = _committed(SCHEMA_DIR / "uk.nhs.peer-support.sessions.goal-reviewed.v1.data.json")
    assert not _validator(schema).is_valid(json.loads(event.model_dump_json())["data"])


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_envelope_embeds_the_same_data_schema(event_type: str) -> None:
    # The envelope schema is self-contained; its `data` must say exactly what the data schema says.
    envelope = _committed(SCHEMA_DIR / f"{event_type}.json")
    data = _committed(SCHEMA_DIR / f"{event_type}.data.json")
    embedded = _resolve(envelope, envelope["properties"]["data"]["$ref"])
    own = {k: v for k, v in data.items() if k not in ("$schema", "$id", "$defs")}
    assert embedded == own
    assert all(envelope["$defs"][name] == definition for name, definition in data.get("$defs", {}).items())


def test_committed_schema_rejects_an_envelope_of_another_type() -> None:
    event = new_event(
        BY_TYPE["uk.nhs.peer-support.sessions.goal-set.v1"], clock=CLOCK, condition="t2d", programme="x"
    )
    schema = _committed(SCHEMA_DIR / "uk.nhs.peer-support.sessions.goal-reviewed.v1.json")
    assert not _validator(schema).is_valid(json.loads(event.model_dump_json()))


def test_pam_score_travels_as_a_json_number() -> None:
    event = new_event(
        BY_TYPE["uk.nhs.peer-support.outcomes.pam-recorded.v1"], clock=CLOCK, condition="t2d", programme="x"
    )
    assert json.loads(event.model_dump_json())["data"]["score"] == 67.1
    assert parse_event(event.model_dump_json()).data.score == Decimal("67.1")  # type: ignore[attr-defined]


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
@pytest.mark.parametrize("condition", ["t2d", "long-covid"])
def test_subject_is_taken_by_exactly_one_stream_of_the_right_kind(event_type: str, condition: str) -> None:
    data_type = EVENT_TYPES[event_type]
    event = new_event(BY_TYPE[event_type], clock=CLOCK, condition=condition, programme="x")
    subject = subject_for(event)
    streams = [s for s in ALL_STREAMS if any(_nats_match(f, subject) for f in s.subjects)]
    assert len(streams) == 1, f"{subject} is taken by {[s.name for s in streams]}"
    assert streams[0].internal is data_type.internal
    assert streams[0].name.endswith(data_type.producer.upper())
    assert subject.startswith("internal." if data_type.internal else "peer.")


def test_asyncapi_document_is_complete_and_its_references_resolve() -> None:
    document = _committed(ASYNCAPI_PATH)
    assert document["asyncapi"] == "3.0.0"
    assert {server["protocol"] for server in document["servers"].values()} == {"nats"}
    assert sorted(document["channels"]) == sorted(EVENT_TYPES)
    for key, operation in document["operations"].items():
        assert operation["action"] == "send"
        assert operation["channel"]["$ref"] == f"#/channels/{key.removesuffix('.send')}"
    for message in document["components"]["messages"].values():
        headers = _resolve(document, message["headers"]["$ref"])
        assert headers["required"] == ["Nats-Msg-Id"]
    for ref in _refs(document):
        _resolve(document, ref)


def test_asyncapi_headers_are_those_the_outbox_sends() -> None:
    event = new_event(
        BY_TYPE["uk.nhs.peer-support.sessions.goal-set.v1"], clock=CLOCK, condition="t2d", programme="x"
    )
    sent = headers_of(event)
    headers = _committed(ASYNCAPI_PATH)["components"]["schemas"]["NatsHeaders"]
    assert sorted(headers["properties"]) == sorted(sent)
    _validator(headers).validate(sent)


def test_internal_channels_are_marked_and_on_internal_streams() -> None:
    channels = _committed(ASYNCAPI_PATH)["channels"]
    internal = {key for key, channel in channels.items() if channel["x-internal"]}
    assert internal == {key for key, t in EVENT_TYPES.items() if t.internal}
    assert internal, "safeguarding events are internal"
    assert all(channels[key]["x-jetstream-stream"].startswith("INTERNAL_") for key in internal)


def test_check_reports_left_over_schema_files(tmp_path: Path) -> None:
    # A left-over schema for a type no longer registered is reported, so it cannot linger unnoticed.
    for path, text in rendered_files().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    (tmp_path / SCHEMA_DIR / "uk.nhs.peer-support.referrals.referral-received.v0.json").write_text("{}\n")
    assert drift(tmp_path) == [
        f"{SCHEMA_DIR}/uk.nhs.peer-support.referrals.referral-received.v0.json (stale)"
    ]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node
