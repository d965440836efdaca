"""A referral's journey through the platform, step by step: the people, the documents, the calls.

The steps run on a `peer_testkit.platform.Platform`: register a mentor, refer someone over FHIR as their
GP practice, triage and accept them, follow them into a pairing. The people carry every direct identifier
a referral can, so a test can prove that none of them reaches the bus. `rejection` is a ready-made event
for the tests of the bus itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import nhs_number

from peer_events.envelope import CloudEvent, new_event
from peer_events.events.referrals import ReferralRejected, RejectionReason
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock
from peer_testkit.platform import PROGRAMME, Platform

REFERRER = "ods-B86001"
"""The GP practice that refers (its ODS code, as its tokens' subject)."""
NHS_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
T2D_SNOMED = "44054006"
LONG_COVID_SNOMED = "1325161000000102"
"""Post-COVID-19 syndrome, the code the long Covid programme is referred with."""
PREFERENCES = ("mentor-gender:female", "language:pa", "availability:tue-evening", "contact-mode:in-person")
TRAINING = (
    "mentoring",
    "motivational-interviewing",
    "goal-setting",
    "action-planning",
    "boundaries",
    "confidentiality",
    "safeguarding",
)


def fresh_nhs_number() -> str:
    """A valid NHS number (Modulus 11) that no other test uses."""
    return str(nhs_number.generate(quantity=1)[0])  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Person:
    """Somebody referred: the direct identifiers that must never reach the bus."""

    given: tuple[str, ...]
    family: str
    birth_date: date
    postcode: str
    address_line: str
    phone: str
    email: str
    nhs_number: str = field(default_factory=fresh_nhs_number)


def service_request(person: Person, authored_on: date, note: str, reason: str = T2D_SNOMED) -> dict[str, Any]:
    """A UK Core ServiceRequest for peer support (type 2 diabetes unless `reason` codes another condition),
    with its Patient and practice contained."""
    patient = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"system": NHS_SYSTEM, "value": person.nhs_number}],
        "name": [{"use": "official", "family": person.family, "given": list(person.given)}],
        "telecom": [
            {"system": "phone", "value": person.phone, "use": "mobile", "rank": 1},
            {"system": "email", "value": person.email, "use": "home"},
        ],
        "gender": "female",
        "birthDate": person.birth_date.isoformat(),
        "address": [
            {"use": "home", "line": [person.address_line], "city": "Leeds", "postalCode": person.postcode}
        ],
    }
    practice = {
        "resourceType": "Organization",
        "id": "practice",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B86001"}],
        "name": "Harehills Medical Practice",
    }
    return {
        "resourceType": "ServiceRequest",
        "identifier": [
            {"system": "https://fhir.nhs.uk/Id/UBRN", "value": f"{uuid.uuid4().int % 10**12:012d}"}
        ],
        "status": "active",
        "intent": "order",
        "contained": [patient, practice],
        "subject": {"reference": "#patient"},
        "requester": {"reference": "#practice"},
        "authoredOn": authored_on.isoformat(),
        "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": reason}]}],
        "orderDetail": [
            {"coding": [{"system": "urn:peer-support:mentee-preference", "code": c} for c in PREFERENCES]}
        ],
        "note": [{"text": note}],
    }


def mentor_body(condition: str, trained_on: date, contact: dict[str, str], capacity: int) -> dict[str, Any]:
    """A volunteer who finished training and checks on `trained_on`, in Leeds, registered in training."""
    done = trained_on.isoformat()
    return {
        "contact": contact,
        "conditions": [condition],
        "training": [{"module": module, "completed_on": done} for module in TRAINING],
        "dbs_checked_on": done,
        "safeguarding_refreshed_on": done,
        "capacity": capacity,
        "postcode_district": "LS8",
        "travel_km": 10,
        "gender": "female",
        "languages": ["en", "pa"],
        "availability": ["tue-evening"],
        "status": "in-training",
    }


def pam_body(
    timepoint: str, assessed_on: date, score: float, follow_up_number: int | None = None
) -> dict[str, Any]:
    """A PAM result as the licensed tool reported its score (the level is derived from it)."""
    return {
        "timepoint": timepoint,
        "follow_up_number": follow_up_number,
        "assessed_on": assessed_on.isoformat(),
        "score": score,
        "administered_by": "coordinator",
    }


def rejection(condition: str) -> CloudEvent[ReferralRejected]:
    """A small, valid event under the test's own condition: a referral rejected as not eligible."""
    data = ReferralRejected(
        referral_id=f"ref_{uuid.uuid4().hex}",
        rejected_on=date(2026, 11, 2),
        reason=RejectionReason.NOT_ELIGIBLE,
    )
    return new_event(data, clock=SystemClock(), condition=condition, programme=PROGRAMME)


# --- Steps of a referral's journey ----------------------------------------------------------------------


async def register_mentor(p: Platform, contact: dict[str, str], capacity: int, trained_on: date) -> str:
    """Register a trained mentor and activate them; return their id."""
    body = mentor_body(p.condition, trained_on, contact, capacity)
    mentor = await p.call("matching", "POST", "/mentors", json=body, expect=201)
    assert mentor["status"] == "in-training"
    activated = await p.call("matching", "POST", f"/mentors/{mentor['mentor_id']}/activate")
    assert activated["status"] == "active"
    return str(mentor["mentor_id"])


async def refer(
    p: Platform, person: Person, note: str = "Finding it hard to change her diet.", reason: str = T2D_SNOMED
) -> str:
    """Send a FHIR referral as the GP practice (for the condition `reason` codes); return its id."""
    document = service_request(person, p.today(), note, reason)
    created = await p.call(
        "referrals",
        "POST",
        "/fhir/ServiceRequest",
        role=Role.REFERRER,
        subject=REFERRER,
        json=document,
        headers={"Content-Type": "application/fhir+json"},
        expect=201,
    )
    return str(created["id"])


async def accept(p: Platform, referral_id: str) -> dict[str, Any]:
    """Triage: reach the person, record their consent, accept. Returns the referral's summary."""
    contact = {"method": "phone", "outcome": "reached", "note": "Spoke to her; keen to start."}
    await p.call("referrals", "POST", f"/referrals/{referral_id}/contact-attempts", json=contact, expect=201)
    consent = {
        "peer_support": True,
        "share_outcomes_with_referrer": True,
        "contact_for_evaluation": False,
        "given_on": p.today().isoformat(),
    }
    await p.call("referrals", "POST", f"/referrals/{referral_id}/consent", json=consent, expect=201)
    summary: dict[str, Any] = await p.call("referrals", "POST", f"/referrals/{referral_id}/accept", json={})
    assert summary["triage_status"] == "accepted"
    return summary


async def referral_status(p: Platform, referral_id: str) -> str:
    """Where the referral is, as the referrer sees it."""
    view = await p.call(
        "referrals", "GET", f"/my/referrals/{referral_id}", role=Role.REFERRER, subject=REFERRER
    )
    return str(view["status"])


async def pairing_of(p: Platform, referral_id: str) -> dict[str, Any]:
    """The referral's one pairing, as a coordinator sees it in the sessions service."""
    page = await p.call("sessions", "GET", "/pairings", params={"limit": 200})
    [pairing] = [item for item in page["items"] if item["referral_id"] == referral_id]
    return dict(pairing)
