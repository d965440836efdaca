"""Reading a FHIR R4 (UK Core) referral: a ServiceRequest with its Patient, alone or in a Bundle.

Parsed with `fhir.resources` R4B models (UK Core is R4). Everything wrong is reported as a `Problem` whose
location is a FHIRPath into the request, so the OperationOutcome can point at each mistake.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError

from peer_referrals.domain.problems import InvalidReferral, Problem, ProblemCode
from peer_referrals.domain.submission import Submission
from peer_referrals.feeds.fhir import fields as fhir_fields

ACCEPTED_TYPES = frozenset(
    {"Patient", "ServiceRequest", "Organization", "Practitioner", "PractitionerRole", "MessageHeader"}
)
"""Resources a referral may carry; others are refused rather than silently ignored."""
BUNDLE_TYPES = frozenset({"transaction", "message"})


@dataclass(frozen=True)
class FhirReferral:
    """A referral read from FHIR, with what the response needs to echo."""

    submission: Submission
    bundle_type: str | None
    """`transaction` or `message` for a Bundle, None for a lone ServiceRequest."""
    entry_types: tuple[str, ...] = ()
    """The resource type of each Bundle entry, in order (a transaction response has one entry each)."""
    message_header_id: str | None = None


def read_fhir(raw: bytes, expected: str) -> FhirReferral:
    """Parse a request body expected to hold a `ServiceRequest` or a `Bundle`; raise `InvalidReferral`."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid(ProblemCode.MALFORMED, "", f"the body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise _invalid(ProblemCode.MALFORMED, "", "the body must be a JSON object (a FHIR resource)")
    kind = document.get("resourceType")
    if kind != expected:
        raise _invalid(ProblemCode.UNSUPPORTED, "resourceType", f"expected a {expected}, got {kind!r}")
    _check_resource_types(document, expected)
    model = Bundle if expected == "Bundle" else ServiceRequest
    try:
        resource = model.model_validate(document)
    except ValidationError as exc:
        raise InvalidReferral([_from_pydantic(expected, error) for error in exc.errors()]) from None
    except (KeyError, TypeError, ValueError) as exc:
        # fhir.resources raises these (not ValidationError) for some nested shapes it cannot read.
        raise _invalid(ProblemCode.MALFORMED, expected, f"not a valid FHIR R4 {expected}: {exc}") from None
    key_fallback = "body:" + hashlib.sha256(raw).hexdigest()
    if isinstance(resource, Bundle):
        return _from_bundle(resource, key_fallback)
    assert isinstance(resource, ServiceRequest)
    resources = fhir_fields.index_contained(resource, "ServiceRequest")
    submission = fhir_fields.submission_from(resource, "ServiceRequest", resources, key_fallback)
    return FhirReferral(submission, bundle_type=None)


def _from_bundle(bundle: Bundle, key_fallback: str) -> FhirReferral:
    if bundle.type not in BUNDLE_TYPES:
        raise _invalid(
            ProblemCode.UNSUPPORTED, "Bundle.type", "the Bundle must be a transaction or a message"
        )
    entries = bundle.entry or []
    requests = [(i, e.resource) for i, e in enumerate(entries) if isinstance(e.resource, ServiceRequest)]
    if len(requests) != 1:
        raise _invalid(
            ProblemCode.REQUIRED, "Bundle.entry", "the Bundle must hold exactly one ServiceRequest"
        )
    index, request = requests[0]
    assert isinstance(request, ServiceRequest)
    resources = fhir_fields.index_bundle(bundle)
    path = f"Bundle.entry[{index}].resource"
    header_id = None
    if bundle.type == "message":
        first = entries[0].resource if entries else None
        if first is None or first.get_resource_type() != "MessageHeader":
            raise _invalid(
                ProblemCode.REQUIRED, "Bundle.entry[0]", "a message Bundle starts with a MessageHeader"
            )
        header_id = first.id or ""
    submission = fhir_fields.submission_from(request, path, resources, key_fallback)
    types = tuple(e.resource.get_resource_type() if e.resource else "" for e in entries)
    return FhirReferral(submission, bundle.type, types, header_id)


def _check_resource_types(document: dict[str, Any], root: str) -> None:
    places: list[tuple[str, Any]] = []
    for i, item in enumerate(_list(document.get("contained"))):
        places.append((f"{root}.contained[{i}]", item))
    for i, entry in enumerate(_list(document.get("entry"))):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            continue
        places.append((f"{root}.entry[{i}].resource", resource))
        if isinstance(resource, dict):
            for j, item in enumerate(_list(resource.get("contained"))):
                places.append((f"{root}.entry[{i}].resource.contained[{j}]", item))
    problems = [
        Problem(
            ProblemCode.UNSUPPORTED,
            f"{path}.resourceType",
            f"resource type {_type_of(item)!r} is not accepted",
        )
        for path, item in places
        if _type_of(item) not in ACCEPTED_TYPES
    ]
    if problems:
        raise InvalidReferral(problems)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _type_of(item: Any) -> object:
    return item.get("resourceType") if isinstance(item, dict) else None


def _from_pydantic(root: str, error: Any) -> Problem:
    # Failing the base FHIR specification is a structural error (400), not a broken referral rule (422).
    path = root + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    return Problem(ProblemCode.MALFORMED, path, str(error["msg"]))


def _invalid(code: ProblemCode, location: str, message: str) -> InvalidReferral:
    return InvalidReferral([Problem(code, location, message)])
