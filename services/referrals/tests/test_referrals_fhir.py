"""FHIR referrals end to end: each shape stores one referral and publishes one ReferralReceived."""

from __future__ import annotations

from typing import Any

import pytest

from peer_events.registry import parse_event
from peer_shared.auth import Role
from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import (
    identifiers_of,
    message_bundle,
    patient_of,
    service_request,
    transaction_bundle,
)

pytestmark = pytest.mark.integration

FHIR = {"Content-Type": "application/fhir+json"}


async def post(harness: ServiceHarness, path: str, document: dict[str, Any]) -> Any:
    headers = FHIR | harness.auth(Role.REFERRER, "ods-B86001")
    return await harness.client.post(path, json=document, headers=headers)


async def test_a_service_request_with_a_contained_patient_becomes_one_referral(
    referrals: ServiceHarness,
) -> None:
    document = service_request()
    response = await post(referrals, "/fhir/ServiceRequest", document)
    assert response.status_code == 201, response.text
    referral_id = response.json()["id"]
    assert response.headers["location"] == f"http://test/fhir/ServiceRequest/{referral_id}"
    assert response.headers["content-type"].startswith("application/fhir+json")

    [event] = await referrals.wait_published(1)
    assert event["type"] == "uk.nhs.peer-support.referrals.referral-received.v1"
    assert event["subject"] == referral_id
    assert event["condition"] == referrals.condition
    assert event["programme"] == "t2d-one-to-one"
    data = event["data"]
    assert data == {
        "referral_id": referral_id,
        "received_on": data["received_on"],
        "source": "fhir",
        "referrer_ods_code": "B86001",
        "age_band": "65-74",
        "gender": "female",
        "postcode_district": "LS8",
        "ethnic_category": "J",
        "preferred_language": "pa",
        "preferences": {
            "preferred_mentor_gender": "female",
            "languages": ["pa", "en"],
            "availability": ["tue-evening"],
            "contact_modes": ["in-person"],
            "experience": ["newly-diagnosed"],
        },
        "duplicate_of": None,
    }
    assert await referrals.count("referrals") == 1
    stored = await referrals.scalar("SELECT nhs_number FROM people WHERE referral_id = :id", id=referral_id)
    assert stored == patient_of(document)["identifier"][0]["value"]


async def test_a_transaction_bundle_is_answered_with_a_transaction_response(
    referrals: ServiceHarness,
) -> None:
    response = await post(referrals, "/fhir", transaction_bundle())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resourceType"] == "Bundle"
    assert body["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["201 Created", "200 OK", "200 OK", "200 OK", "201 Created"]
    location = body["entry"][4]["response"]["location"]
    referral_id = location.removeprefix("ServiceRequest/")
    [event] = await referrals.wait_published(1)
    assert event["data"]["referral_id"] == referral_id
    assert event["data"]["referrer_ods_code"] == "B86001"


async def test_a_message_bundle_is_answered_with_a_response_message(referrals: ServiceHarness) -> None:
    document = message_bundle()
    response = await post(referrals, "/fhir/$process-message", document)
    assert response.status_code == 200, response.text
    header = response.json()["entry"][0]["resource"]
    assert header["resourceType"] == "MessageHeader"
    assert header["response"] == {"identifier": document["entry"][0]["resource"]["id"], "code": "ok"}
    referral_id = header["focus"][0]["reference"].rsplit("/", 1)[1]
    [event] = await referrals.wait_published(1)
    assert event["subject"] == referral_id


async def test_sending_the_same_referral_again_stores_and_publishes_nothing_new(
    referrals: ServiceHarness,
) -> None:
    document = transaction_bundle()
    first = await post(referrals, "/fhir", document)
    again = await post(referrals, "/fhir", document)
    assert first.status_code == again.status_code == 200
    assert [e["response"]["status"] for e in again.json()["entry"]][4] == "200 OK"
    assert (
        again.json()["entry"][4]["response"]["location"] == first.json()["entry"][4]["response"]["location"]
    )
    await referrals.outbox_drained()
    assert await referrals.count("referrals") == 1
    assert len(await referrals.published()) == 1


async def test_a_second_referral_for_a_person_with_an_open_one_is_linked_and_flagged(
    referrals: ServiceHarness,
) -> None:
    first_doc = service_request()
    second_doc = service_request()
    nhs = patient_of(first_doc)["identifier"][0]["value"]
    patient_of(second_doc)["identifier"][0]["value"] = nhs
    first = (await post(referrals, "/fhir/ServiceRequest", first_doc)).json()["id"]
    second = (await post(referrals, "/fhir/ServiceRequest", second_doc)).json()["id"]
    assert first != second
    events = await referrals.wait_published(2)
    assert [e["data"]["duplicate_of"] for e in events] == [None, first]
    flagged = await referrals.scalar("SELECT needs_review FROM referrals WHERE id = :id", id=second)
    assert flagged is True


async def test_no_published_event_carries_a_direct_identifier(referrals: ServiceHarness) -> None:
    documents = [service_request(), transaction_bundle(), message_bundle()]
    paths = ["/fhir/ServiceRequest", "/fhir", "/fhir/$process-message"]
    for path, document in zip(paths, documents, strict=True):
        assert (await post(referrals, path, document)).status_code in (200, 201)
    await referrals.wait_published(3)
    raw = [m.data for m in await referrals.published_messages()]
    assert len(raw) == 3
    for message in raw:
        parse_event(message)  # a valid, registered contract
        text = message.decode()
        for document in documents:
            patient = patient_of(document)
            for identifier in identifiers_of(patient):
                assert identifier not in text, f"{identifier!r} reached the stream"
        assert "1961" not in text  # not even the year of birth
