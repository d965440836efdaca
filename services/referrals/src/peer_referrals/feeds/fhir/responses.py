"""What the FHIR endpoint answers: OperationOutcome on error, the FHIR response for each request kind.

A referral's own problems (`domain.problems`) become issues located by FHIRPath; any other HTTP error on
the FHIR routes (no token, an unknown referral, a path that fails validation) is the platform's problem
details (`peer_shared.http.problems`) said as an OperationOutcome.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from peer_referrals.domain.problems import Problem, ProblemCode
from peer_referrals.domain.triage import TriageStatus
from peer_shared.http import problems as http_problems

FHIR_JSON = "application/fhir+json"
STATUS_EXTENSION = "urn:peer-support:referral-status"
PROBLEM_SYSTEM = "urn:peer-support:problem"
OUTCOME_SCHEMA: dict[str, Any] = {
    "title": "OperationOutcome",
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {"resourceType": {"const": "OperationOutcome"}, "issue": {"type": "array"}},
}
OUTCOME_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {FHIR_JSON: {"schema": OUTCOME_SCHEMA}}}
    for status, description in (
        (400, "Not a readable FHIR R4 resource"),
        (401, "No valid bearer token"),
        (403, "The token's role may not do this"),
        (404, "No such referral (or not one of yours)"),
        (413, "The body is over the size limit"),
        (422, "The referral breaks a rule (each issue names where)"),
        (503, "The referral could not be stored just now; sending it again is safe"),
    )
}
"""The OpenAPI `responses` of the FHIR routes: every error is an OperationOutcome."""

# OperationOutcome.issue.code (FHIR IssueType) of an HTTP error that is not a referral's own problem.
_ISSUE_OF_STATUS = {
    400: "structure",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    410: "deleted",
    413: "too-long",
    415: "not-supported",
    422: "invalid",
    503: "transient",
}

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
            "details": {"coding": [{"system": PROBLEM_SYSTEM, "code": problem.code.value}]},
            "diagnostics": problem.message,
        }
        if problem.location:
            issue["expression"] = [problem.location]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def problem_outcome(_request: Request, problem: http_problems.Problem) -> Response:
    """The renderer of the `/fhir` prefix: a platform problem as an OperationOutcome (same status)."""
    kind = _ISSUE_OF_STATUS.get(problem.status, "exception" if problem.status >= 500 else "processing")
    wheres = [(f.message, f.field, f.code or problem.code) for f in problem.fields]
    issues = []
    for message, where, code in wheres or [(problem.detail, "", problem.code)]:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": kind,
            "details": {"coding": [{"system": PROBLEM_SYSTEM, "code": code}]},
            "diagnostics": message,
        }
        if where:
            issue["expression"] = [where]
        issues.append(issue)
    body = {"resourceType": "OperationOutcome", "issue": issues}
    return JSONResponse(body, status_code=problem.status, media_type=FHIR_JSON, headers=dict(problem.headers))


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
