"""The coordinator's triage workflow: received -> contacted -> accepted | rejected; withdrawn at any time.

A referral is never accepted without the person's recorded consent to peer support.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from peer_shared.refusals import Conflict


class TriageStatus(StrEnum):
    """Where a referral is in triage."""

    RECEIVED = "received"
    CONTACTED = "contacted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = frozenset({TriageStatus.RECEIVED, TriageStatus.CONTACTED, TriageStatus.ACCEPTED})
"""A person with a referral in one of these already has an open referral in that programme."""


class ContactOutcome(StrEnum):
    """What came of an attempt to contact the person."""

    REACHED = "reached"
    NO_ANSWER = "no-answer"
    LEFT_MESSAGE = "left-message"
    WRONG_DETAILS = "wrong-details"


class TriageError(Conflict):
    """A triage action that the referral's current state does not allow."""

    def __init__(self, message: str, code: str = "triage-step-not-allowed") -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class ConsentRecord:
    """Consent as recorded by a coordinator: what, on which day, and by whom."""

    peer_support: bool
    share_outcomes_with_referrer: bool
    contact_for_evaluation: bool
    given_on: date
    recorded_by: str


@dataclass
class Triage:
    """A referral's triage state, with the rules for moving it on."""

    status: TriageStatus
    consent: ConsentRecord | None = None

    def log_contact(self) -> None:
        """A contact attempt was made: a received referral becomes contacted."""
        self._require(OPEN_STATUSES, "log a contact attempt")
        if self.status is TriageStatus.RECEIVED:
            self.status = TriageStatus.CONTACTED

    def record_consent(self, consent: ConsentRecord) -> None:
        """Record the person's consent (the latest record is the one that counts)."""
        self._require(OPEN_STATUSES, "record consent")
        self.consent = consent

    def accept(self) -> ConsentRecord:
        """Accept a contacted referral whose person consented to peer support; returns that consent."""
        self._require({TriageStatus.CONTACTED}, "accept")
        if self.consent is None or not self.consent.peer_support:
            raise TriageError(
                "a referral cannot be accepted without consent to peer support", "consent-required"
            )
        self.status = TriageStatus.ACCEPTED
        return self.consent

    def reject(self) -> None:
        """Turn down a referral that has not been accepted."""
        self._require({TriageStatus.RECEIVED, TriageStatus.CONTACTED}, "reject")
        self.status = TriageStatus.REJECTED

    def withdraw(self) -> None:
        """The person (or referrer) withdrew: allowed at any time until the referral is closed."""
        self._require(OPEN_STATUSES, "withdraw")
        self.status = TriageStatus.WITHDRAWN

    def _require(self, allowed: frozenset[TriageStatus] | set[TriageStatus], action: str) -> None:
        if self.status not in allowed:
            raise TriageError(f"cannot {action}: the referral is {self.status.value}")
