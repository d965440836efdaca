"""Bad FHIR referrals, table-driven: each gets its own OperationOutcome and leaves nothing behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from peer_shared.auth import Role
from peer_testkit.harness import ServiceHarness
from peer_testkit.referrals import patient_of, request_of, service_request, state_counts, transaction_bundle

pytestmark = pytest.mark.integration

PATIENT = "ServiceRequest.contained[0]"


@dataclass(frozen=True)
class BadInput:
    """A request that must be refused, and how."""

    name: str
    path: str
    body: Callable[[], bytes]
    status: int
    problems: tuple[tuple[str, str], ...]
    """(problem code, FHIRPath expression) of each issue expected, in order."""


def _json(build: Callable[[], dict[str, Any]]) -> Callable[[], bytes]:
    return lambda: json.dumps(build()).encode()


def _changed(
    change: Callable[[dict[str, Any]], None], build: Callable[[], dict[str, Any]] = service_request
) -> Callable[[], bytes]:
    def body() -> bytes:
        document = build()
        change(document)
        return json.dumps(document).encode()

    return body


def _set_patient(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda document: patient_of(document).update(values)


def _set_nhs_number(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: patient_of(document)["identifier"][0].update(value=value)


def _set_reason(system: str, code: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        request_of(document)["reasonCode"] = [{"coding": [{"system": system, "code": code}]}]

    return change


def _set_postcode(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: patient_of(document)["address"][0].update(postalCode=value)


def _no_requester(document: dict[str, Any]) -> None:
    del request_of(document)["requester"]


def _bad_nhs_and_postcode(document: dict[str, Any]) -> None:
    _set_nhs_number("9434765918")(document)
    _set_postcode("LS8 HX5")(document)


def _add_observation(document: dict[str, Any]) -> None:
    document["entry"].append({"resource": {"resourceType": "Observation", "status": "final"}})


NHS_PATH = f"{PATIENT}.identifier.where(system='https://fhir.nhs.uk/Id/nhs-number').value"
SNOMED = "http://snomed.info/sct"
CASES = [
    BadInput(
        "malformed JSON",
        "/fhir/ServiceRequest",
        lambda: b'{"resourceType": "Service',
        400,
        (("malformed", ""),),
    ),
    BadInput("a JSON array", "/fhir/ServiceRequest", lambda: b"[]", 400, (("malformed", ""),)),
    BadInput(
        "wrong resourceType",
        "/fhir/ServiceRequest",
        _json(lambda: patient_of(service_request())),
        400,
        (("unsupported", "resourceType"),),
    ),
    BadInput(
        "a Bundle of the wrong type",
        "/fhir",
        _changed(lambda d: d.update(type="collection"), transaction_bundle),
        400,
        (("unsupported", "Bundle.type"),),
    ),
    BadInput(
        "a resource a referral cannot carry",
        "/fhir",
        _changed(_add_observation, transaction_bundle),
        400,
        (("unsupported", "Bundle.entry[5].resource.resourceType"),),
    ),
    BadInput(
        "a date of birth FHIR cannot read",
        "/fhir/ServiceRequest",
        _changed(_set_patient(birthDate="12/04/1961")),
        400,
        (("malformed", "ServiceRequest.contained[0].birthDate"),),
    ),
    BadInput(
        "missing NHS number",
        "/fhir/ServiceRequest",
        _changed(_set_patient(identifier=[])),
        422,
        (("required", NHS_PATH),),
    ),
    BadInput(
        "NHS number failing Modulus 11",
        "/fhir/ServiceRequest",
        _changed(_set_nhs_number("9434765918")),
        422,
        (("nhs-number-invalid", NHS_PATH),),
    ),
    BadInput(
        "unknown condition",
        "/fhir/ServiceRequest",
        _changed(_set_reason(SNOMED, "195967001")),
        422,
        (("condition-unknown", "ServiceRequest.reasonCode"),),
    ),
    BadInput(
        "a condition this deployment does not serve",
        "/fhir/ServiceRequest",
        _changed(_set_reason(SNOMED, "1119303003")),
        422,
        (("condition-not-served", "ServiceRequest.reasonCode"),),
    ),
    BadInput(
        "under 18",
        "/fhir/ServiceRequest",
        _changed(_set_patient(birthDate="2010-06-01")),
        422,
        (("under-age", f"{PATIENT}.birthDate"),),
    ),
    BadInput(
        "bad postcode",
        "/fhir/ServiceRequest",
        _changed(_set_postcode("LS8 HX5")),
        422,
        (("postcode-invalid", f"{PATIENT}.address.postalCode"),),
    ),
    BadInput(
        "no referring organisation",
        "/fhir/ServiceRequest",
        _changed(_no_requester),
        422,
        (("required", "ServiceRequest.requester"),),
    ),
    BadInput(
        "every problem is reported, not just the first",
        "/fhir/ServiceRequest",
        _changed(_bad_nhs_and_postcode),
        422,
        (("nhs-number-invalid", NHS_PATH), ("postcode-invalid", f"{PATIENT}.address.postalCode")),
    ),
    BadInput(
        "a transaction Bundle sent as a message",
        "/fhir/$process-message",
        _json(transaction_bundle),
        400,
        (("unsupported", "Bundle.type"),),
    ),
    BadInput(
        "oversized payload",
        "/fhir/ServiceRequest",
        _changed(lambda d: d.update(note=[{"text": "x" * 300_000}])),
        413,
        (("too-large", ""),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_a_bad_fhir_referral_is_refused_with_its_own_operation_outcome(
    quiet_referrals: ServiceHarness, case: BadInput
) -> None:
    harness = quiet_referrals
    headers = {"Content-Type": "application/fhir+json"} | harness.auth(Role.REFERRER)
    response = await harness.client.post(case.path, content=case.body(), headers=headers)

    assert response.status_code == case.status, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    found = [
        (issue["details"]["coding"][0]["code"], (issue.get("expression") or [""])[0])
        for issue in outcome["issue"]
    ]
    assert found == list(case.problems)
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in outcome["issue"])
    counts = await state_counts(harness)
    assert counts == dict.fromkeys(counts, 0)
    assert await harness.published() == []


async def test_a_referral_needs_a_referrer_or_coordinator_token(quiet_referrals: ServiceHarness) -> None:
    harness = quiet_referrals
    body = json.dumps(service_request())
    anonymous = await harness.client.post("/fhir/ServiceRequest", content=body)
    mentor = await harness.client.post(
        "/fhir/ServiceRequest", content=body, headers=harness.auth(Role.MENTOR)
    )
    assert (anonymous.status_code, mentor.status_code) == (401, 403)
    assert await harness.count("referrals") == 0
