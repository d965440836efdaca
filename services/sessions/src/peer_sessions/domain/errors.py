"""Why a request is refused: each refusal has a stable code for clients and a message for people.

The kind of error says which HTTP status it becomes (see `handlers/http/errors.py`); the domain itself
knows nothing about HTTP.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotFound(DomainError):
    """The thing asked about does not exist (or the caller may not know that it does)."""


class NotAllowed(DomainError):
    """The caller is authenticated but may not do this (for example another mentor's pairing)."""


class Conflict(DomainError):
    """The request is well formed but clashes with the current state (ended pairing, overlap)."""


class Invalid(DomainError):
    """The request breaks a rule about its own content (duration, date, confidence)."""
