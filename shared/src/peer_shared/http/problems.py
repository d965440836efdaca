"""Every HTTP error as RFC 9457 `application/problem+json`, with a stable `code` and field errors.

One shape for every service, so clients (the web console, referrers' systems) read one thing:

    {"type": "urn:peer-support:problem:<code>", "title": "Not Found", "status": 404,
     "detail": "no pairing pai_...", "code": "unknown-pairing",
     "errors": [{"field": "body.duration_minutes", "message": "...", "code": "..."}]}

Refusals raised by use cases, FastAPI's own request validation and `HTTPException`s (authentication,
unknown routes, methods) all go through `problem_of`. A service whose feed has its own error vocabulary
(FHIR's OperationOutcome) installs a renderer for its path prefix; the problem itself is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from peer_shared.refusals import FieldProblem, Refusal, RefusalKind

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:peer-support:problem:"

STATUS_OF: Mapping[RefusalKind, int] = {
    RefusalKind.NOT_FOUND: 404,
    RefusalKind.CONFLICT: 409,
    RefusalKind.INVALID: 422,
    RefusalKind.NOT_ALLOWED: 403,
    RefusalKind.GONE: 410,
}

# The code of an HTTP error that carries none of its own (an unknown route, a missing token).
_CODE_OF_STATUS: Mapping[int, str] = {
    400: "bad-request",
    401: "unauthorised",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    410: "gone",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


@dataclass(frozen=True)
class Problem:
    """An HTTP error before it is rendered: status, code, a sentence, and the fields at fault."""

    status: int
    code: str
    detail: str
    fields: tuple[FieldProblem, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The status's standard phrase ("Not Found")."""
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Error"

    def body(self) -> dict[str, Any]:
        """The RFC 9457 document."""
        document: dict[str, Any] = {
            "type": f"{TYPE_PREFIX}{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.fields:
            document["errors"] = [_field_body(f) for f in self.fields]
        return document


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ProblemDetails",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "urn:peer-support:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What was wrong, for people"},
        "code": {"type": "string", "description": "Why, stable for clients to act on"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}
"""The JSON Schema of a problem document, for the OpenAPI of every route's error responses."""


Renderer = Callable[[Request, Problem], Response]
"""Turns a problem into a response in a feed's own vocabulary (for example a FHIR OperationOutcome)."""


def problem_response(problem: Problem) -> JSONResponse:
    """The `application/problem+json` response of a problem."""
    return JSONResponse(
        problem.body(), status_code=problem.status, media_type=PROBLEM_JSON, headers=dict(problem.headers)
    )


def refusal_problem(refusal: Refusal) -> Problem:
    """The problem a refusal from a use case becomes."""
    return Problem(STATUS_OF[refusal.kind], refusal.code, refusal.message, refusal.fields)


def validation_problem(error: RequestValidationError) -> Problem:
    """FastAPI's request validation, as one problem listing every field at fault."""
    fields = tuple(
        FieldProblem(
            ".".join(str(part) for part in item.get("loc", ())),
            str(item.get("msg", "invalid")),
            str(item.get("type")) if item.get("type") else None,
        )
        for item in error.errors()
    )
    count = len(fields)
    detail = f"the request has {count} invalid field{'s' if count != 1 else ''}"
    return Problem(422, "invalid-request", detail, fields)


def http_problem(error: HTTPException) -> Problem:
    """An `HTTPException` (raised by authentication, routing or a route) as a problem."""
    code = _CODE_OF_STATUS.get(error.status_code, f"http-{error.status_code}")
    detail: Any = error.detail
    fields: tuple[FieldProblem, ...] = ()
    if isinstance(detail, Mapping) and "code" in detail:
        code, detail = str(detail["code"]), detail.get("message", detail.get("detail", code))
    elif isinstance(detail, Sequence) and not isinstance(detail, str):
        fields = tuple(_field_of(item) for item in detail)
        detail = f"the request has {len(fields)} problem{'s' if len(fields) != 1 else ''}"
    return Problem(error.status_code, code, str(detail), fields, dict(error.headers or {}))


def problem_of(error: Exception) -> Problem:
    """Any error an HTTP route lets out, as a problem (unknown errors are the caller's 500)."""
    if isinstance(error, Refusal):
        return refusal_problem(error)
    if isinstance(error, RequestValidationError):
        return validation_problem(error)
    if isinstance(error, HTTPException):
        return http_problem(error)
    return Problem(500, "internal-error", "the service failed to answer; the error is logged")


def install_problem_handlers(app: FastAPI, *, renderers: Iterable[tuple[str, Renderer]] = ()) -> None:
    """Answer refusals, validation errors and HTTP errors as problem details.

    `renderers` pairs a path prefix with a renderer of its own (`("/fhir", operation_outcome)`); other
    paths get `application/problem+json`.
    """
    by_prefix = tuple(renderers)

    async def handle(request: Request, error: Exception) -> Response:
        problem = problem_of(error)
        for prefix, render in by_prefix:
            if request.url.path.startswith(prefix):
                return render(request, problem)
        return problem_response(problem)

    for kind in (Refusal, RequestValidationError, HTTPException):
        app.add_exception_handler(kind, handle)


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route's refusals, each documented as problem details.

    `problem_responses(404, 409, s409="the pairing has ended")`: a `sNNN` keyword describes that status.
    """
    return {
        status: {
            "description": descriptions.get(f"s{status}", HTTPStatus(status).phrase),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def _field_body(problem: FieldProblem) -> dict[str, str]:
    body = {"field": problem.field, "message": problem.message}
    if problem.code:
        body["code"] = problem.code
    return body


def _field_of(item: Any) -> FieldProblem:
    if isinstance(item, FieldProblem):
        return item
    if isinstance(item, Mapping):
        where = item.get("field", item.get("location", item.get("loc", "")))
        if isinstance(where, list | tuple):
            where = ".".join(str(part) for part in where)
        message = item.get("message", item.get("msg", ""))
        code = item.get("code", item.get("type"))
        return FieldProblem(str(where), str(message), str(code) if code is not None else None)
    return FieldProblem("", str(item))
