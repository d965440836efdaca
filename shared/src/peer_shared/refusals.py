"""Why a request is refused, typed once for every service: not found, conflict, invalid, not allowed, gone.

Use cases and domain rules raise these; they know nothing about HTTP. The HTTP layer
(`peer_shared.http.problems`) answers each kind with one status as RFC 9457 problem details, and the FHIR
routes as an OperationOutcome. `code` is stable for clients to act on; `message` is for people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class RefusalKind(StrEnum):
    """What sort of refusal: decides the HTTP status, and nothing else."""

    NOT_FOUND = "not-found"
    CONFLICT = "conflict"
    INVALID = "invalid"
    NOT_ALLOWED = "not-allowed"
    GONE = "gone"


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a request: where (a JSON pointer-like path) and why."""

    field: str
    message: str
    code: str | None = None


class Refusal(Exception):
    """A request the rules refuse; nothing was changed."""

    kind: RefusalKind = RefusalKind.INVALID

    def __init__(self, code: str, message: str, *, fields: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = tuple(fields)


class NotFound(Refusal):
    """The thing asked about does not exist (or the caller may not know that it does)."""

    kind = RefusalKind.NOT_FOUND


class Conflict(Refusal):
    """Well formed, but clashes with the current state (an ended pairing, a second baseline)."""

    kind = RefusalKind.CONFLICT


class Invalid(Refusal):
    """Breaks a rule about its own content (a date in the future, a score out of range)."""

    kind = RefusalKind.INVALID


class NotAllowed(Refusal):
    """The caller is known but may not do this (another mentor's pairing)."""

    kind = RefusalKind.NOT_ALLOWED


class Gone(Refusal):
    """It existed, but its details were erased on request; only a pseudonymous record remains."""

    kind = RefusalKind.GONE
