"""Realistic referrals for the tests: a UK Core transaction Bundle and the other shapes built from it."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import nhs_number

DATA = Path(__file__).parent / "data"
NHS = "https://fhir.nhs.uk/Id/nhs-number"
UBRN = "https://fhir.nhs.uk/Id/UBRN"


def transaction_bundle(**patient_changes: Any) -> dict[str, Any]:
    """The example transaction Bundle, with a fresh NHS number and UBRN (and any Patient changes)."""
    bundle: dict[str, Any] = json.loads((DATA / "uk-core-referral-transaction.json").read_text())
    patient = _resource(bundle, "Patient")
    patient["identifier"][0]["value"] = fresh_nhs_number()
    patient.update(patient_changes)
    request = _resource(bundle, "ServiceRequest")
    request["identifier"][0]["value"] = fresh_ubrn()
    return bundle


def message_bundle(**patient_changes: Any) -> dict[str, Any]:
    """The same referral as a FHIR message: a MessageHeader first, focused on the ServiceRequest."""
    bundle = transaction_bundle(**patient_changes)
    entries = [{k: v for k, v in e.items() if k != "request"} for e in bundle["entry"]]
    request_url = next(e["fullUrl"] for e in entries if e["resource"]["resourceType"] == "ServiceRequest")
    header = {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "MessageHeader",
            "id": str(uuid.uuid4()),
            "eventCoding": {
                "system": "https://fhir.nhs.uk/CodeSystem/message-event",
                "code": "referral-request",
            },
            "source": {"endpoint": "https://harehills.example/fhir"},
            "focus": [{"reference": request_url}],
        },
    }
    return {
        "resourceType": "Bundle",
        "type": "message",
        "timestamp": "2026-11-02T10:15:00+00:00",
        "entry": [header, *entries],
    }


def service_request(**patient_changes: Any) -> dict[str, Any]:
    """The same referral as one ServiceRequest with its Patient and requester contained."""
    bundle = transaction_bundle(**patient_changes)
    request = copy.deepcopy(_resource(bundle, "ServiceRequest"))
    patient = copy.deepcopy(_resource(bundle, "Patient"))
    organization = copy.deepcopy(_resource(bundle, "Organization"))
    patient["id"], organization["id"] = "patient", "practice"
    request["contained"] = [patient, organization]
    request["subject"] = {"reference": "#patient"}
    request["requester"] = {"reference": "#practice", "display": "Dr Chidi Okafor"}
    return request


def patient_of(document: dict[str, Any]) -> dict[str, Any]:
    """The Patient inside any of the shapes above."""
    if document["resourceType"] == "ServiceRequest":
        return next(r for r in document["contained"] if r["resourceType"] == "Patient")
    return _resource(document, "Patient")


def request_of(document: dict[str, Any]) -> dict[str, Any]:
    """The ServiceRequest inside any of the shapes above."""
    return document if document["resourceType"] == "ServiceRequest" else _resource(document, "ServiceRequest")


def identifiers_of(patient: dict[str, Any]) -> list[str]:
    """The direct identifiers of a FHIR Patient, as they could appear in text."""
    name = patient["name"][0]
    found = [patient["identifier"][0]["value"], name["family"], *name["given"], patient["birthDate"]]
    found += [t["value"] for t in patient["telecom"]]
    found += [patient["address"][0]["postalCode"], patient["address"][0]["line"][0]]
    return found


def fresh_nhs_number() -> str:
    """A valid NHS number no other test uses."""
    return str(nhs_number.generate(quantity=1)[0])


def fresh_ubrn() -> str:
    """A 12-digit e-Referral Service booking reference."""
    return f"{uuid.uuid4().int % 10**12:012d}"


def _resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def hl7_referral(
    control_id: str | None = None,
    *,
    nhs: str | None = None,
    facility: str = "B86001",
    ack: str = "",
    **fields: str,
) -> bytes:
    """A realistic `REF^I12` from a GP system (segments end with CR); `fields` replace segments by name."""
    control_id = control_id or uuid.uuid4().hex[:20]
    segments = {
        "MSH": f"MSH|^~\\&|EMIS-WEB|{facility}|PEER-REFERRALS|PEER-SUPPORT|20261102101500||REF^I12^REF_I12|"
        f"{control_id}|P|2.5|||AL|{ack}|GBR|UNICODE UTF-8",
        "RF1": f"RF1|P^Pending^HL70283|R^Routine^HL70280|PEER^Peer support^L|GRF^General referral^HL70282||"
        f"{fresh_ubrn()}^UBRN|20261102",
        "PRD": "PRD|RP^Referring provider^HL70286|Okafor^Chidi^^^Dr|12 Station Road^^Leeds^^LS8 4AA|||"
        "|B86001^^^ODS",
        "PID": "|".join(
            [
                "PID|1|",
                f"{nhs or fresh_nhs_number()}^^^NHS^NH~H123456^^^B86001^MR",
                "",
                "O'Neill^Patrick^James^^Mr",
                "",
                "19580923",
                "M||",
                "7 Easterly Road^^Leeds^^LS8 2TP^GBR^H",
                "",
                "07700 900456^PRN^CP~^NET^Internet^p.oneill@example.com",
                "",
                "en|||||||A",
            ]
        ),
        "DG1": "DG1|1||E11.9^Type 2 diabetes mellitus without complications^I10|||F",
        "NTE": "NTE|1|P|Lives alone since his wife died; would like someone to walk with.",
    }
    segments.update(fields)
    return "\r".join(s for s in segments.values() if s).encode() + b"\r"


def hl7_identifiers() -> list[str]:
    """The direct identifiers in `hl7_referral` (other than the NHS number, which each call chooses)."""
    return ["O'Neill", "Patrick", "19580923", "1958-09-23", "LS8 2TP", "07700 900456", "p.oneill@example.com"]
