"""The refusals of the referrals service's use cases, with their stable codes."""

from __future__ import annotations

from peer_shared.refusals import Gone, NotFound

REFERRAL_NOT_FOUND = "referral-not-found"
PERSON_ERASED = "person-erased"


def referral_not_found(referral_id: str, message: str | None = None) -> NotFound:
    """No referral has this id (or the caller may not know that it exists)."""
    return NotFound(REFERRAL_NOT_FOUND, message or f"no referral {referral_id}")


def person_erased(referral_id: str) -> Gone:
    """The person's identifiable details were erased: only the pseudonymous record remains."""
    return Gone(PERSON_ERASED, f"the identifiable details of referral {referral_id} were erased")
