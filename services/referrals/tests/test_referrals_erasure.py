"""Consent withdrawal erases the person; corrections are versioned; subject access exports everything."""

from __future__ import annotations

import pytest

from peer_shared.auth import Role
from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import database_text, identifiers_of, patient_of, service_request, submit_fhir

pytestmark = pytest.mark.integration


async def test_consent_withdrawal_leaves_no_identifiable_data_for_the_person(
    referrals: ServiceHarness,
) -> None:
    document = service_request()
    patient = patient_of(document)
    again = service_request()
    patient_of(again)["identifier"] = patient["identifier"]
    first = await submit_fhir(referrals, document)
    second = await submit_fhir(referrals, again)  # the same person, linked as a duplicate
    coordinator = referrals.auth(Role.COORDINATOR, "usr_coord")
    note = {"method": "phone", "outcome": "reached", "note": f"Spoke to {patient['name'][0]['given'][0]}"}
    await referrals.client.post(f"/referrals/{first}/contact-attempts", json=note, headers=coordinator)
    corrected = await referrals.client.patch(
        f"/referrals/{first}/person",
        json={"reason": "moved house", "address_lines": ["2 Roundhay Road", "Leeds"], "postcode": "ls7 1ab"},
        headers=coordinator,
    )
    assert corrected.status_code == 200, corrected.text
    before = await database_text(referrals)
    for identifier in [*identifiers_of(patient), "2 Roundhay Road", "LS7 1AB", "Spoke to Samina"]:
        assert identifier in before  # the scan below would find it if it were still there

    withdrawn = await referrals.client.post(
        f"/referrals/{first}/withdraw",
        json={"reason": "mentee-request", "consent_withdrawn": True},
        headers=coordinator,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"

    events = await referrals.wait_published(2, "referrals.referral-withdrawn.v1")
    assert sorted(e["data"]["referral_id"] for e in events) == sorted([first, second])
    assert all(e["data"]["erase_personal_data"] for e in events)
    await referrals.outbox_drained()
    after = await database_text(referrals)
    for identifier in [*identifiers_of(patient), "2 Roundhay Road", "LS7 1AB", "Spoke to Samina", "Samina"]:
        assert identifier not in after, f"{identifier!r} survived erasure"
    # The pseudonymous record needed for reporting stays.
    assert await referrals.count("referrals") == 2
    assert await referrals.scalar("SELECT age_band FROM referrals WHERE id = :id", id=first) == "65-74"
    assert await referrals.scalar("SELECT postcode_district FROM referrals WHERE id = :id", id=first) == "LS7"
    detail = await referrals.client.get(f"/referrals/{first}?purpose=triage", headers=coordinator)
    assert detail.json()["person"] is None
    assert detail.json()["erased_at"] is not None
    gone = await referrals.client.patch(
        f"/referrals/{first}/person", json={"reason": "typo", "family_name": "X"}, headers=coordinator
    )
    assert gone.status_code == 410


async def test_withdrawal_without_consent_withdrawal_keeps_the_details(referrals: ServiceHarness) -> None:
    referral_id = await submit_fhir(referrals, service_request())
    coordinator = referrals.auth(Role.COORDINATOR)
    response = await referrals.client.post(
        f"/referrals/{referral_id}/withdraw",
        json={"reason": "moved-away", "consent_withdrawn": False},
        headers=coordinator,
    )
    assert response.status_code == 200
    [event] = await referrals.wait_published(1, "referrals.referral-withdrawn.v1")
    assert event["data"]["erase_personal_data"] is False
    assert await referrals.count("people") == 1
    twice = await referrals.client.post(
        f"/referrals/{referral_id}/withdraw",
        json={"reason": "moved-away", "consent_withdrawn": False},
        headers=coordinator,
    )
    assert twice.status_code == 409


async def test_subject_access_exports_everything_and_every_read_is_audited(
    referrals: ServiceHarness,
) -> None:
    document = service_request()
    referral_id = await submit_fhir(referrals, document)
    coordinator = referrals.auth(Role.COORDINATOR, "usr_coord")
    base = f"/referrals/{referral_id}"
    unexplained = await referrals.client.get(base, headers=coordinator)
    assert unexplained.status_code == 422  # a read of identifiable data must say why
    detail = await referrals.client.get(f"{base}?purpose=triage", headers=coordinator)
    assert detail.json()["person"]["nhs_number"] == patient_of(document)["identifier"][0]["value"]
    await referrals.client.patch(
        f"{base}/person", json={"reason": "spelling", "family_name": "Akhter"}, headers=coordinator
    )
    bad = await referrals.client.patch(
        f"{base}/person", json={"reason": "typo", "postcode": "nowhere"}, headers=coordinator
    )
    assert bad.status_code == 422
    export = await referrals.client.get(f"{base}/subject-access", headers=coordinator)
    assert export.status_code == 200
    [record] = export.json()["referrals"]
    assert record["person"]["family_name"] == "Akhter"
    assert record["person"]["notes"].startswith("Diagnosed in August")
    assert [v["details"]["family_name"] for v in record["earlier_versions"]] == ["Akhtar"]
    assert record["referral"]["id"] == referral_id

    log = (await referrals.client.get(f"/audit?referral_id={referral_id}", headers=coordinator)).json()
    actions = [(e["action"], e["actor"], e["purpose"]) for e in log["items"]]
    assert actions == [
        ("read-details", "usr_coord", "triage"),
        ("correct-details", "usr_coord", "spelling"),
        ("subject-access-export", "usr_coord", "subject-access-request"),
    ]
    assert all(patient_of(document)["name"][0]["family"] not in str(e) for e in log["items"])
