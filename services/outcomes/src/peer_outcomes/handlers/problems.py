"""Refusals as RFC 9457 problem details: one `code` per rule, so a client can tell them apart."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from peer_outcomes.domain.problems import PamRefused, ProblemKind

STATUS_OF = {ProblemKind.INVALID: 422, ProblemKind.CONFLICT: 409, ProblemKind.NOT_FOUND: 404}
PROBLEM_TYPE_PREFIX = "urn:peer-support:problem:outcomes:"


def problem_response(status: int, code: str, detail: str) -> JSONResponse:
    """An `application/problem+json` response."""
    body = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _pam_refused(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PamRefused)
    return problem_response(STATUS_OF[exc.kind], exc.problem.value, exc.message)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer domain refusals with problem details instead of a 500."""
    app.add_exception_handler(PamRefused, _pam_refused)


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"description": "Unknown referral or PAM record (`code`: unknown-referral, unknown-pam)"},
    409: {
        "description": "Clashes with the referral's other results (`code`: baseline-exists, "
        "baseline-after-first-session, baseline-after-follow-up, no-baseline, follow-up-before-baseline, "
        "follow-up-exists, follow-up-out-of-order, too-many-corrections)"
    },
    422: {
        "description": "A value is wrong (`code`: score-out-of-range, score-precision, level-out-of-range, "
        "level-contradicts-score, assessed-in-future, follow-up-number), or the body is malformed"
    },
}
