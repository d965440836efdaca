"""Refusals from the domain become HTTP errors with a stable `code` and a readable `detail`."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from peer_sessions.domain.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: 422,  # Unprocessable Content
}

ERROR_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Not allowed (for example another mentor's pairing); `code` says why"},
    404: {"description": "Unknown pairing, session, goal or concern"},
    409: {"description": "Clashes with the current state (pairing not active, overlapping session)"},
    422: {"description": "Breaks a rule about the request's content (duration, date, confidence)"},
}


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=STATUS_OF[type(exc)])


def install(app: FastAPI) -> None:
    """Register the translation of domain refusals on the app."""
    app.add_exception_handler(DomainError, _domain_error)
