"""What the FHIR endpoint answers: OperationOutcome on error, the FHIR response for each request kind."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from peer_referrals.domain.problems import Problem, ProblemCode
from peer_referrals.domain.triage import TriageStatus

FHIR_JSON = "application/fhir+json"
STATUS_EXTENSION = "urn:peer-support:referral-status"

# OperationOutcome.issue.code (FHIR IssueType) and the HTTP status for each kind of problem.
_ISSUE_TYPES = {
    ProblemCode.MALFORMED: ("structure", 400),
    ProblemCode.UNSUPPORTED: ("not-supported", 400),
    ProblemCode.TOO_LARGE: ("too-long", 413),
    ProblemCode.REQUIRED: ("required", 422),
    ProblemCode.INVALID: ("value", 422),
    ProblemCode.NHS_NUMBER_INVALID: ("value", 422),
    ProblemCode.POSTCODE_INVALID: ("value", 422),
    ProblemCode.UNDER_AGE: ("business-rule", 422),
    ProblemCode.CONDITION_UNKNOWN: ("code-invalid", 422),
    ProblemCode.CONDITION_NOT_SERVED: ("business-rule", 422),
    ProblemCode.NOT_AUTHORISED: ("forbidden", 403),
    ProblemCode.UNAVAILABLE: ("transient", 503),
}


def http_status(problems: list[Problem]) -> int:
    """The HTTP status for a refused request: the most basic problem decides (a parse error is a 400)."""
    return min(_ISSUE_TYPES[p.code][1] for p in problems)


def operation_outcome(problems: list[Problem]) -> dict[str, Any]:
    """An OperationOutcome with one issue per problem, each naming its FHIRPath location."""
    issues = []
    for problem in problems:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": _ISSUE_TYPES[problem.code][0],
            "details": {"coding": [{"system": "urn:peer-support:problem", "code": problem.code.value}]},
            "diagnostics": problem.message,
        }
        if problem.location:
            issue["expression"] = [problem.location]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def service_request_view(
    referral_id: str, status: TriageStatus, detail: str, last_updated: datetime
) -> dict[str, Any]:
    """The referral as a ServiceRequest: its id and status, and nothing identifying the person."""
    fhir_status = {
        TriageStatus.REJECTED: "revoked",
        TriageStatus.WITHDRAWN: "revoked",
    }.get(status, "completed" if detail == "completed" else "active")
    return {
        "resourceType": "ServiceRequest",
        "id": referral_id,
        "meta": {"lastUpdated": last_updated.isoformat()},
        "extension": [{"url": STATUS_EXTENSION, "valueCode": detail}],
        "status": fhir_status,
        "intent": "order",
        "subject": {"display": "the person referred (details held by the referrals service)"},
    }


def transaction_response(
    entry_types: tuple[str, ...], referral_id: str, created: bool, now: datetime
) -> dict[str, Any]:
    """A `transaction-response` Bundle: one entry per request entry, in order."""
    status = "201 Created" if created else "200 OK"
    entries = []
    for kind in entry_types:
        response: dict[str, Any] = {"status": status if kind in ("ServiceRequest", "Patient") else "200 OK"}
        if kind == "ServiceRequest":
            response |= {"location": f"ServiceRequest/{referral_id}", "lastModified": now.isoformat()}
        entries.append({"response": response})
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}


def message_response(
    request_header_id: str | None, referral_id: str, now: datetime, *, base: str
) -> dict[str, Any]:
    """A response message Bundle: a MessageHeader answering the request's, pointing at the referral."""
    header_id = str(uuid.uuid4())
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "message",
        "timestamp": now.isoformat(),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{header_id}",
                "resource": {
                    "resourceType": "MessageHeader",
                    "id": header_id,
                    "eventCoding": {
                        "system": "http://hl7.org/fhir/message-events",
                        "code": "service-request",
                    },
                    "source": {"endpoint": base},
                    "response": {"identifier": request_header_id or "", "code": "ok"},
                    "focus": [{"reference": f"{base}/ServiceRequest/{referral_id}"}],
                },
            }
        ],
    }
