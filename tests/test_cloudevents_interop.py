"""What a regional subscriber reads off the streams is CloudEvents a third-party toolchain accepts.

A referral goes through the platform on the real NATS and Postgres (accepted, matched with a mentor, a
baseline PAM, one session logged with a goal); then every message on every public stream is read as a
subscriber would, without the platform's own models: the CloudEvents Python SDK parses it as a
structured-mode JSON event, its `data` validates against the published schema its `dataschema` names,
and the whole event against the published envelope schema.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed (check-jsonschema's dependency)
import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkCloudEvent
from cloudevents.v1.http import from_http as legacy_from_http
from cloudevents.v1.http import from_json as legacy_from_json
from nats.js import JetStreamContext

from peer_events import EVENT_TYPES
from peer_events.events import GoalSet, MentorMatched, PairingStarted, SessionLogged
from peer_events.export import SCHEMA_DIR, data_file, envelope_file
from peer_shared.auth import Role
from peer_support_cli.embedded import Infrastructure
from peer_testkit.journeys import Person, accept, pairing_of, pam_body, refer, register_mentor
from peer_testkit.platform import Platform, platform, wait_for_events
from peer_testkit.streams import BusMessage, everything_on_the_bus
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
ACCEPTED_ON = date(2025, 6, 3)
SESSION_DAY = ACCEPTED_ON + timedelta(weeks=1)
PERSON = Person(
    given=("Grace",),
    family="Adeyemi",
    birth_date=date(1958, 9, 30),
    postcode="LS7 3QB",
    address_line="2 Chapeltown Road",
    phone="07700 900456",
    email="grace.adeyemi@example.com",
)
MENTOR_CONTACT = {"full_name": "Tom Hartley", "email": "t.hartley@example.org", "phone": "07700 900789"}
EXPECTED_TYPES = {
    "ReferralReceived",
    "ReferralAccepted",
    "MentorRegistered",
    "MentorActivated",
    "MentorMatched",
    "PairingStarted",
    "PamRecorded",
    "SessionLogged",
    "GoalSet",
}
EXTENSIONS = ("correlationid", "causationid", "condition", "programme")


async def test_every_public_message_is_a_structured_cloudevent_that_fits_the_published_schemas(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    async with platform(infra, js, condition, START) as p:
        await _referral_matched_with_a_session_logged(p)
        assert await p.dead_letters() == dict.fromkeys(p.running, 0)

    public = [m for m in await everything_on_the_bus(js, condition) if m.stream.startswith("PEER_")]
    assert {type(m.event().data).__name__ for m in public} == EXPECTED_TYPES
    assert {m.stream for m in public} == {"PEER_REFERRALS", "PEER_MATCHING", "PEER_OUTCOMES", "PEER_SESSIONS"}
    schemas = _published_schemas_by_id()
    for message in public:
        _check_message(message, schemas)


async def _referral_matched_with_a_session_logged(p: Platform) -> None:
    mentor_id = await register_mentor(p, MENTOR_CONTACT, capacity=1, trained_on=date(2025, 5, 1))
    p.move_clock(START + timedelta(minutes=30))
    referral_id = await refer(p, PERSON)
    p.move_clock(datetime.combine(ACCEPTED_ON, time(10), UTC))
    await accept(p, referral_id)
    await wait_for_events(p.js, p.condition, MentorMatched, 1)
    await wait_for_events(p.js, p.condition, PairingStarted, 1)
    pairing = await pairing_of(p, referral_id)

    async def outcomes_knows_the_referral() -> bool:
        period = {"start": "2025-06-01", "end": "2025-06-30"}
        report = await p.call("outcomes", "GET", "/reports/programme", params=period)
        return bool(report["total"]["activity"]["referrals_received"] == 1)

    await eventually(outcomes_knows_the_referral, timeout=30)
    await p.call(
        "outcomes",
        "POST",
        f"/referrals/{referral_id}/pam",
        json=pam_body("baseline", ACCEPTED_ON, 55.2),
        expect=201,
    )
    p.move_clock(datetime.combine(SESSION_DAY, time(19, 30), UTC))
    session = {
        "starts_at": datetime.combine(SESSION_DAY, time(17), UTC).isoformat(),
        "duration_minutes": 50,
        "mode": "library",
        "attendance": "attended",
        "topics": ["diet"],
        "notes": "Talked about cooking for one.",
        "new_goals": [{"topic": "diet", "what": "Cook twice a week", "confidence": 7}],
        "goal_reviews": [],
    }
    await p.call(
        "sessions",
        "POST",
        f"/pairings/{pairing['id']}/sessions",
        role=Role.MENTOR,
        subject=mentor_id,
        json=session,
        expect=201,
    )
    await wait_for_events(p.js, p.condition, SessionLogged, 1)
    await wait_for_events(p.js, p.condition, GoalSet, 1)
    await eventually(p.quiet, timeout=30)


def _check_message(message: BusMessage, schemas: dict[str, dict[str, Any]]) -> None:
    ours = message.event()
    body = json.loads(message.data)

    # The NATS headers: structured mode by content-type; the rest copy the body's attributes.
    assert message.headers["content-type"] == "application/cloudevents+json"
    assert message.headers["Nats-Msg-Id"] == str(ours.id)
    assert message.headers["ce-type"] == ours.type
    assert message.headers["ce-correlationid"] == str(ours.correlationid)

    # The SDK's 1.x API (`cloudevents.v1` in 2.x) reads the JSON event format; given the NATS headers as
    # they are it picks structured mode from `content-type`, as the protocol bindings say, `ce-` headers
    # notwithstanding.
    for event in (legacy_from_json(message.data), legacy_from_http(message.headers, message.data)):
        assert (event["specversion"], event["id"], event["type"], event["source"]) == (
            "1.0",
            str(ours.id),
            ours.type,
            ours.source,
        )
        assert event.get("subject") == ours.subject
        assert {name: event.get(name) for name in EXTENSIONS} == {name: body[name] for name in EXTENSIONS}
        assert event.data == body["data"]

    # The SDK's 2.x core API checks more (required attributes, extension names lower-case alphanumerics)
    # but rejects a `null` attribute, which the JSON format allows and says MUST be read as unset (1.0.2,
    # section 2.2): a subscriber on it drops the null members first, as this does.
    present = {name: value for name, value in body.items() if value is not None}
    core = from_structured(HTTPMessage({}, json.dumps(present).encode()), JSONFormat(), SdkCloudEvent)
    assert (core.get_id(), core.get_type(), core.get_source(), core.get_time()) == (
        str(ours.id),
        ours.type,
        ours.source,
        ours.time,
    )
    data = core.get_data()
    assert data == body["data"]

    # `dataschema` names the schema of `data` (CloudEvents), published as `<type>.data.json`.
    dataschema = core.get_dataschema()
    assert dataschema is not None
    data_type = EVENT_TYPES[ours.type]
    assert schemas[dataschema] == _published(data_file(data_type))
    _validator(schemas[dataschema]).validate(data)
    _validator(_published(envelope_file(data_type))).validate(body)


def _published(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return schema


def _published_schemas_by_id() -> dict[str, dict[str, Any]]:
    schemas = [_published(path.relative_to(ROOT)) for path in sorted((ROOT / SCHEMA_DIR).glob("*.json"))]
    by_id = {schema["$id"]: schema for schema in schemas}
    assert len(by_id) == len(schemas), "two published schemas share an $id"
    return by_id


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
