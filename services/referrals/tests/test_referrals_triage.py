"""Triage over HTTP: contact, consent, accept or reject; the work queue; the referrer's view."""

from __future__ import annotations

import pytest

from peer_shared.auth import Role, unprotected_routes
from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import patient_of, service_request, submit_fhir

pytestmark = pytest.mark.integration

CONSENT = {
    "peer_support": True,
    "share_outcomes_with_referrer": True,
    "contact_for_evaluation": False,
    "given_on": "2026-11-03",
}
REACHED = {"method": "phone", "outcome": "reached", "note": "Spoke to her; keen to start."}


async def test_a_consented_referral_is_accepted_and_matching_is_told(referrals: ServiceHarness) -> None:
    referral_id = await submit_fhir(referrals, service_request())
    coordinator = referrals.auth(Role.COORDINATOR, "usr_coord")
    base = f"/referrals/{referral_id}"

    too_soon = await referrals.client.post(f"{base}/accept", json={}, headers=coordinator)
    assert too_soon.status_code == 409
    assert "received" in too_soon.json()["detail"]

    contacted = await referrals.client.post(f"{base}/contact-attempts", json=REACHED, headers=coordinator)
    assert contacted.status_code == 201
    assert contacted.json()["status"] == "contacted"

    no_consent = await referrals.client.post(f"{base}/accept", json={}, headers=coordinator)
    assert no_consent.status_code == 409
    assert "consent" in no_consent.json()["detail"]

    consented = await referrals.client.post(f"{base}/consent", json=CONSENT, headers=coordinator)
    assert consented.status_code == 201
    preferences = {"preferred_mentor_gender": "female", "languages": ["pa"], "contact_modes": ["phone"]}
    accepted = await referrals.client.post(
        f"{base}/accept", json={"preferences": preferences}, headers=coordinator
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    events = await referrals.wait_published(1, "referrals.referral-accepted.v1")
    assert len(events) == 1
    data = events[0]["data"]
    assert data["referral_id"] == referral_id
    assert data["consent"] == {
        "peer_support": True,
        "share_outcomes_with_referrer": True,
        "contact_for_evaluation": False,
    }
    assert data["preferences"]["languages"] == ["pa"]
    assert data["preferences"]["contact_modes"] == ["phone"]
    assert events[0]["condition"] == referrals.condition
    consent = await referrals.scalar(
        "SELECT recorded_by FROM consents WHERE referral_id = :id", id=referral_id
    )
    assert consent == "usr_coord"


async def test_a_duplicate_is_rejected_with_a_link_to_the_first(referrals: ServiceHarness) -> None:
    first_doc, second_doc = service_request(), service_request()
    patient_of(second_doc)["identifier"] = patient_of(first_doc)["identifier"]
    first = await submit_fhir(referrals, first_doc)
    second = await submit_fhir(referrals, second_doc)
    coordinator = referrals.auth(Role.COORDINATOR)

    queue = await referrals.client.get("/referrals?needs_review=true", headers=coordinator)
    assert [item["referral_id"] for item in queue.json()["items"]] == [second]

    rejected = await referrals.client.post(
        f"/referrals/{second}/reject", json={"reason": "duplicate"}, headers=coordinator
    )
    assert rejected.status_code == 200
    [event] = await referrals.wait_published(1, "referrals.referral-rejected.v1")
    assert event["data"]["duplicate_of"] == first
    assert event["data"]["reason"] == "duplicate"
    again = await referrals.client.post(
        f"/referrals/{second}/reject", json={"reason": "other"}, headers=coordinator
    )
    assert again.status_code == 409


async def test_the_work_queue_filters_and_pages(referrals: ServiceHarness) -> None:
    ids = [await submit_fhir(referrals, service_request()) for _ in range(3)]
    coordinator = referrals.auth(Role.COORDINATOR)
    await referrals.client.post(f"/referrals/{ids[1]}/contact-attempts", json=REACHED, headers=coordinator)

    first = (await referrals.client.get("/referrals?limit=2", headers=coordinator)).json()
    assert [i["referral_id"] for i in first["items"]] == ids[:2]
    second = (
        await referrals.client.get(f"/referrals?limit=2&cursor={first['next_cursor']}", headers=coordinator)
    ).json()
    assert [i["referral_id"] for i in second["items"]] == ids[2:]
    assert second["next_cursor"] is None

    received = (await referrals.client.get("/referrals?status=received", headers=coordinator)).json()
    assert [i["referral_id"] for i in received["items"]] == [ids[0], ids[2]]
    local = (await referrals.client.get("/referrals?postcode_district=ls8", headers=coordinator)).json()
    assert len(local["items"]) == 3
    elsewhere = (await referrals.client.get("/referrals?postcode_district=M1", headers=coordinator)).json()
    assert elsewhere["items"] == []
    old = (await referrals.client.get("/referrals?min_days_waiting=3", headers=coordinator)).json()
    assert old["items"] == []
    bad = await referrals.client.get("/referrals?cursor=nonsense", headers=coordinator)
    assert bad.status_code == 400
    summary = first["items"][0]
    assert "nhs_number" not in summary and "family_name" not in summary


async def test_a_referrer_sees_only_their_own_referrals_and_why_one_was_rejected(
    referrals: ServiceHarness,
) -> None:
    mine = await submit_fhir(referrals, service_request(), subject="ods-B86001")
    theirs = await submit_fhir(referrals, service_request(), subject="ods-Y00001")
    coordinator = referrals.auth(Role.COORDINATOR)
    await referrals.client.post(
        f"/referrals/{mine}/reject", json={"reason": "not-eligible"}, headers=coordinator
    )

    me = referrals.auth(Role.REFERRER, "ods-B86001")
    listing = (await referrals.client.get("/my/referrals", headers=me)).json()
    assert [(i["referral_id"], i["status"], i["rejection_reason"]) for i in listing["items"]] == [
        (mine, "rejected", "not-eligible")
    ]
    assert (await referrals.client.get(f"/my/referrals/{theirs}", headers=me)).status_code == 404
    fhir_view = await referrals.client.get(f"/fhir/ServiceRequest/{mine}", headers=me)
    assert fhir_view.json()["status"] == "revoked"
    assert (await referrals.client.get(f"/fhir/ServiceRequest/{theirs}", headers=me)).status_code == 404
    as_coordinator = await referrals.client.get("/my/referrals", headers=coordinator)
    assert as_coordinator.status_code == 403


async def test_every_endpoint_declares_its_roles(referrals: ServiceHarness) -> None:
    assert unprotected_routes(referrals.app) == []
