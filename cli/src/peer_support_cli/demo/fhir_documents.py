"""A referral as a UK Core FHIR R4 document: a transaction Bundle, or a ServiceRequest with its Patient
and requesting practice contained (pure functions, no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from peer_support_cli.demo.steps import Feed, Referral

NHS_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
PREFERENCE_SYSTEM = "urn:peer-support:mentee-preference"
SNOMED = "http://snomed.info/sct"


@dataclass(frozen=True)
class Reason:
    """How a practice codes and describes a referral for a condition."""

    snomed: str
    display: str
    icd10: str
    """The ICD-10 code HL7 v2 messages carry (DG1)."""
    icd10_display: str
    note: str


REASONS = {
    "t2d": Reason(
        "44054006",
        "Type 2 diabetes",
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "Recently diagnosed; would value talking to someone who has been through it.",
    ),
    "long-covid": Reason(
        "1325161000000102",
        "Post-COVID-19 syndrome",
        "U09.9",
        "Post COVID-19 condition, unspecified",
        "Fatigue and breathlessness for months since COVID-19; would like to meet others living with it.",
    ),
}
"""The coded reason for referral, by the referral's condition."""
_NAMESPACE = uuid.UUID("5b0f4e1c-6f31-4b53-9d0e-2f7d8a1c4e55")


def stable_uuid(referral: Referral, what: str) -> str:
    """An id that is the same for the same person and purpose: the same seed sends the same documents."""
    return str(uuid.uuid5(_NAMESPACE, f"{referral.person.nhs_number}/{what}"))


def ubrn(referral: Referral) -> str:
    """The e-Referral Service booking reference of the referral (12 digits)."""
    return f"{uuid.UUID(stable_uuid(referral, 'ubrn')).int % 10**12:012d}"


def patient(referral: Referral) -> dict[str, Any]:
    """The UK Core Patient."""
    p = referral.person
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_SYSTEM, "value": p.nhs_number}],
        "name": [{"use": "official", "family": p.family, "given": [p.given]}],
        "telecom": [
            {"system": "phone", "value": p.phone, "use": "mobile"},
            {"system": "email", "value": p.email, "use": "home"},
        ],
        "gender": p.gender,
        "birthDate": p.birth_date.isoformat(),
        "address": [{"use": "home", "line": [p.address_line], "city": "Leeds", "postalCode": p.postcode}],
        "extension": [
            {
                "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland",
                            "code": p.ethnic_category,
                        }
                    ]
                },
            }
        ],
    }
    if p.language:
        resource["communication"] = [
            {
                "language": {
                    "coding": [
                        {
                            "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-HumanLanguage",
                            "code": p.language,
                        }
                    ]
                },
                "preferred": True,
            }
        ]
    return resource


def organization(referral: Referral) -> dict[str, Any]:
    """The referring GP practice."""
    ods, name, _ = referral.practice
    return {
        "resourceType": "Organization",
        "identifier": [{"system": ODS_SYSTEM, "value": ods}],
        "name": name,
    }


def service_request(referral: Referral, subject: str, requester: str) -> dict[str, Any]:
    """The UK Core ServiceRequest: a referral to peer support, coded with the condition it is for."""
    reason = REASONS[referral.condition]
    return {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/UBRN", "value": ubrn(referral)}],
        "status": "active",
        "intent": "order",
        "code": {"coding": [{"system": SNOMED, "code": "1172861000000103", "display": "Peer support"}]},
        "orderDetail": [{"coding": [{"system": PREFERENCE_SYSTEM, "code": c} for c in referral.preferences]}],
        "subject": {"reference": subject},
        "authoredOn": referral.authored_on.isoformat(),
        "requester": {"reference": requester, "display": referral.practice[2]},
        "reasonCode": [{"coding": [{"system": SNOMED, "code": reason.snomed, "display": reason.display}]}],
        "note": [{"text": reason.note}],
    }


def fhir_document(referral: Referral) -> tuple[str, dict[str, Any]]:
    """(path, body): a transaction Bundle for `POST /fhir`, or a ServiceRequest with its Patient and
    practice contained for `POST /fhir/ServiceRequest`."""
    if referral.feed is Feed.FHIR_REQUEST:
        request = service_request(referral, "#patient", "#practice")
        request["contained"] = [
            patient(referral) | {"id": "patient"},
            organization(referral) | {"id": "practice"},
        ]
        return "/fhir/ServiceRequest", request
    urls = {what: f"urn:uuid:{stable_uuid(referral, what)}" for what in ("patient", "practice", "request")}
    resources = {
        "patient": patient(referral),
        "practice": organization(referral),
        "request": service_request(referral, urls["patient"], urls["practice"]),
    }
    entries = [
        {
            "fullUrl": urls[what],
            "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"]},
        }
        for what, resource in resources.items()
    ]
    return "/fhir", {"resourceType": "Bundle", "type": "transaction", "entry": entries}
